// A throwaway Git server for tests: OpenSSH's sshd on 127.0.0.1 (free port), started by the test
// process as the current user with its own host key and sshd_config (public-key auth only, no PAM,
// authorized_keys in its temp dir), serving bare repositories under <dir>/repos. sshd is Debian's,
// unpacked into .tools/openssh by the project on first use (./openssh.ts); ssh, ssh-keygen and git
// come from the machine; when one is missing, start/clone throw.
import { execFile, execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { projectSshd } from "./openssh.ts";

/** sshd's privilege-separation directory (compiled in); the Debian package creates it only at service start. */
const PRIVSEP_DIR = "/run/sshd";

export type KeyType = "ed25519" | "ecdsa" | "rsa";

/** Generate an unencrypted OpenSSH key pair at `path` / `path.pub` with ssh-keygen. */
export function sshKeygen(path: string, type: KeyType, bits?: number): void {
  const args = ["-q", "-t", type, "-N", "", "-C", "", "-f", path, ...(bits ? ["-b", String(bits)] : [])];
  execFileSync("ssh-keygen", args, { stdio: ["ignore", "ignore", "pipe"] });
}

/** `SHA256:…` fingerprint of a public key file, as `ssh-keygen -lf` prints it. */
export function sshFingerprint(publicKeyPath: string): string {
  const line = execFileSync("ssh-keygen", ["-l", "-E", "sha256", "-f", publicKeyPath], { encoding: "utf8" });
  return line.split(" ")[1]!;
}

/** `<type> <base64>` of a .pub file, without the comment. */
function publicKey(path: string): string {
  return readFileSync(path, "utf8").trim().split(/\s+/).slice(0, 2).join(" ");
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function git(cwd: string, ...args: string[]): void {
  execFileSync("git", args, { cwd, stdio: ["ignore", "ignore", "pipe"], env: hermeticGitEnv() });
}

/** Environment for git/ssh that ignores the machine's git config and ssh agent. */
function hermeticGitEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, GIT_CONFIG_GLOBAL: "/dev/null", GIT_CONFIG_NOSYSTEM: "1", GIT_TERMINAL_PROMPT: "0" };
  delete env.SSH_AUTH_SOCK;
  delete env.GIT_SSH;
  return { ...env, ...extra };
}

