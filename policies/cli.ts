// npm run policy -- [--format text|json] [--config file.json] [paths…]   (default path: cluster/)
// Exit 0: no mandatory finding; 1: a mandatory finding; 2: bad flags/config or unreadable/malformed input.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { isMain, runCli, type Io } from "../infra/cli.ts";
import { checkPaths, formatFinding } from "./checker.ts";
import { PolicyConfigError, resolveConfig } from "./config.ts";
import { rules } from "./rules/index.ts";

/** The project's policy config, also given to `pulumi preview --policy-pack-config`. */
const DEFAULT_CONFIG = join(import.meta.dirname, "config.json");

function loadConfig(path: string | undefined) {
  const file = path ?? (existsSync(DEFAULT_CONFIG) ? DEFAULT_CONFIG : undefined);
  if (file === undefined) return resolveConfig(rules, {});
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new PolicyConfigError(
      `${file}: ${e instanceof SyntaxError ? `invalid JSON: ${e.message}` : `cannot read: ${(e as NodeJS.ErrnoException).code}`}`,
    );
  }
  return resolveConfig(rules, raw, file);
}

export function main(argv: string[], io?: Io): Promise<number> {
  return runCli(
    {
      name: "policy",
      usage: "npm run policy -- [--format text|json] [--config file.json] [paths...]",
      options: { format: { type: "string", default: "text" }, config: { type: "string" } },
      allowPositionals: true,
      run({ values, positionals }, io) {
        const { format, config } = values;
        if (format !== "text" && format !== "json") throw new PolicyConfigError(`--format must be text or json, not "${format}"`);
        const settings = loadConfig(config);
        const { findings, errors } = checkPaths(positionals.length ? positionals : ["cluster/"], settings);
        if (format === "json") {
          io.out(`${JSON.stringify({ findings, errors }, null, 2)}\n`);
        } else {
          for (const f of findings) io.out(`${formatFinding(f)}\n`);
          for (const e of errors) io.err(`${e.file}: ${e.message}\n`);
        }
        const mandatory = findings.filter((f) => f.level === "mandatory").length;
        if (format === "text") {
          io.err(
            `policy: ${mandatory} mandatory, ${findings.length - mandatory} advisory finding(s), ` +
              `${errors.length} unreadable file(s)\n`,
          );
        }
        return errors.length ? 2 : mandatory ? 1 : 0;
      },
    },
    argv,
    io,
  );
}

if (isMain(import.meta.url)) process.exitCode = await main(process.argv.slice(2));
