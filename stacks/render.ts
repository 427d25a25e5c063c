// npm run render [-- --check] [--reset-image-tags] [--root DIR]
// Renders what every environment deploys into its sync folder (cluster/<env>). Environments are the
// stacks with a Pulumi.<stack>.yaml in the repository root; each is written to its configured syncPath.
// Exit 0: done (or up to date); 1: a bad definition or stack config, --check found stale files, or a failure of the
// machine (a full disk, a permission, a name too long: one line, after removing what the run created); 2: bad flags.
import { statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { isMain, runCli, type Io } from "../infra/cli.ts";
import { ConfigError, listStacks, readStackConfigFile, stackConfigFile } from "../infra/config/index.ts";
import type { OwnedValueOptions } from "../infra/render/ownership.ts";
import { checkEnvironments, writeEnvironments, type Environment } from "../infra/render/write.ts";
import { loadEnvironment } from "./releases/environments.ts";

const REPOSITORY_ROOT = dirname(import.meta.dirname);

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

function check(root: string, envs: Environment[], io: Io, options: OwnedValueOptions): number {
  const report = checkEnvironments(root, envs, options);
  const folders = (report.missingFolders ?? []).map(
    ({ dir, restoreFrom }) =>
      `missing folder: ${dir}${restoreFrom === undefined ? "" : ` (npm run render restores it from ${restoreFrom})`}`,
  );
  const problems = [
    ...report.stale.map((f) => `stale: ${f}`),
    ...report.missing.map((f) => `missing: ${f}`),
    ...report.extra.map((f) => `extra: ${f}`),
  ];
  const leftovers = report.leftovers.map((f) => `leftover: ${f}`);
  const locked = (report.locked ?? []).map((f) => `locked: ${f} (a render is under way or was killed; if none is running: rm ${f})`);
  for (const line of [...folders, ...problems, ...leftovers, ...locked]) io.out(`${line}\n`);
  if (folders.length > 0 || problems.length > 0 || leftovers.length > 0 || locked.length > 0) {
    const what = [
      ...(folders.length > 0 ? [`${folders.length} missing folder(s)`] : []),
      ...(problems.length > 0 ? [`${problems.length} generated file(s) out of date`] : []),
      ...(leftovers.length > 0 ? [`${leftovers.length} leftover(s) of an interrupted render`] : []),
      ...(locked.length > 0 ? [`${locked.length} render lock(s) held`] : []),
    ];
    io.err(`render --check: ${what.join(", ")}; run npm run render and commit the result\n`);
    return 1;
  }
  io.out(`render --check: ${envs.map((e) => e.dir).join(", ")} up to date\n`);
  return 0;
}

function write(root: string, envs: Environment[], io: Io, options: OwnedValueOptions): number {
  const report = writeEnvironments(root, envs, options);
  for (const f of report.cleaned) io.out(`cleaned up ${f}\n`);
  for (const f of report.written) io.out(`wrote ${f}\n`);
  for (const f of report.removed) io.out(`removed ${f}\n`);
  io.out(
    `render: ${envs.map((e) => e.dir).join(", ")} (${report.written.length} written, ${report.removed.length} removed, ${report.unchanged.length} unchanged)\n`,
  );
  return 0;
}

export function main(argv: string[], io?: Io): Promise<number> {
  return runCli(
    {
      name: "render",
      usage: "npm run render [-- --check] [--reset-image-tags] [--root DIR]",
      options: {
        check: { type: "boolean", default: false },
        "reset-image-tags": { type: "boolean", default: false },
        root: { type: "string" },
      },
      async run({ values }, io) {
        const root = resolve(values.root ?? REPOSITORY_ROOT);
        const envs = await environments(root);
        const options = { resetImageTags: values["reset-image-tags"] };
        return values.check ? check(root, envs, io, options) : write(root, envs, io, options);
      },
    },
    argv,
    io,
  );
}

if (isMain(import.meta.url)) process.exitCode = await main(process.argv.slice(2));
