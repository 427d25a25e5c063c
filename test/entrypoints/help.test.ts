// Every command-line tool the npm scripts start (package.json scripts through infra/launch.mjs) declares
// its help once (infra/cli.ts): `--help` says what it does, describes each flag, lists the exit codes and
// gives at least two examples that its own parser accepts; and each refuses the flags npm keeps for itself.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs, type ParseArgsOptionsConfig } from "node:util";
import type { Cli, Io } from "../../infra/cli.ts";
import { runInProcess } from "../support/in-process.ts";
import { ROOT } from "../support/paths.ts";

const scripts = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;
const tools = Object.entries(scripts)
  .map(([script, command]) => ({ script, file: /infra\/launch\.mjs (\S+\.ts)$/.exec(command)?.[1] }))
  .filter((t): t is { script: string; file: string } => t.file !== undefined);

interface Tool {
  cli: Cli<ParseArgsOptionsConfig>;
  main(argv: string[], io?: Io, env?: NodeJS.ProcessEnv): Promise<number>;
}

test("the npm scripts start every CLI this test knows, through the launcher", () => {
  assert.deepEqual(tools.map((t) => t.script).sort(), ["charts", "diff", "policy", "preview", "promote", "render", "stacks", "verify"]);
});

/** The arguments of an example (`npm run x -- a --b c`), as the shell would pass them after `--`. */
function exampleArgs(example: string, script: string): string[] {
  const command = example.split(" && ")[0]!;
  assert.ok(command.startsWith(`npm run ${script}`), `${example}: starts with npm run ${script}`);
  const rest = command.slice(`npm run ${script}`.length).trim();
  if (rest === "") return [];
  assert.ok(rest.startsWith("-- "), `${example}: the tool's arguments go after --`);
  return [...rest.slice(3).matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2]!);
}

for (const { script, file } of tools) {
  test(`npm run ${script} -- --help: what it does, every flag, exit codes, two examples its parser accepts`, async () => {
    const tool = (await import(pathToFileURL(join(ROOT, file)).href)) as Tool;
    assert.ok(tool.cli, `${file} exports its cli definition`);
    assert.equal(tool.cli.name, script, "the tool is named as its npm script (errors, npm's swallowed flags, INIT_CWD)");
    const r = await runInProcess(tool.main, ["--help"]);
    assert.equal(r.code, 0);
    assert.equal(r.stderr, "");
    const [usage, blank, ...rest] = r.stdout.split("\n");
    assert.equal(usage, `usage: ${tool.cli.usage}`);
    assert.equal(blank, "");
    assert.ok(rest[0]!.length > 20, "a summary of what it does");
    for (const [name, option] of Object.entries(tool.cli.options)) {
      const line = rest.find((l) => new RegExp(`^  (-\\w, )?--${name}\\b`).test(l));
      assert.ok(line, `--${name} is described`);
      assert.match(line, new RegExp(`--${name}${option.type === "string" ? " [A-Z]+" : ""} {2,}\\S.{10,}`), `--${name} has a description`);
    }
    assert.ok(rest.some((l) => /^ {2}-h, --help {2,}/.test(l)));
    const section = (title: string) => {
      const start = rest.indexOf(title);
      assert.ok(start >= 0, `a section ${title}`);
      const end = rest.indexOf("", start);
      return rest.slice(start + 1, end);
    };
    const exits = section("exit codes:");
    assert.ok(exits.length >= 2 && exits.some((l) => /^ {2}0 {2}\S/.test(l)), "exit 0 and at least one failure code");
    for (const l of exits) assert.match(l, /^ {2}\d+ {2}\S/);
    const examples = section("examples:").map((l) => l.trim());
    assert.ok(examples.length >= 2, "two examples");
    for (const example of examples) {
      const args = exampleArgs(example, script);
      assert.doesNotThrow(
        () => parseArgs({ args, options: tool.cli.options, strict: true, allowPositionals: tool.cli.allowPositionals ?? false }),
        example,
      );
    }
  });

  test(`npm run ${script} --<flag> without --: refused, naming the command that passes it`, async () => {
    const tool = (await import(pathToFileURL(join(ROOT, file)).href)) as Tool;
    const flag = Object.keys(tool.cli.options)[0]!;
    let err = "";
    const io = { out: () => {}, err: (s: string) => void (err += s) };
    const code = await tool.main([], io, { npm_lifecycle_event: script, [`npm_config_${flag.replaceAll("-", "_")}`]: "true" });
    assert.equal(code, 2);
    assert.match(err, new RegExp(`^${script}: npm kept --${flag} for itself .*; run: npm run ${script} -- --${flag}\\n$`));
  });
}
