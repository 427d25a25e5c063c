// Typed stack configuration for flux-gitops (the `flux-gitops:*` keys of a Pulumi stack).
// One schema serves the Pulumi program (values from the engine) and the renderer (values read
// from Pulumi.<stack>.yaml), so both always agree on defaults and on what is valid.
import { z } from "zod";
import { CONFIG_NAMESPACE, DEFAULT_FLUX_NAMESPACE, SYNC_NAME, defaultSyncFolder, syncPath as toSyncPath } from "../contract.ts";
import semver from "semver";
import { knownHostsProblem } from "../flux/known-hosts.ts";
import { FLUX_DURATION } from "../grammar/duration.ts";
import { folderProblem } from "../grammar/folder.ts";
import { DNS_LABEL, DNS_LABEL_MAX } from "../grammar/kubernetes.ts";
import { BIDI_CONTROL, CONTROL_CHARACTER } from "../grammar/text.ts";
import { FLUX_OPERATOR_CHART, FLUX_VERSIONS, defaultFluxFor, kubernetesMinimumFor } from "../flux/versions.ts";

/**
 * The one string type of every string setting: no control characters (C0, DEL, C1) and no bidi
 * controls. `lines` lets line feeds through, for settings that are lists of lines (knownHosts).
 */
function text({ lines = false } = {}) {
  return z
    .string()
    .refine(
      (s) => !CONTROL_CHARACTER.test(lines ? s.replace(/\n/g, "") : s),
      lines
        ? "must not contain control characters other than line breaks (tab, NUL, ...)"
        : "must not contain control characters (newline, tab, NUL, ...)",
    )
    .refine((s) => !BIDI_CONTROL.test(s), "must not contain bidirectional control characters (U+202A–U+202E, U+2066–U+2069)");
}

const nonEmpty = text().trim().min(1, "must be a non-empty string");

/** A Flux duration (e.g. `1m`, `10m30s`, `1h`): the Flux CRDs' pattern, stricter than Go's ParseDuration (no ns, us, µs). */
const duration = text().regex(FLUX_DURATION, "must be a Flux duration such as 30s, 1m or 1h (units ms, s, m, h)");

/**
 * A branch name Git accepts (git check-ref-format, for refs/heads/<name>) that `git branch` would also
 * create: no `..`, `@{`, `//`, space or any of ~^:?*[\; no part starting with `.` or ending with `.lock`;
 * not starting with `-` or `/`, not ending with `/` or `.`; not `HEAD`.
 */