/** Shell-quote for GIT_SSH_COMMAND (git runs it through sh). */
function sq(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

export interface CloneFiles {
  /** Private key file (the Secret's `identity`). */
  identity: string;
  /** known_hosts file (the Secret's `known_hosts`). */
  knownHosts: string;
}

export interface CloneResult {
  ok: boolean;
  stderr: string;
}

export interface GitServer {
  /** `127.0.0.1:<port>`: the host part of an `ssh://git@<host>/<owner>/<name>` URL. */
  host: string;
  /** The server's host key as a known_hosts line for `host`. */
  knownHostsLine: string;
  /** A known_hosts line for `host` with some other ed25519 key (a server that is not this one). */
  wrongKnownHostsLine: string;
  /** Serve a bare repository as /<owner>/<name>, holding `files` (path → content) on `branch`. */
  createRepository(owner: string, name: string, branch: string, files: Record<string, string>): void;
  /** Replace authorized_keys with this one public key line. */
  authorize(publicKeyLine: string): void;
  /**
   * `git clone --branch <branch> <url> <dest>` over ssh using only the given identity and known_hosts files
   * (strict host key checking, no agent, no ssh config). The URL's `git@` user and path are mapped
   * to the current user and <dir>/repos with `url.<base>.insteadOf`; host and port are used as given.
   */
  clone(url: string, branch: string, files: CloneFiles, dest: string): Promise<CloneResult>;
  stop(): Promise<void>;
}

export async function startGitServer(): Promise<GitServer> {
  const dir = mkdtempSync(join(tmpdir(), "sshd-"));
  let child: ChildProcess | undefined;
  try {
    const sshd = projectSshd(dir);
    const user = userInfo().username;
    const port = await freePort();
    const host = `127.0.0.1:${port}`;
    const repos = join(dir, "repos");
    const authorizedKeys = join(dir, "authorized_keys");
    sshKeygen(join(dir, "host_ed25519"), "ed25519");
    sshKeygen(join(dir, "other_ed25519"), "ed25519");
    writeFileSync(authorizedKeys, "");
    const config = join(dir, "sshd_config");
    writeFileSync(
      config,
      [
        `ListenAddress 127.0.0.1:${port}`,
        `HostKey ${join(dir, "host_ed25519")}`,
        `PidFile ${join(dir, "sshd.pid")}`,
        `AuthorizedKeysFile ${authorizedKeys}`,
        "AuthenticationMethods publickey",
        "PubkeyAuthentication yes",
        "PasswordAuthentication no",
        "KbdInteractiveAuthentication no",
        "UsePAM no",
        "StrictModes no",
        "PermitRootLogin prohibit-password",
        `AllowUsers ${user}`,
        "LogLevel VERBOSE",
        "",
      ].join("\n"),
    );
    if (process.getuid?.() === 0) mkdirSync(PRIVSEP_DIR, { recursive: true, mode: 0o755 });

    const proc = spawn(sshd.binary, ["-D", "-e", "-f", config], { stdio: ["ignore", "ignore", "pipe"], env: sshd.env });
    child = proc;
    let log = "";
    await new Promise<void>((resolve, reject) => {
      proc.once("error", reject);
      proc.once("exit", (code) => reject(new Error(`sshd exited (${code}) before listening:\n${log}`)));
      proc.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
        log += chunk;
        if (log.includes(`Server listening on 127.0.0.1 port ${port}`)) resolve();
      });
    });
    const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));

    const knownHostsLine = (file: string) => `[127.0.0.1]:${port} ${publicKey(file)}`;
    return {
      host,
      knownHostsLine: knownHostsLine(join(dir, "host_ed25519.pub")),
      wrongKnownHostsLine: knownHostsLine(join(dir, "other_ed25519.pub")),
      createRepository(owner, name, branch, files) {
        const work = mkdtempSync(join(dir, "work-"));
        git(work, "init", "-q", "-b", branch);
        for (const [path, content] of Object.entries(files)) {
          mkdirSync(join(work, path, ".."), { recursive: true });
          writeFileSync(join(work, path), content);
        }
        git(work, "add", ".");
        git(work, "-c", "user.name=test", "-c", "user.email=test@example.invalid", "commit", "-q", "-m", "initial");
        git(dir, "clone", "-q", "--bare", work, join(repos, owner, name));
        rmSync(work, { recursive: true, force: true });
      },
      authorize(publicKeyLine) {
        writeFileSync(authorizedKeys, publicKeyLine);
      },
      clone(url, branch, files, dest) {
        const sshCommand = [
          "ssh -F /dev/null",
          `-i ${sq(files.identity)}`,
          "-o IdentitiesOnly=yes -o IdentityAgent=none -o CertificateFile=none",
          `-o UserKnownHostsFile=${sq(files.knownHosts)} -o GlobalKnownHostsFile=/dev/null`,
          "-o StrictHostKeyChecking=yes -o BatchMode=yes -o PasswordAuthentication=no",
        ].join(" ");
        const rewrite = `url.ssh://${user}@${host}${repos}/.insteadOf=ssh://git@${host}/`;
        const env = hermeticGitEnv({ GIT_SSH_COMMAND: sshCommand, GIT_SSH_VARIANT: "ssh" });
        return new Promise((resolve, reject) => {
          execFile("git", ["-c", rewrite, "clone", "-q", "--branch", branch, url, dest], { env }, (err, _stdout, stderr) => {
            if (err && typeof err.code !== "number")
              reject(err); // git itself could not start
            else resolve({ ok: !err, stderr });
          });
        });
      },
      async stop() {
        if (proc.exitCode === null && proc.signalCode === null) {
          proc.kill("SIGTERM");
          await exited;
        }
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    child?.kill("SIGTERM");
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
