// npm run render [-- --check] [--root DIR]
// Renders what every environment deploys into its sync folder (cluster/<env>). Environments are the
// stacks with a Pulumi.<stack>.yaml in the repository root; each is written to its configured syncPath.
import { statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { parseArgs } from "node:util";
import { ConfigError, listStacks, readStackConfigFile, stackConfigFile } from "../infra/config/index.ts";
import { checkEnvironments, RenderError, writeEnvironments, type Environment } from "../infra/render/write.ts";
import { environment } from "./releases/index.ts";

const USAGE = "usage: npm run render [-- --check] [--root DIR]";

function environments(root: string): Environment[] {
  if (!statSync(root, { throwIfNoEntry: false })?.isDirectory()) throw new ConfigError(`--root ${root}: not a directory`);
  const stacks = listStacks(root);
  if (stacks.length === 0) throw new ConfigError(`${root}: no Pulumi.<stack>.yaml found, so there is no environment to render`);
  return stacks.map((stack) => {
    const file = stackConfigFile(root, stack);
    return environment(readStackConfigFile(file, stack), file);
  });
}

function main(argv: string[]): number {
  let options;
  try {
    options = parseArgs({
      args: argv,
      options: { check: { type: "boolean", default: false }, root: { type: "string" }, help: { type: "boolean", short: "h" } },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (err) {
    console.error(`render: ${(err as Error).message.split("\n")[0]} (${USAGE})`);
    return 2;
  }
  if (options.help) {
    console.log(USAGE);
    return 0;
  }
  const root = resolve(options.root ?? dirname(import.meta.dirname));
  try {
    const envs = environments(root);
    if (options.check) {
      const report = checkEnvironments(root, envs);
      const problems = [
        ...report.stale.map((f) => `stale: ${f}`),
        ...report.missing.map((f) => `missing: ${f}`),
        ...report.extra.map((f) => `extra: ${f}`),
      ];
      for (const line of problems) console.log(line);
      if (problems.length > 0) {
        console.error(`render --check: ${problems.length} generated file(s) out of date; run npm run render and commit the result`);
        return 1;
      }
      console.log(`render --check: ${envs.map((e) => e.dir).join(", ")} up to date`);
      return 0;
    }
    const report = writeEnvironments(root, envs);
    for (const f of report.written) console.log(`wrote ${f}`);
    for (const f of report.removed) console.log(`removed ${f}`);
    console.log(
      `render: ${envs.map((e) => e.dir).join(", ")} (${report.written.length} written, ${report.removed.length} removed, ${report.unchanged.length} unchanged)`,
    );
    return 0;
  } catch (err) {
    if (err instanceof ConfigError || err instanceof RenderError) {
      console.error(`render: ${err.message}`);
      return 1;
    }
    throw err;
  }
}

process.exitCode = main(process.argv.slice(2));