const gitBranch = text()
  .min(1, "must be a non-empty string")
  .refine(
    (b) => !/[ ~^:?*[\\]|\.\.|@\{|\/\/|^[-/]|[/.]$|(^|\/)\.|\.lock(\/|$)/.test(b) && b !== "HEAD",
    "must be a valid Git branch name (no '..', '@{', spaces or ~^:?*[\\; no part starting with '.' or ending in '.lock'; not starting with '-')",
  );

/** A Kubernetes name (RFC 1123 label). */
const dnsLabel = text()
  .regex(DNS_LABEL, "must be a lowercase RFC 1123 name (a-z, 0-9, '-')")
  .max(DNS_LABEL_MAX, `must be at most ${DNS_LABEL_MAX} characters`);

// The closed sets of values, each once, as `as const` objects: the schema below checks them, and the
// FluxGitOps package (infra/components/gitops.ts) publishes them as enums (Pulumi's analyzer reads the
// object literal, so the keys are identifiers and the values literals).

/** Install strategy: the fluxcd-community flux2 Helm chart, or the Flux Operator with a FluxInstance. */
export const FluxInstallStrategy = { Helm: "helm", Operator: "operator" } as const;
export type FluxInstallStrategy = (typeof FluxInstallStrategy)[keyof typeof FluxInstallStrategy];

/** The core Flux controllers (flux.components). */
export const FluxController = {
  SourceController: "source-controller",
  KustomizeController: "kustomize-controller",
  HelmController: "helm-controller",
  NotificationController: "notification-controller",
} as const;
export type FluxController = (typeof FluxController)[keyof typeof FluxController];

/** The optional Flux controllers (flux.componentsExtra). */
export const FluxExtraController = {
  ImageReflectorController: "image-reflector-controller",
  ImageAutomationController: "image-automation-controller",
  SourceWatcher: "source-watcher",
} as const;
export type FluxExtraController = (typeof FluxExtraController)[keyof typeof FluxExtraController];

/** Log level of the Flux controllers. */
export const FluxLogLevel = { Debug: "debug", Info: "info", Error: "error" } as const;
export type FluxLogLevel = (typeof FluxLogLevel)[keyof typeof FluxLogLevel];

/** Algorithm of the deploy key pair. */
export const DeployKeyAlgorithm = { Ed25519: "ed25519", Ecdsa: "ecdsa", Rsa: "rsa" } as const;
export type DeployKeyAlgorithm = (typeof DeployKeyAlgorithm)[keyof typeof DeployKeyAlgorithm];

/** Curve of an ecdsa deploy key (OpenSSH supports P256, P384 and P521). */
export const EcdsaCurve = { P256: "P256", P384: "P384", P521: "P521" } as const;
export type EcdsaCurve = (typeof EcdsaCurve)[keyof typeof EcdsaCurve];

/** Chat alerts: `info` (every change) or `error` (failures only). */
export const EventSeverity = { Info: "info", Error: "error" } as const;
export type EventSeverity = (typeof EventSeverity)[keyof typeof EventSeverity];

export const CORE_COMPONENTS = Object.values(FluxController);
export const EXTRA_COMPONENTS = Object.values(FluxExtraController);

/**
 * The sync folder: no control characters, not absolute, no `..` or `.git` segment, no part named like the
 * renderer's staging folders, no dot folder, no backslash, and below `cluster/` (OUTPUT_FOLDER). An allow
 * rule rather than a list of source folders: the renderer swaps the whole folder, and only `cluster/` is
 * generated; a deny list would go stale with the next top-level folder. Normalised once (contract.ts
 * syncPath: `cluster//dev`, `cluster/./dev` → `cluster/dev`) into both forms of a SyncPath.
 */
const repositoryFolder = text()
  .trim()
  .min(1, "must be a non-empty string")
  .superRefine((path, ctx) => {
    const problem = folderProblem(path);
    if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem });
  })
  .transform(toSyncPath);

const repository = z.strictObject({
  /** GitHub user or organisation. */
  owner: text().regex(
    /^[A-Za-z0-9][A-Za-z0-9-]{0,38}$/,
    "must be a GitHub user or organisation name (letters, digits and '-', not starting with '-', at most 39 characters)",
  ),
  name: text()
    .regex(/^[A-Za-z0-9._-]{1,100}$/, "must be a GitHub repository name (letters, digits, '.', '-' and '_', at most 100 characters)")
    .refine((n) => n !== "." && n !== ".." && !n.toLowerCase().endsWith(".git"), "must not be '.' or '..' or end in .git"),
  branch: gitBranch.default("main"),
  /** SSH host of the Git server; github.com unless GitHub Enterprise. */
  host: text()
    .regex(/^[A-Za-z0-9]([-A-Za-z0-9.]*[A-Za-z0-9])?(:[0-9]{1,5})?$/, "must be a host name such as github.com (optionally with :port)")
    .default("github.com"),
});

const flux = z
  .strictObject({
    /** Install strategy: the fluxcd-community flux2 Helm chart, or the Flux Operator with a FluxInstance. */
    install: z.enum(FluxInstallStrategy).default("helm"),
    /** Default: the newest pinned Flux that installs on kubernetes.version (infra/flux/versions.ts). */
    version: text()
      .refine((v) => Object.hasOwn(FLUX_VERSIONS, v), `must be one of the pinned Flux versions: ${Object.keys(FLUX_VERSIONS).join(", ")}`)
      .optional(),
    namespace: dnsLabel.default(DEFAULT_FLUX_NAMESPACE),
    components: z
      .array(z.enum(FluxController))
      .min(1, "must name at least one controller")
      .default([...CORE_COMPONENTS]),
    componentsExtra: z.array(z.enum(FluxExtraController)).default([]),
    networkPolicy: z.boolean().default(true),
    watchAllNamespaces: z.boolean().default(true),
    clusterDomain: nonEmpty.default("cluster.local"),
    tolerationKeys: z.array(nonEmpty).default([]),
    logLevel: z.enum(FluxLogLevel).default("info"),
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
    /** Settings of the `operator` install strategy. */
    operator: z
      .strictObject({
        /** Version of the flux-operator Helm chart (= the operator's version). */
        chartVersion: text()
          .regex(/^[0-9]+\.[0-9]+\.[0-9]+$/, "must be an exact chart version such as 0.49.0")
          .default(FLUX_OPERATOR_CHART.version),
      })
      .prefault({}),
  })
  .refine((f) => f.components.includes("source-controller"), {
    message: "must include source-controller (the sync needs it)",
    path: ["components"],
  })
  .refine(
    (f) =>
      f.install !== "operator" ||
      f.operator.chartVersion !== FLUX_OPERATOR_CHART.version ||
      f.version === undefined ||
      (FLUX_OPERATOR_CHART.embeds as readonly string[]).includes(f.version),
    { message: `is not a Flux version flux-operator ${FLUX_OPERATOR_CHART.version} ships`, path: ["version"] },
  );

