// The shape every rule sees, whichever front end produced it: a Pulumi resource in the analyzer or a
// YAML document from Git. Rules read fixed paths only (see `field`), never walk a whole object, so
// shared references (YAML alias bombs) and deep nesting cannot make a rule slow or blow the stack.
import type { z } from "zod";
import { DEFAULT_FLUX_NAMESPACE, SYNC_NAME, type StackFacts } from "../../infra/contract.ts";

export type Origin = "pulumi" | "git";
export type Level = "advisory" | "mandatory" | "disabled";
/**
 * Reports a finding; `at` names the offending field (e.g. ["spec", "chart", "spec", "version"]) when one
 * does; `level` "advisory" lowers a mandatory rule's finding (a rule that is strict only in production).
 */
export type Report = (message: string, at?: string[], level?: "advisory") => void;

export interface Subject {
  /** Pulumi type token; YAML objects get the token a k8s resource of that apiVersion/kind registers as. */
  type: string;
  name: string;
  namespace?: string;
  props: Record<string, unknown>;
  origin: Origin;
  /** Type tokens of the Pulumi parents, outermost first (empty for YAML). */
  ancestors: string[];
  /** Pulumi only: the resource's URN and its parent's, as the engine hands them over. */
  urn?: string;
  parentUrn?: string;
  /** Stack name (Pulumi) or environment (YAML: the stack whose graph or sync folder holds the object). */
  environment?: string;
  /** GitHub owner from the stack's config (`repository.owner`, equal to `github:owner`). */
  githubOwner?: string;
  /** The environment's stack config, when it could be read. */
  stack?: StackFacts;
  /**
   * Another Flux object applied with this one, by kind, namespace and name (YAML front end): only an object
   * of that kind's Flux API group answers (a helm.cattle.io HelmChart is no source.toolkit.fluxcd.io HelmChart).
   */
  lookup?: (kind: string, namespace: string | undefined, name: string) => Subject | undefined;
  /**
   * The lookup holds everything applied with this object (graph mode: the environment as Flux applies it),
   * so a reference it does not resolve is not in Git. Paths mode sees part of Git only: unset.
   */
  complete?: boolean;
  /** The HelmRelease whose chart rendered this object (YAML front end, graph mode): chart output, not Git. */
  renderedBy?: string;
  /** What the YAML front end could not verify about this object (reported by content-verified). */
  problems?: Problem[];
}

/** Something about an object the checker cannot verify, and the field it concerns. */
export interface Problem {
  message: string;
  at?: string[];
}

interface RuleBase<S extends z.ZodType> {
  name: string;
  description: string;
  enforcementLevel: "advisory" | "mandatory";
  /** Front ends where the rule means something; elsewhere it is "not applicable". */
  origins: Origin[];
  config: S;
}

export interface ResourceRule<S extends z.ZodType = z.ZodType> extends RuleBase<S> {
  kind: "resource";
  check(subject: Subject, config: z.output<S>, report: Report): void;
}

export interface StackRule<S extends z.ZodType = z.ZodType> extends RuleBase<S> {
  kind: "stack";
  checkStack(subjects: Subject[], config: z.output<S>, report: Report): void;
}

export type Rule = ResourceRule | StackRule;

export function resourceRule<S extends z.ZodType>(rule: Omit<ResourceRule<S>, "kind">): Rule {
  return { ...rule, kind: "resource" } as Rule;
}

export function stackRule<S extends z.ZodType>(rule: Omit<StackRule<S>, "kind">): Rule {
  return { ...rule, kind: "stack" } as Rule;
}

/** The type token a Kubernetes object registers as in Pulumi: `kubernetes:core/v1:Secret`, `kubernetes:apps/v1:Deployment`. */
export function kubernetesType(apiVersion: string, kind: string): string {
  return `kubernetes:${apiVersion.includes("/") ? apiVersion : `core/${apiVersion}`}:${kind}`;
}

/** A Pulumi URN's parts. */
export interface Urn {
  stack: string;
  project: string;
  /** The qualified type: parents' types (the stack resource's left out), outermost first, then the resource's own. */
  types: string[];
  name: string;
}

/** `urn:pulumi:<stack>::<project>::<parent$…$type>::<name>`, or undefined when it is none. */
export function parseUrn(urn: string | undefined): Urn | undefined {
  const parts = urn?.split("::") ?? [];
  if (parts.length < 4 || !parts[0]!.startsWith("urn:pulumi:")) return undefined;
  return { stack: parts[0]!.slice("urn:pulumi:".length), project: parts[1]!, types: parts[2]!.split("$"), name: parts.slice(3).join("::") };
}

/** Reads `obj.a.b.c` for a fixed path; anything that is not a plain object on the way gives undefined. */
export function field(obj: unknown, ...path: string[]): unknown {
  let cur = obj;
  for (const key of path) {
    if (cur === null || typeof cur !== "object" || Array.isArray(cur)) return undefined;
    cur = Object.hasOwn(cur, key) ? (cur as Record<string, unknown>)[key] : undefined;
  }
  return cur;
}

