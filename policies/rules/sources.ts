// Rules for where Flux pulls from: sources trusted by identity and URL, pinned refs and chart versions.
import { z } from "zod";
import { LABELS, SYNC_NAME } from "../../infra/contract.ts";
import { normalizeUrl, urlUnder } from "../urls.ts";
import { bucketUrl, installedCharts } from "./installers.ts";
import { describe, field, fluxKind, fluxNamespace, label, resourceRule, text } from "./model.ts";
import type { Subject } from "./model.ts";

export const SOURCE_KINDS = ["GitRepository", "OCIRepository", "HelmRepository", "Bucket"] as const;

/** A trusted source: `Kind/namespace/name`, and for source kinds the URL (prefix on path boundaries) it must have. */
const trustedSource = z.union([
  z
    .string()
    .regex(/^[A-Za-z]+\/[a-z0-9]([-a-z0-9]*[a-z0-9])?\/[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, "must be Kind/namespace/name")
    .transform((s) => {
      const [kind, namespace, name] = s.split("/") as [string, string, string];
      return { kind, namespace, name, url: undefined as string | undefined };
    }),
  z.strictObject({
    kind: z.string().min(1),
    namespace: z.string().min(1),
    name: z.string().min(1),
    url: z
      .string()
      .refine((u) => normalizeUrl(u) !== undefined, "must be a URL")
      .optional(),
  }),
]);
export type TrustedSource = z.output<typeof trustedSource>;
export const trustedSources = z.array(trustedSource).default([]);

/** The source a reference names, with its namespace defaulting to the referring object's. */
export function matches(entry: TrustedSource, kind: string, namespace: string | undefined, name: string): boolean {
  return entry.kind === kind && entry.name === name && entry.namespace === (namespace ?? "default");
}

/** URL of a source object: spec.url, or the URL source-controller fetches a Bucket from (per provider). */
export function sourceUrl(s: Subject): string | undefined {
  if (fluxKind(s) === "Bucket") return bucketUrl(field(s.props, "spec"));
  return text(field(s.props, "spec", "url"));
}

export const helmReleaseGitSourced = resourceRule({
  name: "helmrelease-git-sourced",
  description: "A HelmRelease takes its chart from a GitRepository.",
  enforcementLevel: "mandatory",
  origins: ["pulumi", "git"],
  config: z.strictObject({
    /**
     * Other sources allowed, by identity: `Kind/namespace/name` or `{kind, namespace, name, url}` (the url
     * the source must have; it is also trusted by git-source-allowed). Covers `chartRef` too.
     */
    allowedSources: trustedSources,
  }),
  check(s, config, report) {
    // A chart installed outside Flux (k3s/RKE2 HelmChart, Argo CD Helm source) comes from no GitRepository.
    for (const chart of installedCharts(s)) {
      report(
        `${describe(s)} installs ${chart.from}, around Flux and not from Git: describe it as a HelmRelease whose ` +
          "chart comes from a GitRepository.",
        chart.at,
      );
    }
    if (fluxKind(s) !== "HelmRelease") return;
    const chartRef = field(s.props, "spec", "chartRef");
    const ref = chartRef ?? field(s.props, "spec", "chart", "spec", "sourceRef");
    const at = chartRef !== undefined ? ["spec", "chartRef"] : ["spec", "chart", "spec", "sourceRef"];
    const kind = text(field(ref, "kind"));
    const name = text(field(ref, "name"));
    const namespace = text(field(ref, "namespace")) ?? s.namespace;
    const id = `${kind ?? "Kind"}/${namespace ?? "default"}/${name ?? "name"}`;
    // A reference resolves only to an object in Git (the YAML front end's lookup); one that is not there
    // lives in the cluster with a URL nobody checked. The sync GitRepository is Pulumi's (this repository).
    const unresolved = (refKind: string, refNamespace: string | undefined, refName: string | undefined, path: string[]) => {
      if (!s.complete || s.lookup === undefined || refName === undefined) return false;
      if (refKind === "GitRepository" && refName === SYNC_NAME && (refNamespace ?? "default") === fluxNamespace(s)) return false;
      if (s.lookup(refKind, refNamespace, refName)) return false;
      report(
        `${describe(s)} takes its chart from ${refKind}/${refNamespace ?? "default"}/${refName}, which is not in Git: ` +
          "what it points at cannot be checked; define the source in Git with the release.",
        path,
      );
      return true;
    };
    if (kind === "GitRepository" && chartRef === undefined) {
      unresolved("GitRepository", namespace, name, at);
      return;
    }
    if (kind === "HelmChart" && name !== undefined) {
      // A HelmChart built from a GitRepository (in Git, in the HelmChart's namespace) is Git-sourced.
      const chart = s.lookup?.("HelmChart", namespace, name);
      if (chart && text(field(chart.props, "spec", "sourceRef", "kind")) === "GitRepository") {
        unresolved("GitRepository", chart.namespace, text(field(chart.props, "spec", "sourceRef", "name")), at);
        return;
      }
    }
    const entry = kind && name ? config.allowedSources.find((e) => matches(e, kind, namespace, name)) : undefined;
    if (entry) {
      const source = s.lookup?.(kind!, namespace, name!);
      const url = source ? sourceUrl(source) : undefined;
      if (entry.url !== undefined && !source) unresolved(kind!, namespace, name, at);
      else if (entry.url !== undefined && source && (url === undefined || !urlUnder(url, entry.url))) {
        report(`${describe(s)} takes its chart from ${id}, which is allowed only from ${entry.url} but points at ${url ?? "no URL"}.`, at);
      }
      return;
    }
    const what = chartRef !== undefined ? `spec.chartRef (${id})` : kind ? id : "no source";
    report(
      `${describe(s)} takes its chart from ${what}: use spec.chart.spec with sourceRef.kind GitRepository ` +
        `(chart path in a Git repository), or allow {"kind","namespace","name","url"} of "${id}" in helmrelease-git-sourced.allowedSources.`,
      at,
    );
  },
});

export function isProduction(s: Subject, productionEnvironments: string[] = []): boolean {
  return (
    s.stack?.production === true ||
    label(s, LABELS.production) === "true" ||
    (s.environment !== undefined && productionEnvironments.includes(s.environment))
  );
}

/**
 * The ref source-controller checks out. Read at fluxcd/source-controller v1.9.1 (gitCheckout passes every
 * ref field on) and fluxcd/pkg git/gogit v0.43.0 (Client.clone): commit, then name, then tag, then semver,
 * then branch, and branch `master` when none is set. (The API comments put semver before tag; the code
 * checks tag first. Both pin.) An empty field counts as unset.
 */
export function checkoutRef(ref: unknown): { by: "commit" | "name" | "tag" | "semver" | "branch"; value: string; implicit?: true } {
  for (const by of ["commit", "name", "tag", "semver", "branch"] as const) {
    const value = text(field(ref, by));
    if (value !== undefined) return { by, value };
  }
  return { by: "branch", value: "master", implicit: true };
}

/** A checkout that cannot move: a commit, a tag, a semver range of tags, or a `refs/tags/` name. */
export function isPinned(ref: ReturnType<typeof checkoutRef>): boolean {
  return ref.by === "commit" || ref.by === "tag" || ref.by === "semver" || (ref.by === "name" && ref.value.startsWith("refs/tags/"));
}

export const gitRefPinned = resourceRule({
  name: "git-ref-pinned",
  description: "A GitRepository has a ref; in production environments it is a tag, semver range or commit.",
  enforcementLevel: "mandatory",
  origins: ["pulumi", "git"],
  config: z.strictObject({
    /** Environments treated as production besides stacks with production: true (and objects labelled so). */
    productionEnvironments: z.array(z.string().min(1)).default([]),
    /** GitRepositories in the stack's Flux namespace that may follow a branch in production (the sync repository tracks its branch). */
    branchAllowed: z.array(z.string().min(1)).default([SYNC_NAME]),
  }),
  check(s, config, report) {
    if (fluxKind(s) !== "GitRepository") return;
    const ref = checkoutRef(field(s.props, "spec", "ref"));
    const pinned = isPinned(ref);
    const exempt = config.branchAllowed.includes(s.name) && s.namespace === fluxNamespace(s);
    if (ref.implicit) {
      report(`${describe(s)} has no spec.ref: set ref.tag, ref.semver or ref.commit (ref.branch outside production).`, ["spec", "ref"]);
    } else if (!pinned && isProduction(s, config.productionEnvironments) && !exempt) {
      const what = ref.by === "name" ? `ref.name ${ref.value}, which Flux checks out ahead of ref.tag/semver/branch` : "a branch";
      report(
        `${describe(s)} follows ${what} in production: pin ref.tag, ref.semver or ref.commit ` +
          "(or ref.name refs/tags/...; promote by changing the pin in Git).",
        ["spec", "ref"],
      );
    }
  },
});

/** An exact version: `1.2.3`, `v1.2.3`, `=1.2.3`, with pre-release or build parts; no ranges, no wildcards. */
export const EXACT_VERSION = /^=?v?\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;
/** OCI tags that move: `latest`, branch-like names, `1.x`, `*`. */
const FLOATING_TAG = /^(latest|stable|main|master|edge|nightly|dev)$|(^|[.-])(x|X|\*)($|[.-])|[<>~^*|, ]/;

export const chartVersionPinned = resourceRule({
  name: "chart-version-pinned",
  description:
    "Charts from HelmRepository/OCI sources have an exact version (no range, no *, no floating tag); mandatory in production, advisory elsewhere.",
  enforcementLevel: "mandatory",
  origins: ["pulumi", "git"],
  config: z.strictObject({}),
  check(s, _config, report) {
    const kind = fluxKind(s);
    const relaxed = !isProduction(s);
    if (kind === "OCIRepository") {
      const ref = field(s.props, "spec", "ref");
      if (text(field(ref, "digest")) !== undefined) return;
      const semver = text(field(ref, "semver"))?.trim();
      const tag = text(field(ref, "tag"))?.trim();
      if (semver !== undefined ? !EXACT_VERSION.test(semver) : tag === undefined || FLOATING_TAG.test(tag)) {
        report(
          `${describe(s)} does not pin its artifact (${semver !== undefined ? `semver ${semver}` : `tag ${tag ?? "none"}`}): ` +
            "set spec.ref.digest, spec.ref.tag to a release (not latest, not 1.x) or spec.ref.semver to an exact version such as 1.2.3.",
          ["spec", "ref", semver !== undefined ? "semver" : "tag"],
          relaxed ? "advisory" : undefined,
        );
      }
      return;
    }
    const chartSpec =
      kind === "HelmRelease" ? field(s.props, "spec", "chart", "spec") : kind === "HelmChart" ? field(s.props, "spec") : undefined;
    if (text(field(chartSpec, "sourceRef", "kind")) !== "HelmRepository") return;
    const version = text(field(chartSpec, "version"))?.trim();
    if (version === undefined || !EXACT_VERSION.test(version)) {
      report(
        `${describe(s)} takes chart ${String(field(chartSpec, "chart") ?? "?")} from a HelmRepository without ` +
          `an exact version (${version ?? "none"}): set the chart version to a release such as 4.11.3.`,
        kind === "HelmRelease" ? ["spec", "chart", "spec", "version"] : ["spec", "version"],
        relaxed ? "advisory" : undefined,
      );
    }
  },
});
