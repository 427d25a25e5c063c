// The repository as Flux sees it: a copy of the tree that matches source-controller's artifact, so graph
// mode builds exactly what kustomize-controller builds. Read at fluxcd/source-controller v1.7.4 and v1.8.2
// (Flux 2.7.5 and 2.8.5; internal/controller/gitrepository_controller.go reconcileArtifact), fluxcd/pkg
// artifact v0.5.0 / v0.8.1 (storage Archive, SourceIgnoreFilter) and sourceignore v0.15.0 / v0.17.0
// (LoadIgnorePatterns, ReadPatterns, NewDefaultMatcher), whose matcher is go-git v5.16.3's
// plumbing/format/gitignore (sourceignore v0.15.0) or its copy from go-git v5.16.4 in
// sourceignore/gitignore (v0.17.0), the same code:
//   - only regular files and folders are archived: symlinks are dropped (filepath.Walk + `fi.Mode()`);
//   - every path is matched on its own against one list of patterns: the VCS patterns (`.git/`,
//     `.gitignore`, `.gitmodules`, `.gitattributes`), then every `.sourceignore` in the tree (the root's
//     first, then each folder's in file-name order, depth first, each scoped to its folder), or, when there
//     are none, source-controller's default excludes (images and archives, CI folders, `.goreleaser.yml`,
//     `.sops.yaml`, `.flux.yaml`) after the VCS patterns;
//   - the LAST pattern that matches decides (go-git's matcher walks the list backwards). Unlike git, an
//     excluded folder does not hide its files from a later `!` pattern: `/apps/sub/` then
//     `!/apps/sub/hr.yaml` archives apps/sub/hr.yaml. A folder excluded by a pattern is still walked.
// Files Git would not commit (git-ignored, e.g. node_modules) are not in the artifact either: in a Git work
// tree only the files `git ls-files` lists (tracked, or untracked and not ignored) are copied.
import { execFileSync } from "node:child_process";
import { copyFileSync, lstatSync, mkdirSync, readFileSync, readdirSync, realpathSync } from "node:fs";
import { dirname, join, posix, relative, sep } from "node:path";
import { BadPattern, FILEPATH, goMatch, toBinary } from "./gomatch.ts";

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
      else if (entry.isFile() || entry.isSymbolicLink()) out.push(rel); // a symlinked .sourceignore is still read
    }
  };
  walk("");
  return out;
}

/** A parsed gitignore pattern (go-git plumbing/format/gitignore/pattern.go ParsePattern). */
export interface IgnorePattern {
  domain: string[];
  pattern: string[];
  inclusion: boolean;
  dirOnly: boolean;
  isGlob: boolean;
}

export function parsePattern(p: string, domain: string[]): IgnorePattern {
  const res: IgnorePattern = { domain: [...domain], pattern: [], inclusion: false, dirOnly: false, isGlob: false };
  if (p.startsWith("!")) {
    res.inclusion = true;
    p = p.slice(1);
  }
  if (!p.endsWith("\\ ")) p = p.replace(/ +$/, "");
  if (p.endsWith("/")) {
    res.dirOnly = true;
    p = p.slice(0, -1);
  }
  if (p.includes("/")) res.isGlob = true;
  res.pattern = p.split("/");
  return res;
}

/** filepath.Match per element; a malformed pattern matches nothing (go-git returns false on the error). */
function elementMatch(pattern: string, name: string): boolean | undefined {
  try {
    return goMatch(toBinary(pattern), toBinary(name), FILEPATH);
  } catch (e) {
    if (e instanceof BadPattern) return undefined;
    throw e;
  }
}

function simpleNameMatch(p: IgnorePattern, path: string[], isDir: boolean): boolean {
  for (let i = 0; i < path.length; i++) {
    const m = elementMatch(p.pattern[0]!, path[i]!);
    if (m === undefined) return false;
    if (!m) continue;
    if (p.dirOnly && !isDir && i === path.length - 1) return false;
    return true;
  }
  return false;
}

function globMatch(p: IgnorePattern, path: string[], isDir: boolean): boolean {
  let matched = false;
  let canTraverse = false;
  for (let i = 0; i < p.pattern.length; i++) {
    const pattern = p.pattern[i]!;
    if (pattern === "") {
      canTraverse = false;
      continue;
    }
    if (pattern === "**") {
      if (i === p.pattern.length - 1) break;
      canTraverse = true;
      continue;
    }
    if (pattern.includes("**")) return false;
    if (path.length === 0) return false;
    if (canTraverse) {
      canTraverse = false;
      while (path.length > 0) {
        const e = path[0]!;
        path = path.slice(1);
        const m = elementMatch(pattern, e);
        if (m === undefined) return false;
        if (m) {
          matched = true;
          break;
        } else if (path.length === 0) matched = false;
      }
    } else {
      if (elementMatch(pattern, path[0]!) !== true) return false;
      matched = true;
      path = path.slice(1);
    }
  }
  if (matched && p.dirOnly && !isDir && path.length === 0) matched = false;
  return matched;
}

