// git-source-allowed: every source Flux (or another installer, or kustomize's remote bases) fetches from is an
// allowed URL: the stack's GitHub owner's, a configured prefix, or a source trusted by identity and URL.
import { z } from "zod";
import { isRemoteEntry, remoteEntryUrl, normalizeUrl, urlUnder } from "../urls.ts";
import { installedSources } from "./installers.ts";
import { describe, field, fluxKind, kubernetesType, resourceRule, text } from "./model.ts";
import type { Subject } from "./model.ts";
import { SOURCE_KINDS, matches, sourceUrl, trustedSources } from "./sources.ts";

const KUSTOMIZE_TYPE = kubernetesType("kustomize.config.k8s.io/v1beta1", "Kustomization");
const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

const isSsh = (url: string) => url.startsWith("ssh://") || /^[\w.-]+@[^:/]+:/.test(url);

export const gitSourceAllowed = resourceRule({
  name: "git-source-allowed",
  description:
    "A source (GitRepository, OCIRepository, HelmRepository, Bucket) points at an allowed URL, never plain http; ssh sources carry a secretRef.",
  enforcementLevel: "mandatory",
  origins: ["pulumi", "git"],
  config: z.strictObject({
    /** URL prefixes (on path boundaries) allowed for any source besides the stack's GitHub owner, e.g. `https://github.com/acme`. */
    allowedPrefixes: z.array(z.string().refine((u) => normalizeUrl(u) !== undefined, "must be a URL")).default([]),
    /** Sources trusted by identity and URL `{kind, namespace, name, url}` (entries of helmrelease-git-sourced.allowedSources count too). */
    allowedSources: trustedSources,
  }),
  check(s, config, report) {
    const owner = s.githubOwner?.toLowerCase();
    const ownerPrefixes = owner ? [`ssh://github.com/${owner}`, `https://github.com/${owner}`] : [];
    if (s.type === KUSTOMIZE_TYPE) return checkRemoteBases(s, [...ownerPrefixes, ...config.allowedPrefixes], report);
    checkInstallerSources(s, ownerPrefixes, config.allowedPrefixes, report);
    checkFluxSource(s, ownerPrefixes, config, report);
  },
});

type Report = (message: string, at?: string[]) => void;

/** Remote bases: kustomize fetches them at build time, a source like any other. */
function checkRemoteBases(s: Subject, prefixes: string[], report: Report): void {
  for (const key of ["resources", "components", "bases"]) {
    for (const entry of asList(field(s.props, key))) {
      if (typeof entry !== "string" || !isRemoteEntry(entry)) continue;
      if (s.stack?.noRemoteBases) {
        report(
          `kustomization ${s.name} takes remote base ${entry}, but the stack sets flux.multitenancy.noRemoteBases: ` +
            "kustomize-controller refuses to build it. Vendor the files into this repository.",
          [key],
        );
        continue;
      }
      const url = remoteEntryUrl(entry);
      if (url === undefined || !prefixes.some((p) => urlUnder(url, p))) {
        report(
          `kustomization ${s.name} takes remote base ${entry}, which is not an allowed source ` +
            `(${prefixes.length ? prefixes.join(", ") : "none configured"}): vendor the files into this repository, ` +
            "or add its prefix to git-source-allowed.allowedPrefixes.",
          [key],
        );
      }
    }
  }
}

/**
 * Objects besides Flux's sources that fetch from a URL (FluxInstance, k3s HelmChart, Argo CD): the same prefixes
 * hold (the owner's for Git URLs), never plain http; identity trust is for Flux sources only.
 */
function checkInstallerSources(s: Subject, ownerPrefixes: string[], allowedPrefixes: string[], report: Report): void {
  for (const src of installedSources(s)) {
    const who = `${describe(s)} (${src.what})`;
    if (src.url === undefined) report(`${who} has no ${src.at.join(".")}: set the URL it pulls from.`, src.at);
    else if (/^http:\/\//i.test(src.url)) report(`${who} uses plain http (${src.url}): use https://, oci:// or ssh://.`, src.at);
    else {
      const prefixes = [...(src.git ? ownerPrefixes : []), ...allowedPrefixes];
      if (!prefixes.some((p) => urlUnder(src.url!, p))) {
        report(
          `${who} pulls from ${src.url}, which is not an allowed source ` +
            `(${prefixes.length ? prefixes.join(", ") : "none configured"}): use a repository of the configured GitHub ` +
            "owner (github:owner) or add its prefix to git-source-allowed.allowedPrefixes.",
          src.at,
        );
      }
    }
  }
}

/** A Flux source: an allowed URL (by prefix, or trusted by identity), never plain http, ssh with a secretRef. */
function checkFluxSource(
  s: Subject,
  ownerPrefixes: string[],
  config: { allowedPrefixes: string[]; allowedSources: z.infer<typeof trustedSources> },
  report: Report,
): void {
  const kind = fluxKind(s);
  if (kind === undefined || !(SOURCE_KINDS as readonly string[]).includes(kind)) return;
  // A gcp Bucket never reads spec.endpoint: its URL comes from spec.bucketName.
  const at =
    kind === "Bucket" ? (field(s.props, "spec", "provider") === "gcp" ? ["spec", "bucketName"] : ["spec", "endpoint"]) : ["spec", "url"];
  const url = sourceUrl(s);
  if (url === undefined) {
    report(`${describe(s)} has no ${at.join(".")}: set the URL it pulls from.`, at);
    return;
  }
  if (/^http:\/\//i.test(url)) {
    report(`${describe(s)} uses plain http (${url}): use https://, oci:// or ssh:// so the source is authenticated.`, at);
    return;
  }
  const prefixes = [...(kind === "GitRepository" ? ownerPrefixes : []), ...config.allowedPrefixes];
  const trusted = config.allowedSources.filter((e) => e.url !== undefined && matches(e, kind, s.namespace, s.name));
  const allowed = prefixes.some((p) => urlUnder(url, p)) || trusted.some((e) => urlUnder(url, e.url!));
  if (!allowed) {
    const allowList = [...prefixes, ...trusted.map((e) => e.url!)];
    report(
      `${describe(s)} pulls from ${url}, which is not an allowed source ` +
        `(${allowList.length ? allowList.join(", ") : "none configured"}): use a repository of the configured GitHub ` +
        "owner (github:owner), add its prefix to git-source-allowed.allowedPrefixes, or trust " +
        `{"kind":"${kind}","namespace":"${s.namespace ?? "default"}","name":"${s.name}","url":...} in allowedSources.`,
      at,
    );
  }
  if (kind === "GitRepository" && isSsh(url) && text(field(s.props, "spec", "secretRef", "name")) === undefined) {
    report(
      `${describe(s)} uses ssh without spec.secretRef: reference the Secret holding identity, ` +
        "identity.pub and known_hosts (flux-system for the sync repository).",
      at,
    );
  }
}

/** Production comes from the stack config; a label or the rule's list can only add to it, never take away. */
