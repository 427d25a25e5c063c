// npm run render [-- --check] [--reset-image-tags] [--root DIR]
// Renders what every environment deploys into its sync folder (cluster/<env>). Environments are the
// stacks with a Pulumi.<stack>.yaml in the repository root; each is written to its configured syncPath.
// The definitions are type-checked first (infra/render/typecheck.ts); a YAML file in an output folder that
// no kustomization Flux applies includes is an error (infra/render/included.ts).
// Exit 0: done (or up to date); 1: a bad definition or stack config, --check found stale files, or a failure of the
// machine (a full disk, a permission, a name too long: one line, after removing what the run created); 2: bad flags.
import { spawnSync } from "node:child_process";
import { existsSync, realpathSync, statSync } from "node:fs";
import { join, resolve, sep } from "node:path";
import { defineCli, isMain, runCli, type Io } from "../infra/cli.ts";
import { ConfigError, listStacks, readStackConfigFile, stackConfigFile } from "../infra/config/index.ts";
import { unincludedMessage } from "../infra/included.ts";
import { originOf } from "../infra/render/origin.ts";
import { checkDefinitionTypes, DEFINITIONS } from "../infra/render/typecheck.ts";
import {
  checkEnvironments,
  fileName,
  KUSTOMIZATION_FILE,
  writeEnvironments,
  type Environment,
  type RenderOptions,
} from "../infra/render/write.ts";
import { unifiedDiff } from "../infra/unified-diff.ts";
import { loadEnvironment } from "./releases/environments.ts";
import { REPOSITORY_ROOT } from "../infra/repository.ts";

/** This file, relative to a checkout's root: how `--root` finds another checkout's own renderer. */
const RENDERER = join("stacks", "render.ts");

async function environments(root: string): Promise<Environment[]> {
  if (!statSync(root, { throwIfNoEntry: false })?.isDirectory()) throw new ConfigError(`--root ${root}: not a directory`);
  const stacks = listStacks(root);
  if (stacks.length === 0) throw new ConfigError(`${root}: no Pulumi.<stack>.yaml found, so there is no environment to render`);
  const envs: Environment[] = [];
  for (const stack of stacks) {
    const file = stackConfigFile(root, stack);
    envs.push(await loadEnvironment(readStackConfigFile(file, stack), file));
  }
  return envs;
}

/** The definition files that produce each generated file (path relative to the root → what to change). */
function producers(envs: Environment[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const env of envs) {
    const definition = join(DEFINITIONS, `${env.name}.ts`).split(sep).join("/");
    const folders = [
      { dir: env.dir, objects: env.objects },
      ...(env.layers ?? []).map((l) => ({ dir: `${env.dir}/${l.path}`, objects: l.objects })),
    ];
    for (const { dir, objects } of folders) {
      for (const obj of objects) {
        const built = originOf(obj);
        out.set(
          `${dir}/${fileName(obj)}`,
          built === undefined || built === definition ? definition : `${built} with the overrides in ${definition}`,
        );
      }
      out.set(`${dir}/${KUSTOMIZATION_FILE}`, `the objects ${definition} places in ${dir}`);
    }
  }
  return out;
}

function check(root: string, envs: Environment[], io: Io, options: RenderOptions): number {
  const report = checkEnvironments(root, envs, { ...options, changes: true });
  const from = producers(envs);
  const folders = (report.missingFolders ?? []).map(
    ({ dir, restoreFrom }) =>
      `missing folder: ${dir}${restoreFrom === undefined ? "" : ` (npm run render restores it from ${restoreFrom})`}`,
  );
  const produced = (f: string) => (from.has(f) ? ` (from ${from.get(f)})` : "");
  const problems = [
    ...report.stale.map((f) => `stale: ${f}${produced(f)}`),
    ...report.missing.map((f) => `missing: ${f}${produced(f)}`),
    ...report.extra.map((f) => `extra: ${f}`),
  ];
  const unincluded = (report.unincluded ?? []).map((f) => `not applied: ${unincludedMessage(f)}`);
  const leftovers = report.leftovers.map((f) => `leftover: ${f}`);
  const locked = (report.locked ?? []).map((f) => `locked: ${f} (a render is under way or was killed; if none is running: rm ${f})`);
  for (const line of [...folders, ...problems, ...unincluded, ...leftovers, ...locked]) io.out(`${line}\n`);
  for (const { file, current, rendered } of report.changes ?? []) {
    io.out(
      `\n${unifiedDiff(current, rendered, `${file} (in the folder)`, `${file} (rendered from ${from.get(file) ?? "the definitions"})`)}`,
    );
  }
  if (folders.length > 0 || problems.length > 0 || unincluded.length > 0 || leftovers.length > 0 || locked.length > 0) {
    const what = [
      ...(folders.length > 0 ? [`${folders.length} missing folder(s)`] : []),
      ...(problems.length > 0 ? [`${problems.length} generated file(s) out of date`] : []),
      ...(unincluded.length > 0 ? [`${unincluded.length} file(s) Flux never applies`] : []),
      ...(leftovers.length > 0 ? [`${leftovers.length} leftover(s) of an interrupted render`] : []),
      ...(locked.length > 0 ? [`${locked.length} render lock(s) held`] : []),
    ];
    const fix =
      problems.length > 0 || folders.length > 0 || leftovers.length > 0 || locked.length > 0
        ? "run npm run render and commit the result"
        : "define what they hold in stacks/ or remove them";
    io.err(`render --check: ${what.join(", ")}; ${fix}\n`);
    return 1;
  }
  io.out(`render --check: ${envs.map((e) => e.dir).join(", ")} up to date\n`);
  return 0;
}

