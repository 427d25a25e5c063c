// The rule runner, shared by both modes: the objects read from Git (files, or a kustomize build) become rule
// subjects, the rules run over them, and each finding names its object's file and line. Each finding once.
import { field, fluxGroup, kubernetesType, parseKubernetesType } from "./rules/model.ts";
import type { Problem, Subject } from "./rules/model.ts";
import type { RuleSetting } from "./config.ts";
import type { StackFacts } from "../infra/contract.ts";
import { type Finding } from "./result.ts";

/** What is known of the environment an object is applied in. */
export interface EnvironmentContext {
  environment?: string;
  stack?: StackFacts;
  githubOwner?: string;
}

/** An object to check and where it is written. */
export interface CheckedObject {
  doc: Record<string, unknown>;
  /** Absolute path of the file. */
  file: string;
  line: number;
  /** Finds the line of a field (or of the patch that set it); default: the object's line. */
  locate?: (path: string[]) => { file: string; line: number } | undefined;
  env: EnvironmentContext;
  /** What the front end could not verify about the object (content-verified reports them). */
  problems?: Problem[];
  /** The HelmRelease whose chart rendered the object (graph mode): chart output, not a file in Git. */
  renderedBy?: string;
}

/** A Kubernetes object: apiVersion and kind (a missing or odd name is the object's problem, not a reason to skip it). */
export function isObject(doc: unknown): doc is Record<string, unknown> {
  return (
    typeof field(doc, "apiVersion") === "string" &&
    field(doc, "apiVersion") !== "" &&
    typeof field(doc, "kind") === "string" &&
    field(doc, "kind") !== ""
  );
}

function subjectOf(o: CheckedObject, lookup: Subject["lookup"], complete: boolean): Subject {
  const doc = o.doc;
  const apiVersion = typeof doc.apiVersion === "string" ? doc.apiVersion : "kustomize.config.k8s.io/v1beta1";
  const kind = typeof doc.kind === "string" ? doc.kind : "Kustomization";
  const name = field(doc, "metadata", "name");
  const namespace = field(doc, "metadata", "namespace");
  return {
    type: kubernetesType(apiVersion, kind),
    name: typeof name === "string" ? name : "(unnamed)",
    namespace: typeof namespace === "string" ? namespace : undefined,
    props: doc,
    origin: "git",
    ancestors: [],
    environment: o.env.environment,
    githubOwner: o.env.stack?.githubOwner ?? o.env.githubOwner,
    stack: o.env.stack,
    lookup,
    complete,
    renderedBy: o.renderedBy,
    problems: o.problems,
  };
}

const identity = (kind: string, namespace: string | undefined, name: string) => `${kind}/${namespace ?? ""}/${name}`;

/** Runs the rules over a set of objects that are applied together (one environment, or one paths run). */
export function runRules(
  objects: CheckedObject[],
  settings: RuleSetting[],
  display: (file: string) => string,
  /** The objects are all that is applied (graph mode): a reference none of them resolves is not in Git. */
  complete = false,
): Finding[] {
  const active = settings.filter((s) => s.level !== "disabled" && s.rule.origins.includes("git") && s.rule.kind === "resource");
  const byIdentity = new Map<string, Subject>();
  const subjects = objects.map((o) => subjectOf(o, (kind, namespace, name) => byIdentity.get(identity(kind, namespace, name)), complete));
  for (const s of subjects) {
    // References name Flux kinds: only an object of the kind's Flux API group resolves one.
    const t = parseKubernetesType(s.type);
    if (t && fluxGroup(t.kind) === t.group) byIdentity.set(identity(t.kind, s.namespace, s.name), s);
  }
  const findings: Finding[] = [];
  // One object applied twice (two Kustomizations, two clusters) is one finding, not two of the same.
  const reported = new Set<string>();
  subjects.forEach((subject, i) => {
    const o = objects[i]!;
    const kind = parseKubernetesType(subject.type)?.kind ?? subject.type;
    for (const { rule, level, config } of active) {
      if (rule.kind !== "resource") continue;
      rule.check(subject, config, (message, at, lowered) => {
        const where = (at && o.locate?.(at)) || { file: o.file, line: o.line };
        const key = JSON.stringify([where.file, where.line, rule.name, kind, subject.namespace, subject.name, message, lowered ?? level]);
        if (reported.has(key)) return;
        reported.add(key);
        findings.push({
          file: display(where.file),
          line: where.line,
          level: (lowered ?? level) as Finding["level"],
          rule: rule.name,
          kind,
          namespace: subject.namespace,
          name: subject.name,
          message,
          ...(o.env.environment && o.env.stack ? { environment: o.env.environment } : {}),
        });
      });
    }
  });
  return findings;
}
