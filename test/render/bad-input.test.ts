// Invalid release definitions and stack settings through the render CLI itself (its main(argv, io), in
// this process): one line on stderr, exit 1 (2 for bad flags), no stack trace, and not a byte changed in
// the repository — even when the other environment is valid. Definitions are broken by
// test/support/bad-definitions.ts, per repository root.
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { breakDefinitions, MISTAKES, renderCli } from "../support/bad-definitions.ts";
import { runInProcess, type CliRun } from "../support/in-process.ts";
import { ROOT } from "../support/paths.ts";
import { copyTestStacks } from "../support/stacks.ts";

const REPO = ROOT;
const main = await renderCli();

/** The render CLI on `args`; with a mistake, the definitions of the `--root` given (args[1]) are broken first. */
function render(args: string[], mistake?: keyof typeof MISTAKES): Promise<CliRun> {
  if (mistake !== undefined) breakDefinitions(args[1]!, mistake);
  return runInProcess(main, args);
}

/** Every file under `dir` (relative path → content). */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const path = join(entry.parentPath, entry.name);
    out.set(relative(dir, path), entry.isFile() ? readFileSync(path, "utf8") : "<dir>");
  }
  return out;
}

/**
 * A repository root rendered once and then drifted (a stale prod file, a missing dev file), so a
 * render that wrote anything at all would show in the snapshot. Each test gets a copy.
 */
const TEMPLATE = mkdtempSync(join(tmpdir(), "bad-render-template-"));
after(() => rmSync(TEMPLATE, { recursive: true, force: true }));
copyTestStacks(TEMPLATE);
assert.equal((await render(["--root", TEMPLATE])).code, 0);
appendFileSync(join(TEMPLATE, "cluster/prod/apps/helmrelease_flux-system_remla-app.yaml"), "# drifted\n");
rmSync(join(TEMPLATE, "cluster/dev/infrastructure/controllers/namespace_monitoring.yaml"));

function renderedRoot(t: { after(fn: () => void): void }): string {
  const root = mkdtempSync(join(tmpdir(), "bad-render-"));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  cpSync(TEMPLATE, root, { recursive: true });
  return root;
}

function assertOneLineFailure(r: CliRun, code: number, line: RegExp): void {
  assert.equal(r.code, code, r.stderr);
  assert.equal(r.stdout, "");
  assert.doesNotMatch(r.stderr, /\n\s+at |node:internal|Error:/, "no stack trace");
  assert.match(r.stderr, /^render: [^\n]+\n$/, `exactly one line: ${JSON.stringify(r.stderr)}`);
  assert.match(r.stderr, line);
}

const ENV = 'render: environment "prod"';
const EXPECTED: Record<keyof typeof MISTAKES, RegExp> = {
  "bad name":
    /^render: environment "prod", layer infrastructure\/controllers: HelmRelease flux-system\/Remla_App: metadata\.name "Remla_App" is not a valid object name/,
  "bad namespace": /GitRepository Flux System\/metallb: metadata\.namespace "Flux System" is not a valid namespace/,
  "bad interval": /GitRepository flux-system\/metallb: spec\.interval "5 minutes" is not a duration/,
  "bad timeout": /HelmRelease flux-system\/metallb: spec\.timeout "soon" is not a duration/,
  "not in the CRD enum": /spec\.upgrade\.remediation\.strategy must be one of "rollback", "uninstall"/,
  "required field missing": /GitRepository flux-system\/metallb: spec\.url is required/,
  "wrong type": /spec\.install\.remediation\.retries must be integer/,
  "source without a name": /^render: a GitRepository that a definition refers to has no metadata\.name\n$/,
  "plaintext Secret": /Secret remla\/db is a plaintext Secret; encrypt it with SOPS first/,
  "duplicate object":
    /layer infrastructure\/controllers: GitRepository flux-system\/metallb is defined twice \(both render to gitrepository_flux-system_metallb\.yaml\)/,
  "values that cannot be YAML":
    /HelmRelease flux-system\/metallb cannot be written as YAML: unacceptable kind of an object to dump \[object Function\]/,
};

test("every mistake test/support/bad-definitions.ts can make has an expected line", () => {
  assert.deepEqual(Object.keys(EXPECTED).sort(), Object.keys(MISTAKES).sort());
});

describe("invalid definitions", () => {
  for (const mistake of Object.keys(MISTAKES)) {
    test(`${mistake}: one line, exit 1, nothing written`, async (t) => {
      const root = renderedRoot(t);
      const before = snapshot(root);
      const r = await render(["--root", root], mistake as keyof typeof MISTAKES);
      assertOneLineFailure(r, 1, EXPECTED[mistake]!);
      if (mistake !== "source without a name") assert.ok(r.stderr.startsWith(ENV), r.stderr);
      assert.deepEqual(snapshot(root), before, "the repository is untouched");
    });
  }

  test("--check reports a definition error the same way, rather than a list of stale files", async (t) => {
    const root = renderedRoot(t);
    assertOneLineFailure(await render(["--root", root, "--check"], "bad interval"), 1, EXPECTED["bad interval"]!);
  });
});

