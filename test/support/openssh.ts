// OpenSSH's sshd for the ssh tests, installed the way .ci/node installs Node: into .tools/, by the
// project, on first use, with nothing installed on the machine by hand. `apt-get download` fetches
// Debian's own openssh-server (and libwrap0, which it links and a minimal image lacks) and
// libnss-wrapper; apt checks each .deb against the signed package lists; `dpkg-deb -x` unpacks them
// into .tools/openssh/<openssh-server version>/. Neither needs root nor changes the system.
//
// Run as root, sshd refuses to start without its privilege-separation user `sshd` (sshd.c: "Privilege
// separation user sshd does not exist"), which only the package's postinst creates. nss_wrapper
// (cwrap.org; LD_PRELOAD with NSS_WRAPPER_PASSWD / NSS_WRAPPER_GROUP) lets this one process see a
// passwd file that has it, instead of adding a user to the machine. The same copy is used on every
// machine, so the path a fresh machine takes is the one every run tests.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./paths.ts";

/** The Debian packages unpacked into the tools folder. */
export const OPENSSH_PACKAGES = ["openssh-server", "libwrap0", "libnss-wrapper"] as const;

export const OPENSSH_TOOLS_DIR = join(ROOT, ".tools", "openssh");

export interface Sshd {
  /** Absolute path of the sshd binary. */
  binary: string;
  /** Environment sshd must run with (library path, nss_wrapper). */
  env: NodeJS.ProcessEnv;
}

const MULTIARCH = "usr/lib/x86_64-linux-gnu";

function firstLine(e: unknown): string {
  const err = e as { stderr?: Buffer | string; message?: string };
  return (String(err.stderr ?? "").trim() || err.message || String(e)).split("\n")[0]!;
}

/** The unpacked copy in `toolsDir`, fetched the first time (one line on stderr says so). */
export function opensshTools(toolsDir = OPENSSH_TOOLS_DIR): string {
  const ready = existsSync(toolsDir) ? readdirSync(toolsDir).filter((d) => existsSync(join(toolsDir, d, ".complete"))) : [];
  if (ready.length > 0) return join(toolsDir, ready.sort().at(-1)!);
  process.stderr.write(`openssh: fetching ${OPENSSH_PACKAGES.join(", ")} with apt-get download into ${toolsDir} (once)\n`);
  mkdirSync(toolsDir, { recursive: true });
  const work = mkdtempSync(join(toolsDir, ".fetch-"));
  try {
    try {
      execFileSync("apt-get", ["download", "-qq", ...OPENSSH_PACKAGES], { cwd: work, stdio: ["ignore", "ignore", "pipe"] });
    } catch (e) {
      throw new Error(
        `openssh: apt-get download ${OPENSSH_PACKAGES.join(" ")} failed (${firstLine(e)}); the ssh tests need Debian's package lists (apt-get update)`,
      );
    }
    const debs = readdirSync(work).filter((f) => f.endsWith(".deb"));
    const server = debs.find((f) => f.startsWith("openssh-server_"));
    if (!server || debs.length !== OPENSSH_PACKAGES.length)
      throw new Error(`openssh: apt-get download gave ${debs.join(", ") || "nothing"}`);
    const version = decodeURIComponent(server.split("_")[1]!).replaceAll(":", "_");
    const staged = join(work, version);
    for (const deb of debs) execFileSync("dpkg-deb", ["-x", join(work, deb), staged]);
    writeFileSync(join(staged, ".complete"), `${debs.join("\n")}\n`);
    // Another test file may have finished the same fetch meanwhile; its copy is as good as ours.
    if (!existsSync(join(toolsDir, version, ".complete"))) {
      rmSync(join(toolsDir, version), { recursive: true, force: true });
      renameSync(staged, join(toolsDir, version));
    }
    return join(toolsDir, version);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * sshd from the tools folder with the environment it needs. `stateDir` receives the passwd and group
 * files nss_wrapper serves: the machine's own, plus the privilege-separation user when it is missing.
 */
export function projectSshd(stateDir: string, toolsDir = OPENSSH_TOOLS_DIR): Sshd {
  const root = opensshTools(toolsDir);
  const binary = join(root, "usr/sbin/sshd");
  const wrapper = join(root, MULTIARCH, "libnss_wrapper.so");
  for (const path of [binary, wrapper]) if (!existsSync(path)) throw new Error(`openssh: ${path} missing from the unpacked packages`);
  const passwd = readFileSync("/etc/passwd", "utf8");
  const group = readFileSync("/etc/group", "utf8");
  const hasUser = passwd.split("\n").some((line) => line.startsWith("sshd:"));
  const nobody = passwd
    .split("\n")
    .find((line) => line.startsWith("nobody:"))
    ?.split(":") ?? ["nobody", "x", "65534", "65534"];
  const passwdFile = join(stateDir, "passwd");
  const groupFile = join(stateDir, "group");
  const ending = passwd.endsWith("\n") ? "" : "\n";
  writeFileSync(passwdFile, hasUser ? passwd : `${passwd}${ending}sshd:x:${nobody[2]}:${nobody[3]}::/run/sshd:/usr/sbin/nologin\n`);
  writeFileSync(groupFile, group);
  const libraryPath = [join(root, MULTIARCH), join(root, "lib/x86_64-linux-gnu"), process.env.LD_LIBRARY_PATH].filter(Boolean);
  return {
    binary,
    env: {
      ...process.env,
      LD_LIBRARY_PATH: libraryPath.join(":"),
      LD_PRELOAD: wrapper,
      NSS_WRAPPER_PASSWD: passwdFile,
      NSS_WRAPPER_GROUP: groupFile,
    },
  };
}