export function text(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** Go's strconv.ParseBool: the only spellings it accepts (go/src/strconv/atob.go, Go 1.24). */
const GO_TRUE = new Set(["1", "t", "T", "TRUE", "true", "True"]);
const GO_FALSE = new Set(["0", "f", "F", "FALSE", "false", "False"]);

/**
 * A `TypeBool` input of a Terraform-bridged provider (pulumi-github wraps integrations/terraform-provider-github,
 * an SDKv2 provider) as the provider acts on it; "invalid" when it would not read it as a boolean, undefined when
 * unset (the schema's default applies). The chain, read upstream:
 * - pulumi/pulumi-terraform-bridge pkg/tfbridge/schema.go (v3, makeTerraformInput): a bool passes as is, a string
 *   passes as the string, a number becomes `int(v)` (truncated toward zero) for a bool schema;
 * - hashicorp/terraform-plugin-sdk helper/schema/field_reader_config.go (v2, readPrimitive):
 *   `mapstructure.WeakDecode(raw, &result)` into a string (mitchellh/mapstructure decodeString: an int becomes
 *   its decimal text), then helper/schema/field_reader.go stringToPrimitive: "" is false, else `strconv.ParseBool`.
 * So "false", "0", "f", "" and any number in (-1, 1) are false (a write key on GitHub), "true", "1" and 1 are
 * true, anything else ("no", 2, null, an object, Pulumi's unknown) is not a boolean a rule can trust.
 */
export function providerBool(value: unknown): boolean | "invalid" | undefined {
  if (value === undefined) return undefined;
  if (typeof value === "boolean") return value;
  let decoded: string;
  if (typeof value === "string") decoded = value;
  else if (typeof value === "number" && Number.isFinite(value)) decoded = String(Math.trunc(value) + 0);
  else return "invalid";
  if (decoded === "") return false;
  if (GO_TRUE.has(decoded)) return true;
  if (GO_FALSE.has(decoded)) return false;
  return "invalid";
}

// Flux API groups and the versions whose spec shapes the rules understand; other versions are ignored.
const FLUX_API_VERSIONS: Record<string, string[]> = {
  "source.toolkit.fluxcd.io": ["v1", "v1beta2"],
  "helm.toolkit.fluxcd.io": ["v2", "v2beta2", "v2beta1"],
  "kustomize.toolkit.fluxcd.io": ["v1", "v1beta2"],
};
const FLUX_KINDS: Record<string, string> = {
  GitRepository: "source.toolkit.fluxcd.io",
  HelmRepository: "source.toolkit.fluxcd.io",
  OCIRepository: "source.toolkit.fluxcd.io",
  HelmChart: "source.toolkit.fluxcd.io",
  Bucket: "source.toolkit.fluxcd.io",
  HelmRelease: "helm.toolkit.fluxcd.io",
  Kustomization: "kustomize.toolkit.fluxcd.io",
};

/** The API group of a Flux kind (`GitRepository` → `source.toolkit.fluxcd.io`); references name kinds of these groups. */
export function fluxGroup(kind: string): string | undefined {
  return Object.hasOwn(FLUX_KINDS, kind) ? FLUX_KINDS[kind] : undefined;
}

type KubernetesType = { group: string; version: string; kind: string; flux: boolean } | undefined;
const parsedTypes = new Map<string, KubernetesType>(); // few distinct tokens, parsed once each

/** `{ group, version, kind }` of a `kubernetes:<group>/<version>:<Kind>` token, else undefined. */
export function parseKubernetesType(type: string): KubernetesType {
  let parsed = parsedTypes.get(type);
  if (parsed === undefined && !parsedTypes.has(type)) {
    const m = /^kubernetes:([^:/]+)\/([^:/]+):([A-Za-z0-9]+)$/.exec(type);
    parsed = m
      ? { group: m[1]!, version: m[2]!, kind: m[3]!, flux: FLUX_KINDS[m[3]!] === m[1] && FLUX_API_VERSIONS[m[1]!]!.includes(m[2]!) }
      : undefined;
    if (parsedTypes.size < 1000) parsedTypes.set(type, parsed);
  }
  return parsed;
}

/** The Flux kind of a subject (`GitRepository`, `HelmRelease`, …) when its group/version is one the rules know. */
export function fluxKind(subject: Subject): string | undefined {
  const t = parseKubernetesType(subject.type);
  return t?.flux ? t.kind : undefined;
}

/** Namespace of the Flux controllers in the subject's stack: its config, or the config's default. */
export function fluxNamespace(subject: Subject): string {
  return subject.stack?.fluxNamespace ?? DEFAULT_FLUX_NAMESPACE;
}

/** The flux-system Kustomization that Pulumi creates for the stack (in the stack's Flux namespace). */
export function isFluxSystemSync(subject: Subject): boolean {
  return fluxKind(subject) === "Kustomization" && subject.name === SYNC_NAME && subject.namespace === fluxNamespace(subject);
}

export function label(subject: Subject, key: string): string | undefined {
  return text(field(subject.props, "metadata", "labels", key));
}

export function describe(subject: Subject): string {
  const kind = parseKubernetesType(subject.type)?.kind ?? subject.type;
  return `${kind} ${subject.namespace ? `${subject.namespace}/` : ""}${subject.name}`;
}
