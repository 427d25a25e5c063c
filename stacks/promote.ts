// npm run promote -- <from> <to> [--root DIR]
// Copies the image values environment <from> runs — the marked values in cluster/<from>, including
// what its image automation committed there, or, when <from> runs no image automation, the values of
// the same images in cluster/<from> (what an earlier promote gave it: chains such as dev → staging → prod)
// — into <to>'s definitions: the file
// stacks/environments/promoted/<to>.ts, which stacks/environments/<to>.ts lays over its remla values.
// Then `npm run render` and a pull request deploy them (docs/operations.md "Promote dev → prod").
// It promotes only what `npm run render -- --check` accepts for <from> (the same check, run first), and
// only values carrying the exact marker the definitions place, that Flux's setter could have written.
// Exit 0: written (or already up to date); 1: a bad environment, a missing or edited rendered file, or a failure of
// the machine (a full disk, a permission: one line, the temp file and any folder it made removed); 2: bad arguments.
import { randomBytes } from "node:crypto";
import { closeSync, existsSync, lstatSync, mkdirSync, openSync, readFileSync, renameSync, rmdirSync, rmSync, writeSync } from "node:fs";
import { dirname, join, resolve, sep } from "node:path";
import { isScalar, parseDocument } from "yaml";
import { defineCli, isMain, runCli, UsageError, type Io } from "../infra/cli.ts";
import { ConfigError, listStacks, readStackConfigFile, stackConfigFile } from "../infra/config/index.ts";
import { markerOf, setterMarker, valueMarkers } from "../infra/render/markers.ts";
import { ownedValueProblem } from "../infra/render/ownership.ts";
import { checkEnvironments, fileName, type Environment, type RenderObject } from "../infra/render/write.ts";
import { loadEnvironment } from "./releases/environments.ts";
import { valueAt } from "./releases/images.ts";
import { REMLA_IMAGES, REMLA_RELEASE } from "./releases/remla.ts";
import { REPOSITORY_ROOT } from "../infra/repository.ts";

/** The release whose values `promotedImages` of an EnvironmentDefinition overrides, and the values that are its images. */
const PROMOTED_RELEASE = REMLA_RELEASE;
const IMAGE_VALUES = Object.values(REMLA_IMAGES).map((setter) => setter.value);
const VALUES = ["spec", "values"];

/** Where `promote` writes the values promoted into environment `to`, relative to the repository root. */
export function promotedFile(to: string): string {
  return join("stacks", "environments", "promoted", `${to}.ts`);
}

interface Promoted {
  /** Path below the release's values, e.g. ["appFrontend", "image", "tag"]. */
  path: string[];
  value: string;
}

async function load(root: string, stack: string): Promise<Environment> {
  const file = stackConfigFile(root, stack);
  return loadEnvironment(readStackConfigFile(file, stack), file);
}

/** Every object of an environment with the folder (relative to the root) its file is in. */
function placed(env: Environment): { obj: RenderObject; dir: string }[] {
  return [
    ...env.objects.map((obj) => ({ obj, dir: env.dir })),
    ...(env.layers ?? []).flatMap((l) => l.objects.map((obj) => ({ obj, dir: join(env.dir, l.path) }))),
  ];
}

/** Refuses to promote from a folder `render --check` does not accept: stale, missing, extra or leftover files. */
function refuseUnchecked(root: string, env: Environment): void {
  const report = checkEnvironments(root, [env]);
  const problems = [...report.stale, ...report.missing, ...report.extra, ...report.leftovers];
  if (problems.length > 0) {
    throw new ConfigError(
      `${env.dir} is not what the definitions render (${problems.length} file(s), first ${problems[0]}); ` +
        "run npm run render -- --check, fix it, then promote",
    );
  }
}

/**
 * The image values `env` runs: its marked values as they are in its rendered files on disk (the automation's commits
 * included); without image automation, the release's image values as rendered (render --check has just said the
 * files are what the definitions render, so the definitions' values are the files').
 */
function currentImageValues(root: string, env: Environment): Promoted[] {
  refuseUnchecked(root, env);
  const marked = markedImageValues(root, env);
  if (marked.length > 0) return marked;
  const release = placed(env).find((p) => p.obj.kind === "HelmRelease" && p.obj.metadata?.name === PROMOTED_RELEASE);
  if (release === undefined) return [];
  const values = release.obj.toJSON() as unknown;
  return IMAGE_VALUES.flatMap((path) => {
    const value = valueAt(values, [...VALUES, ...path]);
    return value === undefined ? [] : [{ path: [...path], value }];
  });
}

