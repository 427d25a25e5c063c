// npm run diff -- <ref> [--format text|markdown] [--root DIR]
// What Flux would apply differently between Git ref <ref> and the work tree, object by object, for review
// in pull requests (the workflow posts it on each one). <ref> is exported with `git archive` into a temp
// folder (nothing in the checkout changes); both sides are built with the code `npm run verify` reads
// what Flux applies through (infra/verify/environment.ts: `kubectl kustomize` of the sync folder and each
// layer, as kustomize-controller builds them). Objects are matched by kind, namespace and name; a changed
// one gets a unified diff of its YAML (keys sorted), added and removed ones are listed.
// Exit 0: the diff is printed (empty or not); 1: a side cannot be built or read; 2: bad arguments or an unknown ref.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { defineCli, isMain, runCli, UsageError, type Io } from "../infra/cli.ts";
import { ConfigError, listStacks, readStackConfigFile, stackConfigFile } from "../infra/config/index.ts";
import type { Manifest } from "../infra/helm/release.ts";
import { toYaml } from "../infra/render/write.ts";
import { unifiedDiff } from "../infra/unified-diff.ts";
import { fluxApplied } from "../infra/verify/environment.ts";
import { REPOSITORY_ROOT } from "../infra/repository.ts";

/** One object Flux applies, keyed by what the API server keys it by. */
interface Applied {
  key: string;
  /** `Kind namespace/name` for people. */
  label: string;
  /** The folder it is applied from (`cluster/dev/apps`). */
  folder: string;
  yaml: string;
}

export interface EnvironmentDiff {
  env: string;
  changed: { label: string; folder: string; diff: string }[];
  added: { label: string; folder: string }[];
  removed: { label: string; folder: string }[];
}

function group(apiVersion: string | undefined): string {
  const v = apiVersion ?? "";
  return v.includes("/") ? v.slice(0, v.indexOf("/")) : "";
}

/** Every object Flux applies for `env` in the checkout at `root`; empty when the checkout has no such stack. */
async function appliedObjects(root: string, env: string, side: string): Promise<Map<string, Applied>> {
  const out = new Map<string, Applied>();
  if (!listStacks(root).includes(env)) return out;
  let cfg;
  try {
    cfg = readStackConfigFile(stackConfigFile(root, env), env);
  } catch (err) {
    throw new ConfigError(`${side}: ${(err as Error).message}`);
  }
  let applied;
  try {
    applied = await fluxApplied(cfg, root);
  } catch (err) {
    throw new ConfigError(`${side}: ${(err as Error).message}`);
  }
  const folders = [applied.root, ...applied.layers];
  for (const { folder, objects } of folders) {
    for (const o of objects as Manifest[]) {
      const ns = o.metadata?.namespace;
      const name = o.metadata?.name ?? "";
      const key = `${group(o.apiVersion)}/${o.kind}/${ns ?? ""}/${name}`;
      out.set(key, { key, label: `${o.kind} ${ns ? `${ns}/` : ""}${name}`, folder, yaml: toYaml(o) });
    }
  }
  return out;
}

/** What Flux would apply differently, per environment, between the checkouts `before` and `after`. */
export async function diffCheckouts(
  before: string,
  after: string,
  labels = { before: "before", after: "after" },
): Promise<EnvironmentDiff[]> {
  const envs = [...new Set([...listStacks(before), ...listStacks(after)])].sort();
  const out: EnvironmentDiff[] = [];
  for (const env of envs) {
    const [a, b] = [await appliedObjects(before, env, labels.before), await appliedObjects(after, env, labels.after)];
    const d: EnvironmentDiff = { env, changed: [], added: [], removed: [] };
    for (const [key, o] of b) {
      const was = a.get(key);
      if (was === undefined) d.added.push({ label: o.label, folder: o.folder });
      else if (was.yaml !== o.yaml)
        d.changed.push({
          label: o.label,
          folder: o.folder,
          diff: unifiedDiff(was.yaml, o.yaml, `${o.label} (${labels.before}, ${was.folder})`, `${o.label} (${labels.after}, ${o.folder})`),
        });
    }
    for (const [key, o] of a) if (!b.has(key)) d.removed.push({ label: o.label, folder: o.folder });
    for (const list of [d.changed, d.added, d.removed]) list.sort((x, y) => (x.label < y.label ? -1 : x.label > y.label ? 1 : 0));
    out.push(d);
  }
  return out;
}

function counts(d: EnvironmentDiff): string {
  return `${d.changed.length} changed, ${d.added.length} added, ${d.removed.length} removed`;
}

function text(diffs: EnvironmentDiff[], ref: string): string {
  const lines: string[] = [];
  for (const d of diffs) {
    lines.push(`diff: ${d.env}: ${counts(d)} (${ref} → work tree)`);
    for (const a of d.added) lines.push(`added: ${a.label} (${a.folder})`);
    for (const r of d.removed) lines.push(`removed: ${r.label} (${r.folder})`);
    for (const c of d.changed) lines.push(`changed: ${c.label} (${c.folder})`, c.diff.trimEnd());
  }
  return `${lines.join("\n")}\n`;
}

