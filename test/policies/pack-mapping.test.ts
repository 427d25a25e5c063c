// The pack's mapping of the rule set onto CrossGuard policies (policies/pack.ts), in-process: the shared
// case table and the stack rules called the way @pulumi/policy calls a policy, without the gRPC process.
// test/policies/pack.test.ts runs the same table through the real pack process; this file is the fast
// one the mutation run (`npm run mutation -- policies`) leans on, so every rule decision is asserted here.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import yaml from "js-yaml";
import type {
  ReportViolation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import { AUTOMATION_KEY_NAME, DEPLOY_KEY_TYPE, FLUX_INSTALL_TYPE, GITOPS_TYPE, IMAGE_AUTOMATION_TYPE } from "../../infra/contract.ts";
import { FLUX2_CHART, FLUX_OPERATOR_CHART, FLUX_VERSIONS } from "../../infra/flux/versions.ts";
import { checkPaths } from "../../policies/paths.ts";
import { resolveConfig } from "../../policies/config.ts";
import { fromPulumi, packPolicies, packStackFromEnv } from "../../policies/pack.ts";
import { rules } from "../../policies/rules/index.ts";
import { isFluxInstallRelease } from "../../policies/rules/stack.ts";
import { OWNER, caseName, caseType, cases, plain } from "../support/analyzer-cases.ts";

const PROJECT = "flux-gitops";
const DEPLOY_KEY_RESOURCE = "github:index/repositoryDeployKey:RepositoryDeployKey";

interface Resource {
  type: string;
  name: string;
  props: Record<string, unknown>;
  /** The parents' types, outermost first (the URN's type chain without the resource's own). */
  parents?: string[];
  /** The parent's resource name (its URN's last part). */
  parentName?: string;
  stack?: string;
}

const urnOf = (stack: string, types: string[], name: string) => `urn:pulumi:${stack}::${PROJECT}::${types.join("$")}::${name}`;

/** What @pulumi/policy hands validateResource: the resource, its parent's URN and the policy's config. */
function resourceArgs(r: Resource, config: Record<string, unknown> = {}): ResourceValidationArgs {
  const stack = r.stack ?? "dev";
  const parents = r.parents ?? [];
  const parent = parents.length > 0 ? urnOf(stack, parents, r.parentName ?? "parent") : undefined;
  return {
    type: r.type,
    name: r.name,
    urn: urnOf(stack, [...parents, r.type], r.name),
    props: r.props,
    opts: { parent, dependencies: [], protect: false, ignoreChanges: [], aliases: [], additionalSecretOutputs: [], customTimeouts: {} },
    getConfig: () => config,
    notApplicable: (reason?: string) => {
      throw new NotApplicable(reason ?? "");
    },
  } as unknown as ResourceValidationArgs;
}

class NotApplicable extends Error {}

/** The policies the pack announces, for a stack whose PULUMI_CONFIG is `config`. */
function policies(config: Record<string, unknown> = { "github:owner": OWNER }) {
  return packPolicies(rules, packStackFromEnv({ PULUMI_CONFIG: JSON.stringify(config) }));
}

/**
 * What @pulumi/policy's server makes of a report (makeReportViolationFun in its server.js, v1.21.0): a
 * message string at the policy's level, or a violation object carrying its own level.
 */
function violations(level: string, out: [string, string][]) {
  return (...args: unknown[]) => {
    assert.equal(args.length, 1, "a report is one message or one violation object (a second argument would be read as a URN)");
    const [v] = args as [string | { message: string; enforcementLevel?: string }];
    if (typeof v === "string") out.push([level, v]);
    else out.push([v.enforcementLevel ?? level, v.message.slice(v.message.indexOf("\n") + 1)]);
  };
}

/** The level the server gives a policy: the pack config's (remediate counts as mandatory), else the policy's own. */
function levelOf(policy: { name: string; enforcementLevel?: string }, policyConfig: Record<string, unknown>): string {
  const entry = policyConfig[policy.name];
  const configured = typeof entry === "string" ? entry : (entry as { enforcementLevel?: string } | undefined)?.enforcementLevel;
  const level = configured ?? (policyConfig.all as string | undefined) ?? policy.enforcementLevel!;
  return level === "remediate" ? "mandatory" : level;
}

/** Runs one resource through every enabled policy; returns `[policy, level, message]` per report. */
function analyze(r: Resource, policyConfig: Record<string, unknown> = {}, pulumiConfig?: Record<string, unknown>) {
  resolveConfig(rules, policyConfig); // a case's config must be one the checker accepts too
  const out: [string, string, string][] = [];
  for (const policy of policies(pulumiConfig)) {
    const level = levelOf(policy, policyConfig);
    if (level === "disabled" || !("validateResource" in policy)) continue;
    const entry = policyConfig[policy.name];
    const { enforcementLevel: _level, ...props } = typeof entry === "object" && entry !== null ? (entry as Record<string, unknown>) : {};
    const validate = (policy as ResourceValidationPolicy).validateResource as (a: ResourceValidationArgs, report: ReportViolation) => void;
    const reported: [string, string][] = [];
    try {
      validate(resourceArgs(r, props), violations(level, reported));
    } catch (e) {
      if (!(e instanceof NotApplicable)) throw e;
    }
    for (const [l, m] of reported) out.push([policy.name, l, m]);
  }
  return out;
}

/** Runs the stack policies over a whole stack; returns `[policy, message]` per report. */
function analyzeStack(resources: Resource[], pulumiConfig?: Record<string, unknown>) {
  const out: [string, string][] = [];
  for (const policy of policies(pulumiConfig)) {
    if (!("validateStack" in policy)) continue;
    const args = {
      resources: resources.map((r) => {
        const a = resourceArgs(r);
        return { ...a, propertyDependencies: {}, dependencies: [], isType: () => false, asType: () => undefined };
      }),
      getConfig: () => ({}),
    } as unknown as StackValidationArgs;
    const reported: [string, string][] = [];
    // The pack's stack policies report synchronously (policies/pack.ts): nothing to await.
    void (policy as StackValidationPolicy).validateStack!(args, violations(levelOf(policy, {}), reported));
    for (const [, m] of reported) out.push([policy.name, m]);
  }
  return out;
}

describe("every case of the shared table through the pack's policies", () => {
  for (const c of cases) {
    test(`${c.rule}: ${c.title}`, () => {
      const found = analyze(
        { type: caseType(c), name: caseName(c), props: plain(c.props), parents: c.parentType ? [c.parentType] : [], stack: c.env },
        c.config ?? {},
      );
      assert.deepEqual(
        found.map(([policy]) => policy),
        c.fires.includes("pulumi") ? [c.rule] : [],
        found.map(([, , m]) => m).join("\n"),
      );
      for (const [, level, message] of found) {
        assert.equal(level, c.level ?? rules.find((r) => r.name === c.rule)!.enforcementLevel);
        assert.match(message, /: /, "the message says how to fix it");
      }
    });
  }
});

// Every finding's wording, through both front ends, against a reviewed file: a message is what a user
// reads to fix the problem, so a change to one shows up in review. Regenerate after an intended change:
// UPDATE_FINDINGS=1 node --test test/policies/pack-mapping.test.ts
const FINDINGS = join(import.meta.dirname, "fixtures", "findings.txt");

test("every finding of the shared table reads as in test/policies/fixtures/findings.txt, in the pack and in the checker", (t) => {
  const project = mkdtempSync(join(tmpdir(), "findings-"));
  t.after(() => rmSync(project, { recursive: true, force: true }));
  for (const env of ["dev", "prod"]) writeFileSync(join(project, `Pulumi.${env}.yaml`), `config:\n  github:owner: ${OWNER}\n`);
  const lines: string[] = [];
  cases.forEach((c, i) => {
    lines.push(`${c.rule} | ${c.title}`);
    const props = plain(c.props);
    for (const [policy, level, message] of analyze(
      { type: caseType(c), name: caseName(c), props, parents: c.parentType ? [c.parentType] : [], stack: c.env },
      c.config ?? {},
    )) {
      lines.push(`  pulumi ${policy} ${level}: ${message}`);
    }
    if (c.type !== undefined) return;
    const dir = join(project, "cluster", c.env ?? "dev");
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `case-${i}.yaml`);
    writeFileSync(file, yaml.dump(props));
    const { findings } = checkPaths([file], resolveConfig(rules, c.config ?? {}), { root: project });
    for (const f of findings) lines.push(`  git ${f.rule} ${f.level}: ${f.message}`);
  });
  if (process.env.UPDATE_FINDINGS) {
    writeFileSync(FINDINGS, `${lines.join("\n")}\n`);
    assert.fail(`rewrote ${FINDINGS}: review the change, then run again without UPDATE_FINDINGS`);
  }
  assert.deepEqual(lines, readFileSync(FINDINGS, "utf8").trimEnd().split("\n"));
});