/** The values carrying Flux's setter marker in `env`'s rendered files, as they are on disk. */
function markedImageValues(root: string, env: Environment): Promoted[] {
  const found: Promoted[] = [];
  for (const { obj, dir } of placed(env)) {
    const markers = valueMarkers(obj);
    if (markers.length === 0) continue;
    const file = join(dir, fileName(obj));
    if (obj.kind !== "HelmRelease" || obj.metadata?.name !== PROMOTED_RELEASE) {
      throw new ConfigError(
        `${file}: promote copies the values of HelmRelease ${PROMOTED_RELEASE} only, not of ${obj.kind} ${obj.metadata?.name}`,
      );
    }
    if (!existsSync(join(root, file))) throw new ConfigError(`${file} is missing; run npm run render first`);
    const doc = parseDocument(readFileSync(join(root, file), "utf8"));
    for (const marker of markers) {
      const key = `${file}: ${marker.path.join(".")}`;
      const node = doc.errors.length === 0 ? doc.getIn(marker.path, true) : undefined;
      if (!isScalar(node) || typeof node.value !== "string")
        throw new ConfigError(`${key} is not a string value; run npm run render -- --check`);
      if (markerOf(node.comment) !== setterMarker(marker)) {
        throw new ConfigError(`${key} does not carry its marker # ${setterMarker(marker)} on its line; run npm run render -- --check`);
      }
      const value = node.value;
      const problem = value === valueAt(obj.toJSON(), marker.path) ? undefined : ownedValueProblem(value, marker);
      if (problem !== undefined) throw new ConfigError(`${key} holds ${JSON.stringify(value)}, which promote will not copy: ${problem}`);
      found.push({ path: marker.path.slice(VALUES.length), value });
    }
  }
  return found;
}

/** Refuses a symlink anywhere on the way to `relative` below `root` (promote writes only real folders and files). */
function refuseSymlinks(root: string, relative: string): void {
  let at = root;
  for (const segment of relative.split(sep)) {
    at = join(at, segment);
    if (lstatSync(at, { throwIfNoEntry: false })?.isSymbolicLink()) {
      throw new ConfigError(`${at.slice(root.length + 1)} is a symlink; promote writes only to real folders and files`);
    }
  }
}

/** Writes `content` to `file` through a fresh temp file beside it (exclusive create, random name), then renames it over. */
function replaceFile(file: string, content: string): void {
  const temp = `${file}.${randomBytes(8).toString("hex")}.tmp`;
  const fd = openSync(temp, "wx", 0o644);
  try {
    try {
      const bytes = Buffer.from(content, "utf8");
      for (let done = 0; done < bytes.length;) done += writeSync(fd, bytes, done, bytes.length - done);
    } catch (err) {
      // A write names no path: say which file it was (a full disk reports ENOSPC here).
      (err as NodeJS.ErrnoException).path ??= temp;
      throw err;
    } finally {
      closeSync(fd);
    }
    renameSync(temp, file);
  } catch (err) {
    rmSync(temp, { force: true });
    throw err;
  }
}

/** Removes the empty folders from `folder` up to `made`, the first one `mkdir -p` created (a failed write's). */
function removeMadeFolders(folder: string, made: string | undefined): void {
  if (made === undefined) return;
  for (let at = folder; at.startsWith(made); at = dirname(at)) {
    try {
      rmdirSync(at);
    } catch {
      return;
    }
  }
}

/** A TypeScript object literal the way Prettier prints it (one key per line, trailing commas). */
function literal(value: unknown, indent = ""): string {
  if (typeof value === "string") return JSON.stringify(value);
  const inner = `${indent}  `;
  const entries = Object.entries(value as Record<string, unknown>).map(
    ([k, v]) => `${inner}${/^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k)}: ${literal(v, inner)},`,
  );
  return `{\n${entries.join("\n")}\n${indent}}`;
}

