// Every switch the docs offer can be turned on, as a user turns it on, and changes what the stack does:
// the documented keys whose default is off (docs/configuration.md) each have a case here that sets it on the
// stack with every switch off and runs the program and the renderer; and every block a
// committed Pulumi.<env>.yaml offers in comments ("then uncomment"), uncommented with the secrets its comment
// names set, is a valid stack that runs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import yaml from "js-yaml";
import { listStacks, readStackConfigFile } from "../../infra/config/index.ts";
import { main as render } from "../../stacks/render.ts";
import { runInProcess } from "../support/in-process.ts";
import { ROOT } from "../support/paths.ts";
import { runStack, type StackRun } from "../support/pulumi-mocks.ts";

const secret = (name: string) => ({ [`flux-gitops:${name}`]: { secure: `mock-${name}-value` } });
/** Everything off: only the required keys (a stack as `pulumi stack init` plus the two it must set). */
const BASE: Record<string, unknown> = {
  "github:owner": "remla25-team3",
  "flux-gitops:repository": { owner: "remla25-team3", name: "flux-gitops" },
  "flux-gitops:kubernetes": { version: "1.32.4" },
};
const IMAGE_CONTROLLERS = { componentsExtra: ["image-reflector-controller", "image-automation-controller"] };

/** Each documented switch (a key whose default is off), and the config that turns it on. */
const SWITCHES: Record<string, Record<string, unknown>> = {
  "flux-gitops:production": { "flux-gitops:production": true },
  "flux-gitops:flux.install": { "flux-gitops:flux": { install: "operator" } },
  "flux-gitops:flux.multitenancy.noCrossNamespaceRefs": { "flux-gitops:flux": { multitenancy: { noCrossNamespaceRefs: true } } },
  "flux-gitops:flux.multitenancy.noRemoteBases": { "flux-gitops:flux": { multitenancy: { noRemoteBases: true } } },
  "flux-gitops:flux.keepOnDestroy": { "flux-gitops:flux": { keepOnDestroy: true } },
  "flux-gitops:imageAutomation.enabled": { "flux-gitops:flux": IMAGE_CONTROLLERS, "flux-gitops:imageAutomation": { enabled: true } },
  "flux-gitops:notifications.githubStatus": { ...secret("githubStatusToken"), "flux-gitops:notifications": { githubStatus: true } },
  "flux-gitops:notifications.slack.channel": {
    ...secret("slackWebhookUrl"),
    "flux-gitops:notifications": { slack: { channel: "#deploys" } },
  },
  "flux-gitops:notifications.teams": { ...secret("teamsWebhookUrl"), "flux-gitops:notifications": { teams: true } },
  "flux-gitops:notifications.generic": { ...secret("genericWebhookUrl"), "flux-gitops:notifications": { generic: true } },
  "flux-gitops:receiver.enabled": { "flux-gitops:receiver": { enabled: true, ingress: { host: "flux-webhook.dev.example.com" } } },
};