test("the pack announces every rule once, in order, with its description, level and config schema", () => {
  const announced = policies();
  assert.deepEqual(
    announced.map((p) => [p.name, p.description, p.enforcementLevel]),
    rules.map((r) => [r.name, r.description, r.enforcementLevel]),
  );
  for (const r of rules) assert.ok(r.description.length > 20 && r.description.endsWith("."), `${r.name}: a sentence describes it`);
  assert.deepEqual(announced.find((p) => p.name === "no-direct-helm")!.configSchema, {
    properties: { allowedNames: { type: "array", items: { type: "string" }, default: [] } },
  });
  assert.equal(announced.find((p) => p.name === "deploy-key-read-only")!.configSchema, undefined, "an empty schema is left out");
  // YAML-only rules are "not applicable" to Pulumi resources, with the reason.
  const yamlOnly = rules.filter((r) => !r.origins.includes("pulumi"));
  assert.ok(yamlOnly.length > 0);
  for (const r of yamlOnly) {
    const policy = announced.find((p) => p.name === r.name) as ResourceValidationPolicy;
    assert.throws(
      () => (policy.validateResource as (a: ResourceValidationArgs, report: () => void) => void)(resourceArgs(HELM("x")), () => {}),
      (e: Error) => e instanceof NotApplicable && /npm run policy/.test(e.message),
    );
  }
});

