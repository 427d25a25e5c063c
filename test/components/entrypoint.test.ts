// Starts the entry point the way `pulumi up` does — a separate node process with exactly the
// runtime options of Pulumi.yaml — so a loader or ESM mistake that would break `pulumi up`
// fails here too.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import yaml from "js-yaml";
import { ROOT } from "../support/pulumi-mocks.ts";

interface ProjectFile {
  main: string;
  runtime: { name: string; options?: { typescript?: boolean; nodeargs?: string } };
}

const project = yaml.load(readFileSync(join(ROOT, "Pulumi.yaml"), "utf8")) as ProjectFile;

test("Pulumi.yaml runs the TypeScript entry with Node's own type stripping", () => {
  assert.equal(project.runtime.name, "nodejs");
  assert.equal(project.runtime.options?.typescript, false, "Pulumi's ts-node must stay off: node runs the .ts itself");
  assert.ok(existsSync(join(ROOT, project.main)), `main ${project.main} must exist`);
});

for (const stack of ["dev", "prod"]) {
  test(`${stack}: the entry point registers the stack in a fresh node process`, () => {
    const out = join(mkdtempSync(join(tmpdir(), "flux-gitops-entry-")), "registrations.jsonl");
    const nodeargs = (project.runtime.options?.nodeargs ?? "").split(/\s+/).filter(Boolean);
    const child = spawnSync(process.execPath, [...nodeargs, "--import", "./test/support/preload-mocks.ts", project.main], {
      cwd: ROOT,
      encoding: "utf8",
      timeout: 60_000,
      env: { ...process.env, PULUMI_NODEJS_TYPESCRIPT: "false", FLUX_GITOPS_MOCK_STACK: stack, FLUX_GITOPS_MOCK_OUT: out },
    });
    assert.equal(child.status, 0, `entry point failed:\n${child.stderr}`);
    const registered = readFileSync(out, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l).type as string);
    for (const type of [
      "flux-gitops:index:FluxGitOps",
      "tls:index/privateKey:PrivateKey",
      "github:index/repositoryDeployKey:RepositoryDeployKey",
      "kubernetes:helm.sh/v3:Release",
      "kubernetes:core/v1:Secret",
      "kubernetes:source.toolkit.fluxcd.io/v1:GitRepository",
      "kubernetes:kustomize.toolkit.fluxcd.io/v1:Kustomization",
    ]) {
      assert.ok(registered.includes(type), `${type} was not registered; got ${registered.join(", ")}`);
    }
  });
}