/** Keys docs/configuration.md documents with default `false` or `off` (a `flux.install`: `helm` row counts: its other value is a switch). */
function documentedSwitches(): string[] {
  const docs = readFileSync(join(ROOT, "docs/configuration.md"), "utf8");
  const keys: string[] = [];
  for (const m of docs.matchAll(/^\| `(flux-gitops:[^`]+)`[^|]*\| (`false`|off|`helm`) \|/gm)) keys.push(m[1]!);
  return keys.sort();
}

test("every documented switch has a case here", () => {
  assert.deepEqual(documentedSwitches(), Object.keys(SWITCHES).sort());
});

const signature = (run: StackRun) =>
  JSON.stringify(
    run.registrations.map((r) => [r.type, r.name, r.inputs, r.retainOnDelete]).sort((a, b) => String(a[1]).localeCompare(String(b[1]))),
  );

let baseline: Promise<StackRun> | undefined;

for (const [key, config] of Object.entries(SWITCHES)) {
  test(`${key} on: pulumi up registers something else, and npm run render takes the stack file`, async (t) => {
    // One run at a time: the mocks are process-wide.
    const off = await (baseline ??= runStack("dev", { replaceConfig: BASE }));
    const on = await runStack("dev", { replaceConfig: { ...BASE, ...config } });
    assert.ok(signature(on) !== signature(off), `${key} changed nothing the program registers`);

    const root = mkdtempSync(join(tmpdir(), "switch-"));
    t.after(() => rmSync(root, { recursive: true, force: true }));
    writeFileSync(join(root, "Pulumi.dev.yaml"), yaml.dump({ config: { ...BASE, ...config } }));
    const r = await runInProcess(render, ["--root", root]);
    assert.equal(r.code, 0, r.stderr);
  });
}

/** A stack file with its commented-out `flux-gitops:` blocks uncommented and the secrets its comments name set. */
export function uncommented(text: string): { text: string; blocks: string[]; secrets: string[] } {
  const out: string[] = [];
  const blocks: string[] = [];
  // A key the file sets already (the user turned it on) stays as set; its commented offer is left a comment.
  const set = new Set(Object.keys((yaml.load(text) as { config?: Record<string, unknown> } | undefined)?.config ?? {}));
  let open = false;
  for (const line of text.split("\n")) {
    const start = /^(\s*)# (flux-gitops:[A-Za-z.]+:.*)$/.exec(line);
    const more = /^(\s*)# ( {2,}\S.*)$/.exec(line);
    if (start && set.has(start[2]!.split(":").slice(0, 2).join(":"))) {
      open = false;
      out.push(line);
    } else if (start) {
      out.push(`${start[1]}${start[2]}`);
      blocks.push(start[2]!.split(":")[1]!);
      open = true;
    } else if (open && more) out.push(`${more[1]}${more[2]}`);
    else {
      open = false;
      out.push(line);
    }
  }
  const secrets = [...new Set([...text.matchAll(/pulumi config set --secret (flux-gitops:[A-Za-z]+)/g)].map((m) => m[1]!))];
  const doc = yaml.load(out.join("\n")) as { config: Record<string, unknown> };
  for (const key of secrets) doc.config[key] ??= { secure: `mock-${key}` };
  return { text: yaml.dump(doc), blocks, secrets };
}

test("a key the file sets already keeps its value; its commented offer stays a comment", () => {
  const { text, blocks } = uncommented(
    "config:\n  flux-gitops:notifications:\n    teams: true\n  # flux-gitops:notifications:\n  #   githubStatus: true\n",
  );
  assert.deepEqual(blocks, []);
  assert.deepEqual((yaml.load(text) as { config: Record<string, unknown> }).config["flux-gitops:notifications"], { teams: true });
});

test("the uncommenting sees blocks and continuation lines, not prose", () => {
  const { text, blocks, secrets } = uncommented(
    [
      "config:",
      "  flux-gitops:repository: { owner: a, name: b }",
      "  # Turn it on: pulumi config set --secret flux-gitops:githubStatusToken <token>",
      "  # then uncomment:",
      "  # flux-gitops:notifications:",
      "  #   githubStatus: true",
      "  # not part of it",
      "",
    ].join("\n"),
  );
  assert.deepEqual(blocks, ["notifications"]);
  assert.deepEqual(secrets, ["flux-gitops:githubStatusToken"]);
  assert.deepEqual((yaml.load(text) as { config: Record<string, unknown> }).config["flux-gitops:notifications"], { githubStatus: true });
});

for (const stack of listStacks(ROOT)) {
  test(`Pulumi.${stack}.yaml: what its comments offer to uncomment is a valid stack that runs`, async (t) => {
    const { text, blocks } = uncommented(readFileSync(join(ROOT, `Pulumi.${stack}.yaml`), "utf8"));
    if (blocks.length === 0) return t.diagnostic(`Pulumi.${stack}.yaml offers nothing in comments`);
    const dir = mkdtempSync(join(tmpdir(), "uncommented-"));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, `Pulumi.${stack}.yaml`), text);
    assert.doesNotThrow(() => readStackConfigFile(join(dir, `Pulumi.${stack}.yaml`), stack));
    const doc = yaml.load(text) as { config: Record<string, unknown> };
    const run = await runStack(stack, { replaceConfig: doc.config });
    assert.ok(run.registrations.length > 0);
  });
}