function write(root: string, envs: Environment[], io: Io, options: RenderOptions): number {
  const report = writeEnvironments(root, envs, options);
  for (const f of report.cleaned) io.out(`cleaned up ${f}\n`);
  for (const f of report.written) io.out(`wrote ${f}\n`);
  for (const f of report.removed) io.out(`removed ${f}\n`);
  io.out(
    `render: ${envs.map((e) => e.dir).join(", ")} (${report.written.length} written, ${report.removed.length} removed, ${report.unchanged.length} unchanged)\n`,
  );
  return 0;
}

/** True when `dir` is a checkout of this project other than this one (it has its own renderer). */
function otherCheckout(dir: string): boolean {
  if (!existsSync(join(dir, RENDERER))) return false;
  return realpathSync(dir) !== realpathSync(REPOSITORY_ROOT);
}

/**
 * `--root` naming another checkout renders that checkout's own definitions: its own renderer runs
 * there (its stacks/render.ts with the same flags), so what is rendered or checked is what its
 * definitions say, never this checkout's.
 */
function renderOther(dir: string, argv: string[], io: Io): number {
  const r = spawnSync(process.execPath, [join(dir, RENDERER), ...argv], { cwd: dir, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  if (r.error !== undefined) throw new ConfigError(`--root ${dir}: cannot run its renderer: ${r.error.message}`);
  io.out(r.stdout);
  io.err(r.stderr);
  return r.status ?? 1;
}

const USAGE = "npm run render [-- --check] [--reset-image-tags] [--root DIR]";

export const cli = defineCli({
  name: "render",
  usage: USAGE,
  help: {
    summary: [
      "Writes cluster/<env> for every environment (a Pulumi.<env>.yaml in the root and its definition",
      "stacks/environments/<env>.ts) from the typed definitions in stacks/. The definitions are type-checked",
      "first, every object is validated, and nothing is written unless all environments render.",
    ].join("\n"),
    flags: {
      check: "write nothing; list every stale, missing or extra generated file with a unified diff and the definition that produces it",
      "reset-image-tags": "put back the image tags of the definitions over the ones image automation committed",
      root: "another checkout: run that checkout's own renderer on its own definitions (a folder holding only Pulumi.<env>.yaml files is rendered with this checkout's definitions)",
    },
    exits: {
      0: "rendered, or (--check) everything up to date",
      1: "a definition or stack config is wrong (type error, invalid object, a file Flux never applies), or --check found a difference",
      2: "bad flags, or flags npm kept for itself (npm run render --check without --)",
    },
    examples: ["npm run render", "npm run render -- --check"],
  },
  options: {
    check: { type: "boolean", default: false },
    "reset-image-tags": { type: "boolean", default: false },
    root: { type: "string" },
  },
  async run({ values }, io) {
    const root = resolve(values.root ?? REPOSITORY_ROOT);
    if (values.root !== undefined && statSync(root, { throwIfNoEntry: false })?.isDirectory() && otherCheckout(root)) {
      return renderOther(root, [...(values.check ? ["--check"] : []), ...(values["reset-image-tags"] ? ["--reset-image-tags"] : [])], io);
    }
    if (values.root !== undefined && !statSync(root, { throwIfNoEntry: false })?.isDirectory())
      throw new ConfigError(`--root ${root}: not a directory`);
    await checkDefinitionTypes(REPOSITORY_ROOT);
    const envs = await environments(root);
    const options = { resetImageTags: values["reset-image-tags"], refuseUnapplied: true };
    return values.check ? check(root, envs, io, options) : write(root, envs, io, options);
  },
});

export function main(argv: string[], io?: Io, env?: NodeJS.ProcessEnv): Promise<number> {
  return runCli(cli, argv, io, env);
}

if (isMain(import.meta.url)) process.exitCode = await main(process.argv.slice(2));
