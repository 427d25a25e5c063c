// A rule called directly on the shape both front ends build (a Subject): the tests of each rule's own decisions
// (test/policies/rules/<rule>.test.ts) build their subjects and read their findings with these.
import assert from "node:assert/strict";
import type { StackFacts } from "../../infra/contract.ts";
import { rules } from "../../policies/rules/index.ts";
import type { Subject } from "../../policies/rules/model.ts";

export interface Found {
  message: string;
  at?: string[];
  level?: "advisory";
}

const API: Record<string, string> = {
  GitRepository: "source.toolkit.fluxcd.io/v1",
  OCIRepository: "source.toolkit.fluxcd.io/v1",
  HelmRepository: "source.toolkit.fluxcd.io/v1",
  HelmChart: "source.toolkit.fluxcd.io/v1",
  Bucket: "source.toolkit.fluxcd.io/v1",
  HelmRelease: "helm.toolkit.fluxcd.io/v2",
  Kustomization: "kustomize.toolkit.fluxcd.io/v1",
  Secret: "core/v1",
  KustomizeConfig: "kustomize.config.k8s.io/v1beta1",
};

/** A Subject of `kind` (Flux kinds by short name), in flux-system unless said otherwise. */
export function obj(kind: string, props: Record<string, unknown>, extra: Partial<Subject> = {}): Subject {
  const k = kind === "KustomizeConfig" ? "Kustomization" : kind;
  return {
    type: `kubernetes:${API[kind]}:${k}`,
    name: "app",
    namespace: "flux-system",
    props,
    origin: "git",
    ancestors: [],
    environment: "dev",
    githubOwner: "acme",
    ...extra,
  };
}

export function check(name: string, s: Subject, config: Record<string, unknown> = {}): Found[] {
  const rule = rules.find((r) => r.name === name)!;
  assert.equal(rule.kind, "resource");
  const out: Found[] = [];
  if (rule.kind === "resource") {
    rule.check(s, rule.config.parse(config), (message, at, level) =>
      out.push({ message, ...(at ? { at } : {}), ...(level ? { level } : {}) }),
    );
  }
  return out;
}

export const facts = (over: Partial<StackFacts>): StackFacts =>
  ({
    environment: "dev",
    production: false,
    fluxNamespace: "flux-system",
    sync: { folder: "cluster/dev", flux: "./cluster/dev" },
    githubOwner: "acme",
    noRemoteBases: false,
    imageAutomation: false,
    repositoryName: "gitops",
    ...over,
  }) as StackFacts;