/** The pull-request comment: a marker the workflow finds it again by, a table, a diff block per changed object. */
export const COMMENT_MARKER = "<!-- flux-gitops:diff -->";

function markdown(diffs: EnvironmentDiff[], ref: string): string {
  const lines = [COMMENT_MARKER, `### What Flux would apply differently (\`${ref}\` → this change)`, ""];
  if (diffs.every((d) => d.changed.length + d.added.length + d.removed.length === 0)) {
    lines.push("No object Flux applies changes.");
    return `${lines.join("\n")}\n`;
  }
  for (const d of diffs) {
    lines.push(`#### ${d.env}: ${counts(d)}`, "");
    for (const a of d.added) lines.push(`- added: \`${a.label}\` (${a.folder})`);
    for (const r of d.removed) lines.push(`- removed: \`${r.label}\` (${r.folder})`);
    for (const c of d.changed) lines.push(`- changed: \`${c.label}\` (${c.folder})`);
    for (const c of d.changed)
      lines.push("", `<details><summary>${c.label}</summary>`, "", "```diff", c.diff.trimEnd(), "```", "", "</details>");
    lines.push("");
  }
  return `${lines.join("\n")}\n`;
}

function git(root: string, args: string[]) {
  const r = spawnSync("git", args, { cwd: root, encoding: "buffer", maxBuffer: 1024 * 1024 * 1024 });
  if (r.error !== undefined) throw new ConfigError(`git is needed to read ${args.at(-1)}: ${r.error.message}`);
  return r;
}

/** Exports commit `ref` of the repository at `root` into `dir` (git archive | tar -x); nothing in the checkout changes. */
function exportRef(root: string, ref: string, dir: string): string {
  const commit = git(root, ["rev-parse", "--verify", "--quiet", "--end-of-options", `${ref}^{commit}`]);
  if (commit.status !== 0) throw new UsageError(`${ref}: not a commit of the repository in ${root}`);
  const archive = git(root, ["archive", "--format=tar", commit.stdout.toString().trim()]);
  if (archive.status !== 0) throw new ConfigError(`git archive ${ref} failed: ${archive.stderr.toString().split("\n")[0]}`);
  const tar = spawnSync("tar", ["-x", "-C", dir], { input: archive.stdout, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (tar.error !== undefined || tar.status !== 0) throw new ConfigError(`tar cannot unpack ${ref}: ${tar.error?.message ?? tar.stderr}`);
  return commit.stdout.toString().trim();
}

const USAGE = "npm run diff -- <ref> [--format text|markdown] [--root DIR]";

export const cli = defineCli({
  name: "diff",
  usage: USAGE,
  help: {
    summary: [
      "Shows what Flux would apply differently between Git ref <ref> and the work tree, object by object: for each",
      "environment, every object of its sync folder and layers (built with kubectl kustomize, as kustomize-controller",
      "builds them) that was added, removed or changed, with a unified diff of each changed one. For review in pull",
      "requests (CI posts it as a comment). Nothing in the checkout changes: <ref> is read with git archive.",
    ].join("\n"),
    positionals: { "<ref>": "the commit to compare with: a branch, tag or commit (e.g. origin/main)" },
    flags: {
      format: "text (default) or markdown (the pull-request comment)",
      root: "the repository (default: this checkout)",
    },
    exits: {
      0: "the difference is printed (also when there is none)",
      1: "a side cannot be built (kubectl kustomize fails, a bad stack config)",
      2: "bad arguments, or <ref> is not a commit",
    },
    examples: ["npm run diff -- origin/main", "npm run diff -- HEAD~1 --format markdown"],
  },
  allowPositionals: true,
  options: { format: { type: "string", default: "text" }, root: { type: "string" } },
  async run({ values, positionals }, io) {
    if (positionals.length !== 1) throw new UsageError(`expected one Git ref (usage: ${USAGE})`);
    const [ref] = positionals as [string];
    if (values.format !== "text" && values.format !== "markdown")
      throw new UsageError(`--format must be text or markdown, not "${values.format}"`);
    const root = resolve(values.root ?? REPOSITORY_ROOT);
    if (!statSync(root, { throwIfNoEntry: false })?.isDirectory()) throw new UsageError(`--root ${root}: not a directory`);
    const dir = mkdtempSync(join(tmpdir(), "flux-gitops-diff-ref-"));
    try {
      exportRef(root, ref, dir);
      const diffs = await diffCheckouts(dir, root, { before: ref, after: "work tree" });
      io.out(values.format === "markdown" ? markdown(diffs, ref) : text(diffs, ref));
      return 0;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
});

export function main(argv: string[], io?: Io, env?: NodeJS.ProcessEnv): Promise<number> {
  return runCli(cli, argv, io, env);
}

if (isMain(import.meta.url)) process.exitCode = await main(process.argv.slice(2));