/** The promoted file: the values as a DeepPartial of the remla values, typed. */
export function promotedSource(from: string, to: string, values: Promoted[]): string {
  const tree: Record<string, unknown> = {};
  for (const { path, value } of values) {
    let node = tree;
    for (const key of path.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>;
    node[path.at(-1)!] = value;
  }
  return [
    `// Written by \`npm run promote -- ${from} ${to}\`: the image values ${from} runs (cluster/${from}, image`,
    `// automation included). stacks/environments/${to}.ts lays them over its remla values. Do not edit by`,
    "// hand: promote again, or change the definition.",
    'import type { DeepPartial } from "../../releases/index.ts";',
    'import type { RemlaValues } from "../../releases/remla.ts";',
    "",
    `export default ${literal(tree)} satisfies DeepPartial<RemlaValues>;`,
    "",
  ].join("\n");
}

async function promote(root: string, from: string, to: string, io: Io): Promise<number> {
  const stacks = listStacks(root);
  for (const env of [from, to]) {
    if (!stacks.includes(env)) throw new ConfigError(`no environment "${env}" (stacks: ${stacks.join(", ")})`);
  }
  if (from === to) throw new UsageError(`promote needs two different environments, got "${from}" twice`);
  const target = readStackConfigFile(stackConfigFile(root, to), to);
  if (target.imageAutomation.enabled) {
    throw new ConfigError(`${to} runs its own image automation (Pulumi.${to}.yaml); promote into an environment without it`);
  }
  const values = currentImageValues(root, await load(root, from));
  if (values.length === 0) throw new ConfigError(`${from} runs no HelmRelease ${PROMOTED_RELEASE} with image values to promote`);

  refuseSymlinks(root, promotedFile(to));
  const before = placed(await load(root, to)).find((p) => p.obj.kind === "HelmRelease" && p.obj.metadata?.name === PROMOTED_RELEASE);
  const file = join(root, promotedFile(to));
  const source = promotedSource(from, to, values);
  for (const { path, value } of values) {
    const was = before ? valueAt(before.obj.toJSON(), [...VALUES, ...path]) : undefined;
    io.out(`${path.join(".")}: ${was === value ? `${value} (unchanged)` : `${was ?? "unset"} -> ${value}`}\n`);
  }
  if (existsSync(file) && readFileSync(file, "utf8") === source) {
    io.out(`promote: ${promotedFile(to)} already holds ${from}'s image values\n`);
    return 0;
  }
  const made = mkdirSync(dirname(file), { recursive: true });
  try {
    refuseSymlinks(root, promotedFile(to));
    replaceFile(file, source);
  } catch (err) {
    removeMadeFolders(dirname(file), made);
    throw err;
  }
  io.out(`promote: wrote ${promotedFile(to)}; run npm run render and open a pull request with it and cluster/${to}\n`);
  return 0;
}

export const cli = defineCli({
  name: "promote",
  usage: "npm run promote -- <from> <to> [--root DIR]",
  help: {
    summary: [
      "Copies the image values environment <from> runs (the marked values in cluster/<from>, image automation's",
      "commits included) into <to>'s definitions: stacks/environments/promoted/<to>.ts. Then npm run render and a pull",
      "request deploy them. Promotes only from a folder render --check accepts.",
    ].join("\n"),
    positionals: { "<from> <to>": "the environment to copy from and the one to copy into" },
    flags: { root: "the repository root holding Pulumi.<env>.yaml, cluster/ and stacks/environments/promoted (default: this checkout)" },
    exits: {
      0: "written, or already up to date",
      1: "a bad environment, a missing or edited rendered file, or a value promote will not copy",
      2: "bad arguments",
    },
    examples: ["npm run promote -- dev prod", "npm run promote -- dev prod && npm run render"],
  },
  options: { root: { type: "string" } },
  allowPositionals: true,
  async run({ values, positionals }, io) {
    if (positionals.length !== 2)
      throw new UsageError("expected two environments, e.g. dev prod (usage: npm run promote -- <from> <to> [--root DIR])");
    const [from, to] = positionals as [string, string];
    return promote(resolve(values.root ?? REPOSITORY_ROOT), from, to, io);
  },
});

export function main(argv: string[], io?: Io, env?: NodeJS.ProcessEnv): Promise<number> {
  return runCli(cli, argv, io, env);
}

if (isMain(import.meta.url)) process.exitCode = await main(process.argv.slice(2));