test("the rules' origins: the stack rules are Pulumi-only, the sync-in-Git and content rules YAML-only", () => {
  const origins = Object.fromEntries(rules.map((r) => [r.name, [...r.origins].sort().join(",")]));
  for (const name of ["no-direct-helm", "no-direct-workloads", "deploy-key-read-only", "one-write-key", "single-flux-install"]) {
    assert.equal(origins[name], "pulumi", name);
  }
  for (const name of ["sync-not-in-git", "content-verified", "no-plaintext-secrets"]) assert.equal(origins[name], "git", name);
  assert.equal(origins["git-source-allowed"], "git,pulumi");
});

// ---- no-direct-helm: only the Flux install's own, exactly pinned release is allowed ----

const fluxVersion = Object.values(FLUX_VERSIONS)[0]!;
const HELM = (name: string, props: Record<string, unknown> = {}): Resource => ({
  type: "kubernetes:helm.sh/v3:Release",
  name,
  props: { chart: "nginx", ...props },
});
const FLUX2 = (props: Record<string, unknown> = {}, name = "flux2"): Resource => ({
  ...HELM(name),
  props: { name, chart: FLUX2_CHART.name, version: fluxVersion.chart, repositoryOpts: { repo: FLUX2_CHART.repo }, ...props },
  parents: [GITOPS_TYPE, FLUX_INSTALL_TYPE],
});
const OPERATOR = (props: Record<string, unknown> = {}): Resource => ({
  ...HELM("flux-operator"),
  props: { name: "flux-operator", chart: FLUX_OPERATOR_CHART.url, version: "0.33.0", ...props },
  parents: [GITOPS_TYPE, FLUX_INSTALL_TYPE],
});
const subject = (r: Resource) => fromPulumi(resourceArgs(r));

