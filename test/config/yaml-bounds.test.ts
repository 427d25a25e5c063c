// Alias bombs (issue 23): a 2 KB Pulumi.<env>.yaml whose aliases expand to 10^8 nodes, under any key,
// ends `npm run render` and `npm run policy` in one line naming the file, within a second, exit non-zero;
// so does a bomb in a cluster file or a kustomization the policy checker reads. The bound (infra/yaml.ts)
// is checked on js-yaml's shared references before anything copies or walks them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import yaml from "js-yaml";
import { readStackConfigFile } from "../../infra/config/index.ts";
import { assertBounded, loadAllBounded, YAML_LIMITS, YamlLimitError } from "../../infra/yaml.ts";
import { main as policy } from "../../policies/cli.ts";
import { main as render } from "../../stacks/render.ts";
import { runInProcess } from "../support/in-process.ts";
import { ROOT } from "../support/paths.ts";
import { copyTestStacks, TEST_STACKS, testStackFile } from "../support/stacks.ts";

const STACK =
  "config:\n  github:owner: acme\n  flux-gitops:kubernetes: {version: 1.32.4}\n  flux-gitops:repository: {owner: acme, name: platform}\n";

/** Anchors a0..a<levels>, each 10 references to the one before: a<levels> alone is 10^(levels+1) leaves. */
function bomb(indent: string, levels = 7): string {
  const lines = [`${indent}a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]`];
  for (let i = 1; i <= levels; i++)
    lines.push(
      `${indent}a${i}: &a${i} [${Array(10)
        .fill(`*a${i - 1}`)
        .join(", ")}]`,
    );
  return `${lines.join("\n")}\n`;
}

function repo(t: { after(fn: () => void): void }, stackFile: string): string {
  const root = mkdtempSync(join(tmpdir(), "yaml-bomb-"));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  writeFileSync(join(root, "Pulumi.dev.yaml"), stackFile);
  return root;
}

/** Where a bomb can sit in a stack file: an unknown flux-gitops key, inside a known one, another provider's key. */
const PLACES: [string, string][] = [
  ["an unknown flux-gitops key", `  flux-gitops:zz:\n${bomb("    ")}`],
  ["inside flux-gitops:flux", `  flux-gitops:flux:\n    install: flux2\n    extra:\n${bomb("      ")}`],
  ["another provider's key", `  aws:tags:\n${bomb("    ")}`],
];

test("the bomb files are small and really expand to 10^8 leaves", () => {
  for (const [, body] of PLACES) assert.ok(Buffer.byteLength(STACK + body) < 2048, "2 KB");
  // 10^(levels) leaves: count the expansion of a 4-level copy by walking it, then the bound's own count agrees.
  const small = yaml.load(bomb("", 3)) as Record<string, unknown>;
  assert.equal(JSON.stringify(small.a3).match(/lol/g)!.length, 10 ** 4);
  assert.throws(() => assertBounded(yaml.load(bomb("", 7))), YamlLimitError);
});

for (const [where, body] of PLACES) {
  test(`npm run render: a 2 KB alias bomb under ${where} of Pulumi.dev.yaml is one line naming the file, within a second`, async (t) => {
    const root = repo(t, STACK + body);
    for (const args of [
      ["--root", root],
      ["--check", "--root", root],
    ]) {
      const started = performance.now();
      const run = await runInProcess(render, args);
      const elapsed = performance.now() - started;
      assert.equal(run.code, 1, run.stderr);
      assert.equal(run.stdout, "");
      assert.equal(
        run.stderr,
        `render: ${join(root, "Pulumi.dev.yaml")}: cannot read stack config: YAML expands to more than ${YAML_LIMITS.maxNodes} nodes through aliases (an alias bomb?)\n`,
      );
      assert.ok(elapsed < 1000, `${elapsed} ms`);
      assert.deepEqual(readdirSync(root), ["Pulumi.dev.yaml"], "nothing written");
    }
  });

  test(`npm run policy: a 2 KB alias bomb under ${where} of Pulumi.dev.yaml names the file, within a second, exit 2`, async (t) => {
    const root = repo(t, STACK + body);
    const started = performance.now();
    const run = await runInProcess(policy, ["--root", root]);
    const elapsed = performance.now() - started;
    assert.equal(run.code, 2, run.stderr);
    const [line, summary, ...rest] = run.stderr.split("\n");
    assert.match(
      line!,
      /^Pulumi\.dev\.yaml: .*Pulumi\.dev\.yaml: cannot read stack config: YAML expands to more than \d+ nodes through aliases/,
    );
    assert.match(summary!, /^policy: 0 mandatory, 0 advisory finding\(s\), 1 unreadable file\(s\)/);
    assert.deepEqual(rest, [""]);
    assert.ok(elapsed < 1000, `${elapsed} ms`);
  });
}

test("a recursive alias in a stack file (js-yaml builds a collection inside itself) is one line too", async (t) => {
  const root = repo(t, `${STACK}  flux-gitops:zz: &self\n    again: *self\n`);
  const run = await runInProcess(render, ["--root", root]);
  assert.equal(run.code, 1);
  assert.equal(
    run.stderr,
    `render: ${join(root, "Pulumi.dev.yaml")}: cannot read stack config: YAML holds a recursive alias (a collection inside itself)\n`,
  );
});

