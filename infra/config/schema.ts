// Typed stack configuration for flux-gitops (the `flux-gitops:*` keys of a Pulumi stack).
// One schema serves the Pulumi program (values from the engine) and the renderer (values read
// from Pulumi.<stack>.yaml), so both always agree on defaults and on what is valid.
import { z } from "zod";
import { FLUX_VERSIONS } from "../flux/versions.ts";

/** Go duration, as Flux intervals are parsed (e.g. `1m`, `10m30s`, `1h`). */
const duration = z
  .string()
  .regex(/^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$/, "must be a Go duration such as 30s, 1m or 1h");

const nonEmpty = z.string().trim().min(1, "must be a non-empty string");

/** A Kubernetes name (RFC 1123 label). */
const dnsLabel = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "must be a lowercase RFC 1123 name (a-z, 0-9, '-')")
  .max(63, "must be at most 63 characters");

export const CORE_COMPONENTS = [
  "source-controller",
  "kustomize-controller",
  "helm-controller",
  "notification-controller",
] as const;
export const EXTRA_COMPONENTS = ["image-reflector-controller", "image-automation-controller", "source-watcher"] as const;

const syncPath = z
  .string()
  .trim()
  .min(1, "must be a non-empty string")
  .transform((p) => p.replace(/^\.\//, "").replace(/\/+$/, ""))
  .refine((p) => !p.startsWith("/") && !p.split("/").includes(".."), "must be a path inside the repository (relative, no '..')");

const repository = z.strictObject({
  owner: nonEmpty,
  name: nonEmpty,
  branch: nonEmpty.default("main"),
  /** SSH host of the Git server; github.com unless GitHub Enterprise. */
  host: nonEmpty.default("github.com"),
});

const flux = z
  .strictObject({
    /** Install strategy: the fluxcd-community flux2 Helm chart, or the Flux Operator with a FluxInstance. */
    install: z.enum(["helm", "operator"]).default("helm"),
    version: z
      .string()
      .refine((v) => v in FLUX_VERSIONS, `must be one of the pinned Flux versions: ${Object.keys(FLUX_VERSIONS).join(", ")}`)
      .default("2.7.0"),
    namespace: dnsLabel.default("flux-system"),
    components: z.array(z.enum(CORE_COMPONENTS)).min(1, "must name at least one controller").default([...CORE_COMPONENTS]),
    componentsExtra: z.array(z.enum(EXTRA_COMPONENTS)).default([]),
    networkPolicy: z.boolean().default(true),
    watchAllNamespaces: z.boolean().default(true),
    clusterDomain: nonEmpty.default("cluster.local"),
    tolerationKeys: z.array(nonEmpty).default([]),
    logLevel: z.enum(["debug", "info", "error"]).default("info"),
    /** Container registry the controller images come from. */
    registry: nonEmpty.default("ghcr.io/fluxcd"),
    /** Name of a docker-registry Secret in the Flux namespace used to pull the images. */
    imagePullSecret: dnsLabel.optional(),
    /** Multi-tenancy lockdown (Flux docs: "Multi-tenancy lockdown"). */
    multitenancy: z
      .strictObject({
        noCrossNamespaceRefs: z.boolean().default(false),
        noRemoteBases: z.boolean().default(false),
        /** Service account used when a Kustomization/HelmRelease names none. */
        defaultServiceAccount: dnsLabel.optional(),
      })
      .prefault({}),
    /** On `pulumi destroy`, leave the namespace and CRDs (and so every Flux object) in the cluster. */
    keepOnDestroy: z.boolean().default(false),
  })
  .refine((f) => f.components.includes("source-controller"), {
    message: "must include source-controller (the sync needs it)",
    path: ["components"],
  });

const deployKey = z
  .strictObject({
    algorithm: z.enum(["ed25519", "ecdsa", "rsa"]).default("ed25519"),
    /** Curve for ecdsa keys (OpenSSH supports P256, P384 and P521). */
    ecdsaCurve: z.enum(["P256", "P384", "P521"]).default("P384"),
    rsaBits: z.int("must be an integer").min(2048, "must be at least 2048").max(8192, "must be at most 8192").default(4096),
    readOnly: z.boolean().default(true),
    /** Bump to replace the key pair, the GitHub deploy key and the in-cluster Secret in one `pulumi up`. */
    rotation: z.int("must be an integer").min(0, "must be 0 or more").default(0),
  })
  .prefault({});

const sync = z
  .strictObject({
    gitInterval: duration.default("1m"),
    kustomizationInterval: duration.default("10m"),
    /** Kustomization apply/health-check timeout. */
    timeout: duration.default("5m"),
  })
  .prefault({});

export const stackConfigSchema = z.strictObject({
  repository,
  /** Folder Flux syncs; default `cluster/<stack>`. */
  syncPath: syncPath.optional(),
  /** Production-like environment: stricter policies (pinned refs). */
  production: z.boolean().default(false),
  flux: flux.prefault({}),
  deployKey,
  /** known_hosts lines for the Git host; default: GitHub's published host keys pinned in code. */
  knownHosts: nonEmpty.optional(),
  sync,
});

export type StackConfigInput = z.input<typeof stackConfigSchema>;
type Parsed = z.output<typeof stackConfigSchema>;

export interface StackConfig extends Omit<Parsed, "syncPath"> {
  /** The Pulumi stack (= environment) name. */
  stack: string;
  /** Folder Flux syncs, relative to the repository root, without `./` (e.g. `cluster/dev`). */
  syncPath: string;
}