test("no-direct-helm: the Flux install's flux2 and flux-operator releases pass, by exact identity", () => {
  assert.ok(isFluxInstallRelease(subject(FLUX2())));
  assert.ok(isFluxInstallRelease(subject(FLUX2({ name: undefined }))), "the release name defaults to the resource name");
  assert.ok(isFluxInstallRelease(subject(FLUX2({ repositoryOpts: { repo: `${FLUX2_CHART.repo}/` } }))), "a trailing slash is the same URL");
  assert.ok(isFluxInstallRelease(subject(OPERATOR())));
  assert.ok(isFluxInstallRelease(subject(OPERATOR({ version: "10.20.30" }))), "any exact version, digits of any length");
  assert.deepEqual(analyze(FLUX2()), []);
  assert.deepEqual(analyze(OPERATOR()), []);
  for (const [why, r] of [
    ["outside a FluxInstall", { ...FLUX2(), parents: [GITOPS_TYPE] }],
    ["another release name", FLUX2({ name: "nginx" })],
    ["another resource name", FLUX2({}, "flux3")],
    ["another resource name, the release still named flux2", { ...FLUX2(), name: "flux3" }],
    ["the operator's release name on another resource", { ...OPERATOR(), name: "operator" }],
    ["the operator at a tag-like version", OPERATOR({ version: "v0.33.0" })],
    ["another chart", FLUX2({ chart: "nginx" })],
    ["no repository", FLUX2({ repositoryOpts: undefined })],
    ["a repository under the pinned one", FLUX2({ repositoryOpts: { repo: `${FLUX2_CHART.repo}/evil` } })],
    ["a repository the pinned one is under", FLUX2({ repositoryOpts: { repo: new URL(FLUX2_CHART.repo).origin } })],
    ["an unpinned chart version", FLUX2({ version: "99.0.0" })],
    ["no chart version", FLUX2({ version: undefined })],
    ["a Chart, not a Release", { ...FLUX2(), type: "kubernetes:helm.sh/v4:Chart" }],
    ["the operator from a repository", OPERATOR({ repositoryOpts: { repo: "https://charts.example.com" } })],
    ["the operator at a range", OPERATOR({ version: "0.x" })],
    ["the operator at a pre-release", OPERATOR({ version: "0.33.0-rc.1" })],
    ["the operator without version", OPERATOR({ version: undefined })],
    ["the operator from another chart", OPERATOR({ chart: "oci://ghcr.io/evil/flux-operator" })],
    ["the operator named otherwise", OPERATOR({ name: "flux2" })],
  ] as [string, Resource][]) {
    assert.equal(isFluxInstallRelease(subject(r)), false, why);
    assert.deepEqual(
      analyze(r).map(([p]) => p),
      ["no-direct-helm"],
      why,
    );
  }
});

test("no-direct-helm: every Helm type is caught, allowedNames lets a named one through, other types pass", () => {
  for (const type of ["kubernetes:helm.sh/v3:Release", "kubernetes:helm.sh/v3:Chart", "kubernetes:helm.sh/v4:Chart"]) {
    const [finding] = analyze({ ...HELM("nginx"), type });
    assert.equal(finding?.[0], "no-direct-helm", type);
    assert.match(finding![2], new RegExp(`^${type.replaceAll(".", "\\.")} "nginx" deploys around Flux: .*cluster/<env>/.*allowedNames`));
  }
  assert.deepEqual(analyze(HELM("nginx"), { "no-direct-helm": { allowedNames: ["nginx"] } }), []);
  assert.deepEqual(
    analyze(HELM("nginx"), { "no-direct-helm": { allowedNames: ["other"] } }).map(([p]) => p),
    ["no-direct-helm"],
  );
  assert.deepEqual(analyze({ type: "kubernetes:helm.sh/v2:Release", name: "old", props: {} }), []);
});

