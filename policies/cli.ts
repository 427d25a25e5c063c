// npm run policy -- [--format text|json] [--config file.json] [paths…]   (default path: cluster/)
// Exit 0: no mandatory finding; 1: a mandatory finding; 2: bad flags/config or unreadable/malformed input.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { checkPaths, formatFinding } from "./checker.ts";
import { ConfigError, resolveConfig } from "./config.ts";
import { rules } from "./rules/index.ts";

/** The project's policy config, also given to `pulumi preview --policy-pack-config`. */
const DEFAULT_CONFIG = join(import.meta.dirname, "config.json");

function fail(message: string): never {
  process.stderr.write(`policy: ${message}\n`);
  process.exit(2);
}

function loadConfig(path: string | undefined) {
  const file = path ?? (existsSync(DEFAULT_CONFIG) ? DEFAULT_CONFIG : undefined);
  if (file === undefined) return resolveConfig(rules, {});
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    fail(`${file}: ${e instanceof SyntaxError ? `invalid JSON: ${e.message}` : `cannot read: ${(e as NodeJS.ErrnoException).code}`}`);
  }
  try {
    return resolveConfig(rules, raw, file);
  } catch (e) {
    if (e instanceof ConfigError) fail(e.message);
    throw e;
  }
}

function main(): number {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: { format: { type: "string", default: "text" }, config: { type: "string" } },
    });
  } catch (e) {
    fail(`${(e as Error).message} (usage: npm run policy -- [--format text|json] [--config file.json] [paths...])`);
  }
  const { format, config } = parsed.values;
  if (format !== "text" && format !== "json") fail(`--format must be text or json, not "${format}"`);
  const settings = loadConfig(config);
  const { findings, errors } = checkPaths(parsed.positionals.length ? parsed.positionals : ["cluster/"], settings);
  if (format === "json") {
    process.stdout.write(`${JSON.stringify({ findings, errors }, null, 2)}\n`);
  } else {
    for (const f of findings) process.stdout.write(`${formatFinding(f)}\n`);
    for (const e of errors) process.stderr.write(`${e.file}: ${e.message}\n`);
  }
  const mandatory = findings.filter((f) => f.level === "mandatory").length;
  if (format === "text") {
    process.stderr.write(
      `policy: ${mandatory} mandatory, ${findings.length - mandatory} advisory finding(s), ` + `${errors.length} unreadable file(s)\n`,
    );
  }
  return errors.length ? 2 : mandatory ? 1 : 0;
}

process.exitCode = main();