/** The cluster the stack installs on: what decides which Flux and which charts can be installed. */
const kubernetes = z.strictObject({
  /** The API server's version (`kubectl version`), e.g. 1.32.4: a target, never assumed. */
  version: text()
    .regex(
      /^v?[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/,
      "must be a Kubernetes version such as 1.32.4 (kubectl version: Server Version)",
    )
    // What distributions append (v1.32.4+k3s1, v1.32.4-gke.1200, v1.32.4-eks-1234abc) is not the API's version.
    .transform((v) => /^v?([0-9]+\.[0-9]+\.[0-9]+)/.exec(v)![1]!),
});

const deployKey = z
  .strictObject({
    algorithm: z.enum(DeployKeyAlgorithm).default("ed25519"),
    /** Curve for ecdsa keys (OpenSSH supports P256, P384 and P521). */
    ecdsaCurve: z.enum(EcdsaCurve).default("P384"),
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

/** Kinds of Flux objects an Alert can watch (present in every pinned Flux version). */
export const EventSourceKind = {
  Kustomization: "Kustomization",
  HelmRelease: "HelmRelease",
  GitRepository: "GitRepository",
  HelmRepository: "HelmRepository",
  HelmChart: "HelmChart",
  OCIRepository: "OCIRepository",
  Bucket: "Bucket",
  ImageRepository: "ImageRepository",
  ImagePolicy: "ImagePolicy",
  ImageUpdateAutomation: "ImageUpdateAutomation",
} as const;
export type EventSourceKind = (typeof EventSourceKind)[keyof typeof EventSourceKind];

const eventSource = z.strictObject({
  kind: z.enum(EventSourceKind),
  /** Object name, or `*` for every object of the kind. */
  name: nonEmpty,
  /** Default: the Flux namespace. */
  namespace: dnsLabel.optional(),
});

const httpUrl = text()
  .trim()
  .regex(/^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/, "must be an http(s) URL such as https://flux-webhook.example.com")
  .transform((u) => u.replace(/\/+$/, ""));

const notifications = z
  .strictObject({
    /** Post a GitHub commit status for every revision the flux-system Kustomization applies. */
    githubStatus: z.boolean().default(false),
    /** Chat alerts: `info` (every change) or `error` (failures only). */
    eventSeverity: z.enum(EventSeverity).default("info"),
    /** What the chat alerts watch; default the flux-system Kustomization and every HelmRelease. */
    eventSources: z
      .array(eventSource)
      .min(1, "must name at least one event source")
      .default([
        { kind: "Kustomization", name: SYNC_NAME },
        { kind: "HelmRelease", name: "*" },
      ]),
    /** Slack; the incoming webhook URL is the secret `flux-gitops:slackWebhookUrl`. */
    slack: z.strictObject({ channel: nonEmpty, username: nonEmpty.optional() }).optional(),
    /** Microsoft Teams; the webhook URL is the secret `flux-gitops:teamsWebhookUrl`. */
    teams: z.boolean().default(false),
    /** Generic JSON webhook; the URL is the secret `flux-gitops:genericWebhookUrl`. */
    generic: z.boolean().default(false),
  })
  .prefault({});

const receiver = z
  .strictObject({
    /** A GitHub push webhook makes Flux fetch at once instead of at the next poll. */
    enabled: z.boolean().default(false),
    /** Public URL that reaches the webhook-receiver Service; default `https://<ingress.host>`. */
    publicBaseUrl: httpUrl.optional(),
    /** Create an Ingress for the webhook-receiver Service. */
    ingress: z
      .strictObject({
        host: text().regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, "must be a lowercase DNS name such as flux-webhook.example.com"),
        className: nonEmpty.optional(),
        /** TLS Secret for the host (e.g. one cert-manager fills). */
        tlsSecretName: dnsLabel.optional(),
        annotations: z.record(text().min(1, "must be a non-empty string"), text()).default({}),
      })
      .optional(),
  })
  .prefault({});

/** The controllers image automation runs on (flux.componentsExtra). */
export const IMAGE_AUTOMATION_COMPONENTS = [
  FluxExtraController.ImageReflectorController,
  FluxExtraController.ImageAutomationController,
] as const;

const imageAutomation = z
  .strictObject({
    /**
     * Scan registries and commit newer image tags to the sync branch (docs/image-automation.md).
     * Creates a second, write-enabled deploy key for the automation only; the sync key stays read-only.
     */
    enabled: z.boolean().default(false),
    /** How often each ImageRepository scans its registry for tags. */
    scanInterval: duration.default("5m"),
    /** How often the ImageUpdateAutomation checks the policies and commits. */
    interval: duration.default("10m"),
    /** Author of the automation's commits. */
    author: z
      .strictObject({ name: nonEmpty.default("fluxcdbot"), email: nonEmpty.default("fluxcdbot@users.noreply.github.com") })
      .prefault({}),
    /**
     * Branch the automation pushes to: default the sync branch (repository.branch), so Flux deploys the
     * commit at once; another name makes it push there, and a pull request promotes it.
     */
    pushBranch: gitBranch.optional(),
    /**
     * Private registry: the ImageRepositories scan with a docker-registry Secret (${IMAGE_REGISTRY_SECRET})
     * built from these and the secret `flux-gitops:imageRegistryPassword`.
     */
    registry: z.strictObject({ server: nonEmpty, username: nonEmpty }).optional(),
  })
  .prefault({});

/**
 * Secret settings are top-level keys set with `pulumi config set --secret`. The schema only checks
 * that they are present and well-formed; their values are read as Pulumi secrets by
 * infra/config/pulumi.ts and never kept in the parsed config.
 */
export const SECRET_KEYS = [
  "githubStatusToken",
  "slackWebhookUrl",
  "teamsWebhookUrl",
  "genericWebhookUrl",
  "imageRegistryPassword",
  "alertmanagerSmtpPassword",
] as const;
export type SecretKey = (typeof SECRET_KEYS)[number];

/** A stack file holds `{secure: <ciphertext>}`; the engine hands over the decrypted string. */
const secretValue = (v: unknown): unknown => (typeof v === "object" && v !== null ? (v as { secure?: unknown }).secure : v);

const secretSetting = z
  .unknown()
  .refine((v) => {
    const value = secretValue(v);
    return typeof value === "string" && value.trim() !== "";
  }, "must be a non-empty string (set it with pulumi config set --secret)")
  .pipe(z.unknown().transform(secretValue).pipe(text()))
  .transform(() => true as const)
  .optional();

/** Which secret key each optional feature needs. */
type SecretNeeds = { notifications: z.output<typeof notifications>; imageAutomation: z.output<typeof imageAutomation> };
const SECRET_NEEDED: [SecretKey, string, (c: SecretNeeds) => boolean][] = [
  ["githubStatusToken", "notifications.githubStatus is true", (c) => c.notifications.githubStatus],
  ["slackWebhookUrl", "notifications.slack is set", (c) => c.notifications.slack !== undefined],
  ["teamsWebhookUrl", "notifications.teams is true", (c) => c.notifications.teams],
  ["genericWebhookUrl", "notifications.generic is true", (c) => c.notifications.generic],
  [
    "imageRegistryPassword",
    "imageAutomation.registry is set",
    (c) => c.imageAutomation.enabled && c.imageAutomation.registry !== undefined,
  ],
];
/** Secrets that belong to a notification channel (they need notification-controller). */
const NOTIFICATION_SECRETS: SecretKey[] = ["githubStatusToken", "slackWebhookUrl", "teamsWebhookUrl", "genericWebhookUrl"];

export const stackConfigSchema = z
  .strictObject({
    repository,
    /** Folder Flux syncs; default `cluster/<stack>`. */
    syncPath: repositoryFolder.optional(),
    /** Production-like environment: stricter policies (pinned refs). */
    production: z.boolean().default(false),
    flux: flux.prefault({}),
    kubernetes,
    deployKey,
    /** known_hosts lines for the Git host; default: GitHub's published host keys pinned in code. */
    knownHosts: text({ lines: true })
      .trim()
      .min(1, "must be a non-empty string")
      .check((ctx) => {
        const problem = knownHostsProblem(ctx.value);
        if (problem !== undefined)
          ctx.issues.push({
            code: "custom",
            message: `must be plain OpenSSH known_hosts lines (<host> <key type> <base64 key>): ${problem}`,
            input: ctx.value,
          });
      })
      .optional(),
    sync,
    notifications,
    receiver,
    imageAutomation,
    githubStatusToken: secretSetting,
    slackWebhookUrl: secretSetting,
    teamsWebhookUrl: secretSetting,
    genericWebhookUrl: secretSetting,
    imageRegistryPassword: secretSetting,
    /**
     * Alertmanager's SMTP password: Pulumi writes it, as a values document, into Secret `alertmanager-smtp`
     * (Flux namespace), which the prom-monitoring HelmRelease reads with valuesFrom. Optional: unset, no Secret, no SMTP login.
     */
    alertmanagerSmtpPassword: secretSetting,
  })
  .superRefine((c, ctx) => {
    const k8s = c.kubernetes.version;
    if (c.flux.version === undefined && defaultFluxFor(k8s) === undefined) {
      const oldest = Object.keys(FLUX_VERSIONS).map(kubernetesMinimumFor).sort(semver.compare)[0];
      ctx.addIssue({
        code: "custom",
        path: ["kubernetes", "version"],
        message: `is older than every pinned Flux supports (the oldest needs Kubernetes ${oldest}; flux check --pre)`,
      });
    } else if (
      c.flux.version !== undefined &&
      Object.hasOwn(FLUX_VERSIONS, c.flux.version) &&
      !semver.satisfies(k8s, FLUX_VERSIONS[c.flux.version]!.kubernetes)
    ) {
      const fits = defaultFluxFor(k8s);
      ctx.addIssue({
        code: "custom",
        path: ["flux", "version"],
        message:
          `${c.flux.version} needs Kubernetes >= ${kubernetesMinimumFor(c.flux.version)} (flux check --pre, run by the flux2 chart's pre-install hook) ` +
          `but kubernetes.version is ${k8s}: ${fits ? `use Flux ${fits}` : "no pinned Flux supports it"} or upgrade the cluster`,
      });
    }
    for (const [key, when, needed] of SECRET_NEEDED) {
      if (needed(c) && c[key] === undefined) {
        ctx.addIssue({
          code: "custom",
          path: [key],
          message: `is required when ${when} (pulumi config set --secret ${CONFIG_NAMESPACE}:${key} <value>)`,
        });
      }
    }
    const usesNotificationController =
      c.receiver.enabled || SECRET_NEEDED.some(([key, , needed]) => NOTIFICATION_SECRETS.includes(key) && needed(c));
    if (usesNotificationController && !c.flux.components.includes("notification-controller")) {
      ctx.addIssue({
        code: "custom",
        path: ["flux", "components"],
        message: "must include notification-controller when notifications or the receiver are enabled",
      });
    }
    const missing = IMAGE_AUTOMATION_COMPONENTS.filter((m) => !c.flux.componentsExtra.includes(m));
    if (c.imageAutomation.enabled && missing.length > 0) {
      ctx.addIssue({
        code: "custom",
        path: ["flux", "componentsExtra"],
        message: `must include ${missing.join(" and ")} when imageAutomation.enabled is true`,
      });
    }
    if (c.repository.host !== "github.com" && c.knownHosts === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["knownHosts"],
        message: `is required when repository.host is '${c.repository.host}' (only github.com host keys are pinned)`,
      });
    }
    if (c.receiver.enabled && c.receiver.publicBaseUrl === undefined && c.receiver.ingress === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["receiver", "publicBaseUrl"],
        message: "is required when receiver.enabled is true (or set receiver.ingress.host)",
      });
    }
  });

/**
 * The schema of one stack's settings: the checks above, then the stack name and the sync path,
 * defaulted to `cluster/<stack>` and normalised once into both of its forms.
 */
export function stackConfigFor(stack: string) {
  return stackConfigSchema.transform((c) => ({
    ...c,
    // The refinements above made sure a pinned Flux fits kubernetes.version.
    flux: { ...c.flux, version: c.flux.version ?? defaultFluxFor(c.kubernetes.version)! },
    stack,
    syncPath: c.syncPath ?? toSyncPath(defaultSyncFolder(stack)),
  }));
}

export type StackConfig = z.output<ReturnType<typeof stackConfigFor>>;
