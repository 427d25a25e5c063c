// The contract the stack, the renderer and the policies share: a stack that moves Flux to another
// namespace and syncs another folder passes every mandatory rule through both front ends, because
// the rules read the namespace and the sync path from the stack config, not from constants.
import { test } from "node:test";
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import yaml from "js-yaml";
import { readStackConfigFile, stackConfigFile } from "../../infra/config/index.ts";
import { syncManifests } from "../../infra/flux/sync.ts";
import { auditMetadata } from "../../infra/metadata.ts";
import { toYaml } from "../../infra/render/write.ts";
import { checkPaths } from "../../policies/paths.ts";
import { resolveConfig } from "../../policies/config.ts";
import { rules } from "../../policies/rules/index.ts";
import { main as render } from "../../stacks/render.ts";
import { PACK_DIR, PolicyPackProcess, analyzerInput, type AnalyzerInput } from "../support/analyzer-client.ts";
import { ROOT } from "../support/paths.ts";
import { runUnderCmdRun } from "../support/engine.ts";
import { stackConfig } from "../support/pulumi-mocks.ts";
import { testStackFile } from "../support/stacks.ts";

const projectConfig = JSON.parse(readFileSync(join(PACK_DIR, "config.json"), "utf8")) as Record<string, unknown>;
const MOVED = { namespace: "flux", syncPath: "cluster/moved/dev" };
/** Sources are trusted by identity: with Flux moved, the config names the moved namespace. */
const movedPolicyConfig = JSON.parse(
  JSON.stringify(projectConfig).replaceAll('"namespace":"flux-system"', `"namespace":"${MOVED.namespace}"`),
) as Record<string, unknown>;

/** Pulumi.dev.yaml's config with Flux in namespace `flux`, syncing `cluster/moved/dev`. */
function movedConfig(): Record<string, unknown> {
  const config = stackConfig("dev");
  return {
    ...config,
    "flux-gitops:flux": { ...(config["flux-gitops:flux"] as object), namespace: MOVED.namespace },
    "flux-gitops:syncPath": MOVED.syncPath,
  };
}

test("pack: a dev stack with flux.namespace flux and syncPath cluster/moved/dev is clean", async () => {
  const config = movedConfig();
  // Through cmd/run: the URNs the engine builds (the automation's key is checked by its place in the stack).
  const run = await runUnderCmdRun({ stack: "dev", dryRun: true, config });
  assert.equal(run.code, 0, run.stderr);
  const sync = run.engine.one("kubernetes:kustomize.toolkit.fluxcd.io/v1:Kustomization");
  assert.equal(sync.inputs.metadata.namespace, MOVED.namespace);
  assert.equal(sync.inputs.spec.path, `./${MOVED.syncPath}`);
  const pack = await PolicyPackProcess.start("dev", config);
  try {
    await pack.configure(projectConfig);
    const resources: AnalyzerInput[] = run.engine.registrations.map(analyzerInput);
    assert.deepEqual(await pack.analyzeAll(resources), []);
  } finally {
    await pack.close();
  }
});

test("YAML checker: the same stack's rendered folder is clean; its sync objects committed beside it are reported (Pulumi owns them)", async () => {
  const root = mkdtempSync(join(tmpdir(), "flux-gitops-contract-"));
  try {
    for (const f of ["Pulumi.yaml", "Pulumi.dev.yaml", "Pulumi.prod.yaml"]) cpSync(join(ROOT, f), join(root, f));
    const file = stackConfigFile(root, "dev");
    const doc = yaml.load(readFileSync(file, "utf8")) as { config: Record<string, unknown> };
    Object.assign(doc.config, movedConfig());
    writeFileSync(file, yaml.dump(doc));
    const out: string[] = [];
    const io = { out: (t: string) => void out.push(t), err: (t: string) => void out.push(t) };
    assert.equal(await render(["--root", root], io), 0, out.join(""));

    // The sync objects Pulumi creates, committed beside the rendered files as `flux bootstrap` would.
    const cfg = readStackConfigFile(file, "dev");
    const target = {
      url: "ssh://git@github.com/remla25-team3/flux-gitops",
      branch: "main",
      path: cfg.syncPath,
      gitInterval: "1m",
      kustomizationInterval: "10m",
      timeout: "5m",
      wait: false,
    };
    const { gitRepository, kustomization } = syncManifests(target, cfg.flux.namespace, auditMetadata(cfg));
    writeFileSync(join(root, MOVED.syncPath, "sync.yaml"), `${toYaml(gitRepository)}---\n${toYaml(kustomization)}`);

    const settings = resolveConfig(rules, movedPolicyConfig);
    const { findings, errors } = checkPaths([join(root, MOVED.syncPath)], settings, { root: root });
    assert.deepEqual(errors, []);
    // Pulumi owns the sync objects: committed to Git they are reported (they would redefine the sync), and
    // nothing else is: the rendered folder and the objects' own content agree with the moved stack config.
    assert.deepEqual(
      findings.filter((f) => f.level === "mandatory").map((f) => `${f.rule} ${f.kind} ${f.namespace}/${f.name}`),
      [`sync-not-in-git GitRepository ${MOVED.namespace}/flux-system`, `sync-not-in-git Kustomization ${MOVED.namespace}/flux-system`],
    );
    assert.ok(findings.every((f) => f.level === "advisory" || f.rule === "sync-not-in-git"));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("YAML checker: the sync folder that does not match the moved syncPath is still reported", () => {
  const root = mkdtempSync(join(tmpdir(), "flux-gitops-contract-"));
  try {
    cpSync(testStackFile("dev"), join(root, "Pulumi.dev.yaml"));
    const file = stackConfigFile(root, "dev");
    const doc = yaml.load(readFileSync(file, "utf8")) as { config: Record<string, unknown> };
    Object.assign(doc.config, movedConfig());
    writeFileSync(file, yaml.dump(doc));
    const cfg = readStackConfigFile(file, "dev");
    const wrong = { ...cfg, syncPath: { folder: "cluster/dev", flux: "./cluster/dev" } };
    const { kustomization } = syncManifests(
      {
        url: "ssh://git@github.com/remla25-team3/x",
        branch: "main",
        path: wrong.syncPath,
        gitInterval: "1m",
        kustomizationInterval: "10m",
        timeout: "5m",
        wait: false,
      },
      cfg.flux.namespace,
      auditMetadata(wrong),
    );
    writeFileSync(join(root, "sync.yaml"), toYaml(kustomization));
    const { findings } = checkPaths([join(root, "sync.yaml")], resolveConfig(rules, projectConfig), { root: root });
    assert.deepEqual(
      findings.map((f) => [f.rule, f.level]),
      [
        ["sync-path-matches-env", "mandatory"],
        ["sync-not-in-git", "mandatory"],
      ],
    );
    assert.match(findings[0]!.message, /must sync \.\/cluster\/moved\/dev/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