test("npm run policy PATHS: a bomb in a cluster file or a kustomization is one error line naming it, within a second", async (t) => {
  const root = repo(t, STACK);
  const dir = join(root, "cluster", "dev");
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, "kustomization.yaml"),
    `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [app.yaml]\nx:\n${bomb("  ")}`,
  );
  writeFileSync(join(dir, "app.yaml"), `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app, namespace: web}\ndata:\n${bomb("  ")}`);
  const started = performance.now();
  const run = await runInProcess(policy, ["--root", root, "cluster"]);
  const elapsed = performance.now() - started;
  assert.equal(run.code, 2, run.stderr);
  const refused = `refused: YAML expands to more than ${YAML_LIMITS.maxNodes} nodes through aliases (an alias bomb?)`;
  const lines = run.stderr.trimEnd().split("\n");
  assert.deepEqual(lines.slice(0, -1).sort(), [`cluster/dev/app.yaml: ${refused}`, `cluster/dev/kustomization.yaml: ${refused}`]);
  assert.match(lines.at(-1)!, /^policy: .* 2 unreadable file\(s\)/);
  assert.ok(elapsed < 1000, `${elapsed} ms`);
});

test("the bound counts each reference: expanded size and aliases of collections over their limits, recursion refused", () => {
  const doc = yaml.load(bomb("", 3)); // a3 alone expands to 11111 nodes; the 30 references to a0..a2 are aliases
  assert.doesNotThrow(() => assertBounded(doc, { maxNodes: 20_000, maxAliases: 30 }));
  assert.throws(() => assertBounded(doc, { maxNodes: 10_000, maxAliases: 30 }), /more than 10000 nodes/);
  assert.throws(() => assertBounded(doc, { maxNodes: 20_000, maxAliases: 29 }), /more than 29 aliases of collections/);
  // Without aliases nothing is shared: a plain document of many nodes counts each once.
  assert.doesNotThrow(() => assertBounded(yaml.load(`[${Array(5000).fill("x").join(", ")}]`), { maxNodes: 5001, maxAliases: 0 }));
  assert.throws(() => assertBounded(yaml.load(`[${Array(5001).fill("x").join(", ")}]`), { maxNodes: 5001, maxAliases: 0 }), /5001 nodes/);
  // A shared scalar (a string alias) is one node per reference, never a collection alias.
  assert.doesNotThrow(() => assertBounded(yaml.load("a: &s text\nb: [*s, *s, *s]"), { maxNodes: 10, maxAliases: 0 }));
  // Timestamps and !!binary are scalars, not collections to walk.
  assert.doesNotThrow(() =>
    assertBounded(yaml.load(`a: 2026-12-03\nb: !!binary ${Buffer.alloc(3000).toString("base64")}`), { maxNodes: 5, maxAliases: 0 }),
  );
  assert.throws(() => assertBounded(yaml.load("- &a [x, *a]")), /recursive alias/);
  // Deep nesting does not overflow the stack.
  assert.doesNotThrow(() => assertBounded(JSON.parse(`${"[".repeat(100_000)}${"]".repeat(100_000)}`)));
});

test("what the project reads stays well inside the limits: merge keys, the stack files, every cluster file", () => {
  const merged = yaml.load("base: &base {a: 1, b: {c: 2}}\nx: {<<: *base, d: 3}\ny: {<<: *base}\n");
  assert.doesNotThrow(() => assertBounded(merged));
  for (const env of TEST_STACKS) assert.doesNotThrow(() => readStackConfigFile(testStackFile(env), env));
  const root = join(ROOT, "cluster");
  const files = (readdirSync(root, { recursive: true }) as string[]).filter((f) => f.endsWith(".yaml"));
  assert.ok(files.length > 20);
  for (const f of files) assert.doesNotThrow(() => loadAllBounded(readFileSync(join(root, f), "utf8")), f);
});

test("npm run policy (graph mode): a bomb in a cluster file is refused before kubectl kustomize reads it", async (t) => {
  // kustomize would expand the aliases when it writes the build (a hang past 60 s, seen on the issue's repro).
  const root = mkdtempSync(join(tmpdir(), "yaml-bomb-graph-"));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  copyTestStacks(root);
  assert.equal((await runInProcess(render, ["--root", root])).code, 0);
  const file = `cluster/dev/apps/${readdirSync(join(root, "cluster/dev/apps")).find((f) => f.startsWith("helmrelease_"))!}`;
  const text = readFileSync(join(root, file), "utf8");
  assert.ok(text.includes("\nspec:\n"));
  writeFileSync(join(root, file), text.replace("\nspec:\n", `\nspec:\n  x:\n${bomb("    ")}`));
  const started = performance.now();
  const run = await runInProcess(policy, ["--root", root, "--env", "dev"]);
  const elapsed = performance.now() - started;
  assert.equal(run.code, 2, run.stderr);
  assert.match(
    run.stderr,
    new RegExp(
      `^${file.replace(/[./]/g, "\\$&")}: refused: YAML expands to more than ${YAML_LIMITS.maxNodes} nodes through aliases \\(an alias bomb\\?\\) \\(Kustomization flux-system/flux-system builds it with kustomize\\)\n`,
    ),
  );
  assert.ok(elapsed < 20_000, `${elapsed} ms`);
});
