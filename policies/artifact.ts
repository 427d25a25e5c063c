// The repository as Flux sees it: a copy of the tree that matches source-controller's artifact, so graph
// mode builds exactly what kustomize-controller builds. Read at fluxcd/source-controller v1.9.1
// (internal/controller/gitrepository_controller.go reconcileArtifact), fluxcd/pkg artifact/v0.18.1
// (artifact/storage/archive.go Archive) and sourceignore/v0.18.0:
//   - only regular files and folders are archived: symlinks are dropped (filepath.Walk + `fi.Mode()`);
//   - VCS files (`.git/`, `.gitignore`, `.gitmodules`, `.gitattributes`) are always left out;
//   - `.sourceignore` files (gitignore syntax, each scoped to its own folder) are applied; when there are
//     none, source-controller's default excludes are applied instead (images and archives, CI folders,
//     `.goreleaser.yml`, `.sops.yaml`, `.flux.yaml`) — with any `.sourceignore` pattern the defaults go.
// Files Git would not commit (git-ignored, e.g. node_modules) are not in the artifact either: in a Git work
// tree only the files `git ls-files` lists (tracked, or untracked and not ignored) are copied.
//
// Gitignore matching uses `ignore` (npm): the gitignore implementation eslint and many others use, with
// negation, `**`, folder-only patterns and parent-folder semantics; writing our own would repeat its edge
// cases in a security check.
import { execFileSync } from "node:child_process";
import { copyFileSync, lstatSync, mkdirSync, readFileSync, readdirSync } from "node:fs";
import { dirname, join, posix, relative, sep } from "node:path";
import ignore, { type Ignore } from "ignore";

const IGNORE_FILE = ".sourceignore";
const VCS = [".git/", ".gitignore", ".gitmodules", ".gitattributes"];
const DEFAULT_EXCLUDES = [
  ...["*.jpg", "*.jpeg", "*.gif", "*.png", "*.wmv", "*.flv", "*.tar.gz", "*.zip"],
  ...[".github/", ".circleci/", ".travis.yml", ".gitlab-ci.yml", "appveyor.yml", ".drone.yml", "cloudbuild.yaml"],
  ...["codeship-services.yml", "codeship-steps.yml", "**/.goreleaser.yml", "**/.sops.yaml", "**/.flux.yaml"],
];

/** Candidate files, `/`-separated and relative to the root: what Git would commit, or every file outside `.git`. */
function candidates(root: string): string[] {
  try {
    const out = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], {
      cwd: root,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
      maxBuffer: 256 * 1024 * 1024,
    });
    const listed = [...new Set(out.split("\0").filter((f) => f !== ""))];
    if (listed.length) return listed; // none: a folder Git ignores as a whole, read it as a plain folder
  } catch {
    // not a Git work tree (or no git): every file
  }
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      const rel = dir ? `${dir}/${entry.name}` : entry.name;
      if (entry.isDirectory() && entry.name !== ".git") walk(rel);
      else if (entry.isFile()) out.push(rel);
    }
  };
  walk("");
  return out;
}

interface Layer {
  /** Folder the patterns belong to, `/`-separated, "" for the root. */
  dir: string;
  rules: Ignore;
}

/** A file path is left out of the artifact: the last layer that decides wins (gitignore's last match). */
function excluded(layers: Layer[], file: string): boolean {
  let out = false;
  for (const { dir, rules } of layers) {
    if (dir !== "" && !file.startsWith(`${dir}/`)) continue;
    const r = rules.test(dir === "" ? file : file.slice(dir.length + 1));
    if (r.ignored) out = true;
    else if (r.unignored) out = false;
  }
  return out;
}

/** Copies what the artifact of `root` holds into `target` (created); returns the files copied. */
export function copyArtifact(root: string, target: string): string[] {
  const files = candidates(root).filter((f) => {
    try {
      return lstatSync(join(root, f)).isFile(); // symlinks, sockets, submodule folders: not archived
    } catch {
      return false; // deleted in the work tree
    }
  });
  const ignoreFiles = files.filter((f) => posix.basename(f) === IGNORE_FILE).sort((a, b) => a.split("/").length - b.split("/").length);
  const rules = () => ignore({ ignorecase: false }); // go-git matches case-sensitively
  const own: Layer[] = [];
  for (const f of ignoreFiles) {
    const patterns = readFileSync(join(root, f), "utf8")
      .split(/\r?\n/)
      .filter((l) => l.trim() !== "" && !l.startsWith("#"));
    const dir = posix.dirname(f);
    if (patterns.length) own.push({ dir: dir === "." ? "" : dir, rules: rules().add(patterns) });
  }
  const layers: Layer[] = [
    { dir: "", rules: rules().add(VCS) },
    ...(own.length ? own : [{ dir: "", rules: rules().add(DEFAULT_EXCLUDES) }]),
  ];
  const copied: string[] = [];
  mkdirSync(target, { recursive: true });
  for (const f of files) {
    if (excluded(layers, f)) continue;
    const to = join(target, ...f.split("/"));
    if (relative(target, to).startsWith(`..${sep}`)) continue;
    mkdirSync(dirname(to), { recursive: true });
    copyFileSync(join(root, f), to);
    copied.push(f);
  }
  return copied;
}