/** Pattern.Match: 0 no match, 1 exclude, 2 include. */
export function matchOne(p: IgnorePattern, path: string[], isDir: boolean): 0 | 1 | 2 {
  if (path.length <= p.domain.length) return 0;
  for (let i = 0; i < p.domain.length; i++) if (path[i] !== p.domain[i]) return 0;
  const rest = path.slice(p.domain.length);
  if (p.isGlob ? !globMatch(p, rest, isDir) : !simpleNameMatch(p, rest, isDir)) return 0;
  return p.inclusion ? 2 : 1;
}

/** Matcher.Match: the last pattern that matches decides; true when the path is excluded. */
export function ignored(patterns: IgnorePattern[], path: string[], isDir: boolean): boolean {
  for (let i = patterns.length - 1; i >= 0; i--) {
    const m = matchOne(patterns[i]!, path, isDir);
    if (m !== 0) return m === 1;
  }
  return false;
}

/** sourceignore.ReadPatterns: one pattern a line; `#` lines and blank lines skipped (bufio.ScanLines drops a trailing \r). */
export function readPatterns(text: string, domain: string[]): IgnorePattern[] {
  return text
    .split("\n")
    .map((l) => l.replace(/\r$/, ""))
    .filter((l) => !l.startsWith("#") && l.trim() !== "")
    .map((l) => parsePattern(l, domain));
}

const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

/**
 * A `.sourceignore`'s text: ReadIgnoreFile opens it with os.Open, which follows a symlink; one that leads
 * outside the repository (or to nothing) is read as no file here.
 */
function readIgnoreFile(root: string, file: string): string | undefined {
  try {
    const real = realpathSync(join(root, file));
    const base = realpathSync(root);
    if (real !== base && !real.startsWith(base + sep)) return undefined;
    return readFileSync(real, "utf8");
  } catch {
    return undefined;
  }
}

/** The patterns of every `.sourceignore` among `files` (symlinks included), in sourceignore.LoadIgnorePatterns' order. */
function loadIgnorePatterns(root: string, files: string[]): IgnorePattern[] {
  const ignoreFiles = new Set(files.filter((f) => posix.basename(f) === IGNORE_FILE));
  const dirs = new Set<string>([""]);
  for (const f of files) for (let d = posix.dirname(f); d !== "."; d = posix.dirname(d)) dirs.add(d);
  const children = new Map<string, string[]>();
  for (const d of dirs) {
    if (d === "") continue;
    const parent = posix.dirname(d) === "." ? "" : posix.dirname(d);
    children.set(parent, [...(children.get(parent) ?? []), d]);
  }
  const out: IgnorePattern[] = [];
  const visit = (dir: string) => {
    const file = dir ? `${dir}/${IGNORE_FILE}` : IGNORE_FILE;
    const text = ignoreFiles.has(file) ? readIgnoreFile(root, file) : undefined;
    if (text !== undefined) out.push(...readPatterns(text, dir ? dir.split("/") : []));
    for (const child of (children.get(dir) ?? []).sort((a, b) => byteOrder(posix.basename(a), posix.basename(b)))) visit(child);
  };
  visit("");
  return out;
}

/** Copies what the artifact of `root` holds into `target` (created); returns the files copied. */
export function copyArtifact(root: string, target: string): string[] {
  const all = candidates(root);
  const files = all.filter((f) => {
    try {
      return lstatSync(join(root, f)).isFile(); // symlinks, sockets, submodule folders: not archived
    } catch {
      return false; // deleted in the work tree
    }
  });
  const vcs = VCS.map((p) => parsePattern(p, []));
  const own = loadIgnorePatterns(root, all);
  const patterns = own.length ? [...vcs, ...own] : [...vcs, ...DEFAULT_EXCLUDES.map((p) => parsePattern(p, []))];
  const copied: string[] = [];
  mkdirSync(target, { recursive: true });
  for (const f of files) {
    if (ignored(patterns, f.split("/"), false)) continue;
    const to = join(target, ...f.split("/"));
    if (relative(target, to).startsWith(`..${sep}`)) continue;
    mkdirSync(dirname(to), { recursive: true });
    copyFileSync(join(root, f), to);
    copied.push(f);
  }
  return copied;
}