// ---- no-direct-workloads ----

const workload = (type: string, namespace?: string, name = "web"): Resource => ({
  type,
  name,
  props: { metadata: { name, ...(namespace === undefined ? {} : { namespace }) } },
});

test("no-direct-workloads: every pod-creating kind and every Patch outside the Flux namespace; manifests applied by Pulumi", () => {
  const kinds = [
    "kubernetes:apps/v1:Deployment",
    "kubernetes:apps/v1:StatefulSet",
    "kubernetes:apps/v1:DaemonSet",
    "kubernetes:apps/v1:ReplicaSet",
    "kubernetes:core/v1:Pod",
    "kubernetes:core/v1:ReplicationController",
    "kubernetes:batch/v1:Job",
    "kubernetes:batch/v1:CronJob",
    "kubernetes:apps/v1:DeploymentPatch",
    "kubernetes:core/v1:ConfigMapPatch",
  ];
  for (const type of kinds) {
    const kind = type.split(":")[2]!;
    const [finding, ...more] = analyze(workload(type, "web"));
    assert.equal(more.length, 0, type);
    assert.equal(finding?.[0], "no-direct-workloads", type);
    assert.equal(finding![2].split(":")[0], `${kind} "web" is applied by Pulumi in namespace "web"`);
    assert.match(finding![2], /commit it under cluster\/<env>\//);
    assert.deepEqual(analyze(workload(type, "flux-system")), [], `${type} in flux-system`);
  }
  assert.match(analyze(workload("kubernetes:apps/v1:Deployment"))[0]![2], /in namespace "default"/, "no namespace is the default one");
  for (const type of [
    "kubernetes:core/v1:ConfigMap",
    "kubernetes:apps/v1:ControllerRevision",
    "kubernetes:batch/v1:Deployment",
    "custom:Pod",
  ]) {
    assert.deepEqual(analyze(workload(type, "web")), [], type);
  }
  // The Flux namespace comes from the stack's config, or the policy's own setting.
  const flux = { "flux-gitops:flux": JSON.stringify({ namespace: "flux" }), "github:owner": OWNER };
  assert.deepEqual(analyze(workload("kubernetes:apps/v1:Deployment", "flux"), {}, { ...flux, ...STACK_CONFIG }), []);
  assert.deepEqual(
    analyze(workload("kubernetes:apps/v1:Deployment", "flux-system"), {}, { ...flux, ...STACK_CONFIG }).map(([p]) => p),
    ["no-direct-workloads"],
  );
  assert.deepEqual(analyze(workload("kubernetes:apps/v1:Deployment", "ops"), { "no-direct-workloads": { fluxNamespace: "ops" } }), []);

  for (const type of [
    "kubernetes:yaml:ConfigFile",
    "kubernetes:yaml:ConfigGroup",
    "kubernetes:yaml/v2:ConfigFile",
    "kubernetes:yaml/v2:ConfigGroup",
    "kubernetes:kustomize:Directory",
    "kubernetes:kustomize/v2:Directory",
  ]) {
    const [finding] = analyze({ type, name: "manifests", props: {} });
    assert.equal(finding?.[0], "no-direct-workloads", type);
    assert.equal(
      finding![2],
      `${type} "manifests" applies manifests with Pulumi: move the files under cluster/<env>/ so Flux applies them from Git.`,
    );
    assert.deepEqual(analyze({ type, name: "manifests", props: { namespace: "flux-system" } }), [], `${type} into flux-system`);
  }
});

// ---- deploy keys ----

/** The smallest valid flux-gitops stack config, as PULUMI_CONFIG carries it (structured values as JSON). */
const STACK_CONFIG: Record<string, unknown> = {
  "flux-gitops:kubernetes": JSON.stringify({ version: "1.32.4" }),
  "flux-gitops:repository": JSON.stringify({ owner: OWNER, name: "gitops" }),
  "flux-gitops:deployKey": JSON.stringify({ readOnly: true }),
};
const AUTOMATION_ON = {
  ...STACK_CONFIG,
  "flux-gitops:imageAutomation": JSON.stringify({ enabled: true }),
  "flux-gitops:flux": JSON.stringify({ componentsExtra: ["image-reflector-controller", "image-automation-controller"] }),
};
const KEY_CHAIN = [GITOPS_TYPE, IMAGE_AUTOMATION_TYPE, DEPLOY_KEY_TYPE];

const deployKey = (
  name: string,
  props: Record<string, unknown>,
  parents: string[] = KEY_CHAIN,
  parentName = AUTOMATION_KEY_NAME,
): Resource => ({
  type: DEPLOY_KEY_RESOURCE,
  name,
  props: { repository: "gitops", title: name, key: "ssh-ed25519 AAAA", ...props },
  parents,
  parentName,
});

test("deploy-key-read-only: a writable key is refused unless it is the image automation's own, in place, on the sync repository", () => {
  const own = deployKey(AUTOMATION_KEY_NAME, { readOnly: false });
  assert.equal(
    fromPulumi(resourceArgs(own), packStackFromEnv({ PULUMI_CONFIG: JSON.stringify(AUTOMATION_ON) })).stack?.imageAutomation,
    true,
  );
  assert.deepEqual(analyze(own, {}, AUTOMATION_ON), []);
  assert.deepEqual(analyze(deployKey(`${AUTOMATION_KEY_NAME}-r2`, { readOnly: false }), {}, AUTOMATION_ON), [], "a rotated key");
  assert.deepEqual(analyze(deployKey("flux", { readOnly: true }), {}, STACK_CONFIG), [], "read-only");
  assert.deepEqual(analyze(deployKey("flux", {}), {}, STACK_CONFIG), [], "readOnly unset (GitHub's default is read-only)");

  const refused: [string, Resource, Record<string, unknown>, RegExp][] = [
    ["automation off", own, STACK_CONFIG, /image automation is off/],
    ["no stack config", own, { "github:owner": OWNER }, /image automation is off/],
    ["another name", deployKey("flux", { readOnly: false }), AUTOMATION_ON, /not the key ImageAutomationAccess registers/],
    ["rotation r0", deployKey(`${AUTOMATION_KEY_NAME}-r0`, { readOnly: false }), AUTOMATION_ON, /not the key/],
    ["a suffix", deployKey(`${AUTOMATION_KEY_NAME}-r2x`, { readOnly: false }), AUTOMATION_ON, /not the key/],
    ["a prefix", deployKey(`x${AUTOMATION_KEY_NAME}`, { readOnly: false }), AUTOMATION_ON, /not the key/],
    ["outside the chain", deployKey(AUTOMATION_KEY_NAME, { readOnly: false }, [GITOPS_TYPE]), AUTOMATION_ON, /not the key/],
    [
      "under an extra parent",
      deployKey(AUTOMATION_KEY_NAME, { readOnly: false }, [GITOPS_TYPE, "x:y:Z", IMAGE_AUTOMATION_TYPE, DEPLOY_KEY_TYPE]),
      AUTOMATION_ON,
      /not the key/,
    ],
    ["no parent", deployKey(AUTOMATION_KEY_NAME, { readOnly: false }, []), AUTOMATION_ON, /not the key/],
    [
      "a chain of the right length with another type in it",
      deployKey(AUTOMATION_KEY_NAME, { readOnly: false }, [GITOPS_TYPE, "x:y:Z", DEPLOY_KEY_TYPE]),
      AUTOMATION_ON,
      /not the key/,
    ],
    ["a parent of another name", deployKey(AUTOMATION_KEY_NAME, { readOnly: false }, KEY_CHAIN, "evil"), AUTOMATION_ON, /not the key/],
    [
      "another repository",
      deployKey(AUTOMATION_KEY_NAME, { readOnly: false, repository: "other" }),
      AUTOMATION_ON,
      /repository "other", not on the sync repository "gitops"/,
    ],
    ["no repository", deployKey(AUTOMATION_KEY_NAME, { readOnly: false, repository: undefined }), AUTOMATION_ON, /repository "<unknown>"/],
  ];
  for (const [why, r, config, reason] of refused) {
    const found = analyze(r, {}, config);
    assert.deepEqual(
      found.map(([p]) => p),
      ["deploy-key-read-only"],
      why,
    );
    assert.match(
      found[0]![2],
      new RegExp(`^deploy key "${r.name}" has write access: set the deploy key config readOnly back to true`),
      why,
    );
    assert.match(found[0]![2], reason, why);
  }
});

test("deploy-key-read-only: in place means the key's own URN, its parent's URN and its name all agree", () => {
  const args = resourceArgs(deployKey(AUTOMATION_KEY_NAME, { readOnly: false }));
  const base = fromPulumi(args, packStackFromEnv({ PULUMI_CONFIG: JSON.stringify(AUTOMATION_ON) }));
  const rule = rules.find((r) => r.name === "deploy-key-read-only")!;
  const reports = (s: typeof base) => {
    const out: string[] = [];
    if (rule.kind === "resource") rule.check(s, {}, (m) => out.push(m));
    return out;
  };
  assert.deepEqual(reports(base), []);
  const parentChain = urnOf("dev", [GITOPS_TYPE, IMAGE_AUTOMATION_TYPE], AUTOMATION_KEY_NAME);
  for (const [why, s] of [
    ["a parent in another stack", { ...base, parentUrn: args.opts.parent!.replace("urn:pulumi:dev::", "urn:pulumi:prod::") }],
    ["a parent in another project", { ...base, parentUrn: args.opts.parent!.replace(`::${PROJECT}::`, "::other::") }],
    ["no parent URN", { ...base, parentUrn: undefined }],
    ["a parent URN that is none", { ...base, parentUrn: "parent" }],
    ["an own URN that is none", { ...base, urn: "key" }],
    ["a parent whose chain is a prefix of the right one", { ...base, parentUrn: parentChain }],
    ["a name other than the URN's", { ...base, name: `${AUTOMATION_KEY_NAME}-r2` }],
  ] as [string, typeof base][]) {
    const found = reports(s);
    assert.equal(found.length, 1, why);
    assert.ok(
      found[0]!.includes(
        `here it is not the key ImageAutomationAccess registers (${[...KEY_CHAIN, DEPLOY_KEY_RESOURCE].join(" → ")} "${AUTOMATION_KEY_NAME}").`,
      ),
      `${why}: ${found[0]}`,
    );
  }
});

test("one-write-key: two writable keys in a stack are one too many, named in the report", () => {
  const keys = [deployKey("a", { readOnly: false }), deployKey("b", { readOnly: false }), deployKey("c", { readOnly: true })];
  const stackOnly = (found: [string, string][]) => found.filter(([p]) => p === "one-write-key");
  assert.deepEqual(stackOnly(analyzeStack(keys.slice(0, 1))), []);
  assert.deepEqual(stackOnly(analyzeStack([keys[0]!, keys[2]!])), []);
  assert.deepEqual(stackOnly(analyzeStack(keys)), [
    [
      "one-write-key",
      `found 2 deploy keys with write access ("a", "b"); a stack may register only one, the image automation's "${AUTOMATION_KEY_NAME}"`,
    ],
  ]);
  // Only deploy keys count.
  assert.deepEqual(stackOnly(analyzeStack([keys[0]!, { ...keys[1]!, type: "github:index/userSshKey:UserSshKey" }])), []);
});

test('one-write-key: a readOnly the GitHub provider decodes to false counts as write access ("false", 0, ""), one it decodes to true does not', () => {
  const stackOnly = (found: [string, string][]) => found.filter(([p]) => p === "one-write-key").map(([, m]) => m);
  const written = [deployKey("a", { readOnly: "false" }), deployKey("b", { readOnly: 0 }), deployKey("c", { readOnly: "" })];
  assert.deepEqual(stackOnly(analyzeStack(written)), [
    `found 3 deploy keys with write access ("a", "b", "c"); a stack may register only one, the image automation's "${AUTOMATION_KEY_NAME}"`,
  ]);
  const readOnly = [deployKey("a", { readOnly: "true" }), deployKey("b", { readOnly: 1 }), deployKey("c", { readOnly: "T" }), written[0]!];
  assert.deepEqual(stackOnly(analyzeStack(readOnly)), []);
  // A value the provider would not read as a boolean is not trusted to be read-only.
  assert.equal(stackOnly(analyzeStack([written[0]!, deployKey("d", { readOnly: "no" })])).length, 1);
});

test("single-flux-install: exactly one FluxInstall and one flux-system sync (Kustomization or FluxInstance sync)", () => {
  const install: Resource = { type: FLUX_INSTALL_TYPE, name: "flux", props: {}, parents: [GITOPS_TYPE] };
  const sync = (namespace = "flux-system", name = "flux-system", apiVersion = "v1"): Resource => ({
    type: `kubernetes:kustomize.toolkit.fluxcd.io/${apiVersion}:Kustomization`,
    name,
    props: { metadata: { name, namespace }, spec: { path: "./cluster/dev" } },
  });
  const instance = (spec: Record<string, unknown>): Resource => ({
    type: "kubernetes:fluxcd.controlplane.io/v1:FluxInstance",
    name: "flux",
    props: { metadata: { name: "flux", namespace: "flux-system" }, spec },
  });
  const counts = (resources: Resource[]) =>
    analyzeStack(resources)
      .filter(([p]) => p === "single-flux-install")
      .map(([, m]) => /^found (\d+) (Flux installations|flux-system syncs)/.exec(m)!.slice(1).join(" "));
  assert.deepEqual(counts([install, sync()]), []);
  assert.deepEqual(counts([install, instance({ sync: { kind: "GitRepository" } })]), []);
  assert.deepEqual(counts([]), ["0 Flux installations", "0 flux-system syncs"]);
  assert.deepEqual(counts([install, install, sync(), sync()]), ["2 Flux installations", "2 flux-system syncs"]);
  assert.deepEqual(counts([install, sync("web")]), ["0 flux-system syncs"], "a Kustomization outside the Flux namespace is not the sync");
  assert.deepEqual(counts([install, sync("flux-system", "apps")]), ["0 flux-system syncs"], "nor one of another name");
  assert.deepEqual(counts([install, sync("flux-system", "flux-system", "v9")]), ["0 flux-system syncs"], "nor of an unknown version");
  assert.deepEqual(counts([install, instance({})]), ["0 flux-system syncs"], "a FluxInstance without sync");
  assert.deepEqual(
    counts([install, { ...instance({ sync: {} }), type: "kubernetes:fluxcd.controlplane.io/v1:ResourceSet" }]),
    ["0 flux-system syncs"],
    "only a FluxInstance's spec.sync is a sync",
  );
  assert.deepEqual(counts([install, sync(), instance({ sync: {} })]), ["2 flux-system syncs"]);
  const [installs, syncs] = analyzeStack([]).filter(([p]) => p === "single-flux-install");
  assert.equal(
    installs![1],
    `found 0 Flux installations (${FLUX_INSTALL_TYPE}); keep exactly one FluxInstall per stack - one stack per cluster.`,
  );
  assert.match(syncs![1], /keep exactly one FluxSync \(Kustomization flux-system in the Flux namespace\) per stack and add further paths/);
});