// [what is wrong, change to the root before rendering, expected line]
const BAD_SETTINGS: [string, (root: string) => void, (root: string) => RegExp][] = [
  [
    "syncPath is a file",
    (root) => {
      writeFileSync(join(root, "cluster/notes.txt"), "hand-written\n");
      appendFileSync(join(root, "Pulumi.dev.yaml"), "  flux-gitops:syncPath: cluster/notes.txt\n");
    },
    () => /^render: cluster\/notes\.txt is not a folder \(a file is in the way\)/,
  ],
  [
    "syncPath lies under a file",
    (root) => {
      writeFileSync(join(root, "cluster/notes.txt"), "hand-written\n");
      appendFileSync(join(root, "Pulumi.dev.yaml"), "  flux-gitops:syncPath: cluster/notes.txt/dev\n");
    },
    () => /^render: cluster\/notes\.txt is not a folder \(a file is in the way\)/,
  ],
  [
    "syncPath is a source folder (stacks/)",
    (root) => {
      mkdirSync(join(root, "stacks"));
      writeFileSync(join(root, "stacks/program.ts"), "// source\n");
      appendFileSync(join(root, "Pulumi.dev.yaml"), "  flux-gitops:syncPath: stacks\n");
    },
    (root) =>
      new RegExp(`^render: ${join(root, "Pulumi.dev.yaml")}: flux-gitops:syncPath must lie below cluster/ \\(e\\.g\\. cluster/dev\\)`),
  ],
  [
    "two stacks render to one folder",
    (root) => appendFileSync(join(root, "Pulumi.prod.yaml"), "  flux-gitops:syncPath: ./cluster/dev/\n"),
    () => /^render: environments "dev" and "prod" both render to cluster\/dev\n$/,
  ],
  [
    "syncPath is the repository root",
    (root) => appendFileSync(join(root, "Pulumi.dev.yaml"), "  flux-gitops:syncPath: .\n"),
    (root) => new RegExp(`^render: ${join(root, "Pulumi.dev.yaml")}: flux-gitops:syncPath must name a folder below the repository root`),
  ],
  [
    "stack file is not YAML",
    (root) => writeFileSync(join(root, "Pulumi.dev.yaml"), "config:\n  flux-gitops:repository: {owner: a\n"),
    (root) => new RegExp(`^render: ${join(root, "Pulumi.dev.yaml")}: cannot read stack config: `),
  ],
  [
    "stack file config is a list",
    (root) => writeFileSync(join(root, "Pulumi.dev.yaml"), "config:\n  - flux-gitops:repository\n"),
    (root) => new RegExp(`^render: ${join(root, "Pulumi.dev.yaml")}: 'config' must be a mapping of keys to values\\n$`),
  ],
  [
    "stack file is empty",
    (root) => writeFileSync(join(root, "Pulumi.dev.yaml"), ""),
    (root) => new RegExp(`^render: ${join(root, "Pulumi.dev.yaml")}: flux-gitops:repository is required\\n$`),
  ],
  [
    "stack file is a folder",
    (root) => {
      rmSync(join(root, "Pulumi.dev.yaml"));
      mkdirSync(join(root, "Pulumi.dev.yaml"));
    },
    (root) => new RegExp(`^render: ${join(root, "Pulumi.dev.yaml")}: cannot read stack config: EISDIR`),
  ],
  [
    "generated file name taken by a folder",
    (root) => {
      rmSync(join(root, "cluster/dev/kustomization.yaml"));
      mkdirSync(join(root, "cluster/dev/kustomization.yaml"));
    },
    () => /^render: cluster\/dev\/kustomization\.yaml is not a generated file/,
  ],
];

describe("bad settings and flags", () => {
  for (const [what, change, expected] of BAD_SETTINGS) {
    test(`${what}: one line, exit 1, nothing written`, async (t) => {
      const root = renderedRoot(t);
      change(root);
      const before = snapshot(root);
      assertOneLineFailure(await render(["--root", root]), 1, expected(root));
      assert.deepEqual(snapshot(root), before, "the repository is untouched");
    });
  }

  test("bad flags: one line with the usage, exit 2, nothing written", async (t) => {
    const root = renderedRoot(t);
    const before = snapshot(root);
    const runs = await Promise.all(
      [["--root"], ["--root", root, "cluster/dev"], ["--check=yes", "--root", root], ["-x"]].map((args) => render(args)),
    );
    for (const r of runs) assertOneLineFailure(r, 2, /\(usage: npm run render \[-- --check\] \[--reset-image-tags\] \[--root DIR\]\)\n$/);
    assert.deepEqual(snapshot(root), before);
  });
});

test("the broken definitions stayed with their roots: a clean root still renders the committed files", async (t) => {
  const root = mkdtempSync(join(tmpdir(), "bad-render-clean-"));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  copyTestStacks(root);
  assert.equal((await render(["--root", root])).code, 0);
  for (const env of ["dev", "prod"]) {
    const rendered = snapshot(join(root, "cluster", env));
    assert.deepEqual(rendered, snapshot(join(REPO, "cluster", env)), env);
  }
});
