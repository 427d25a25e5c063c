// Rules for where Flux pulls from: Git sources on approved hosts, pinned refs and chart versions.
import { z } from "zod";
import { LABELS, SYNC_NAME } from "../../infra/contract.ts";
import { describe, field, fluxKind, label, resourceRule, text } from "./model.ts";
import type { Subject } from "./model.ts";

/** `Kind` or `Kind/name` entries matched against a source reference. */
function sourceAllowed(allowed: string[], kind: string, name: string | undefined): boolean {
  return allowed.includes(kind) || (name !== undefined && allowed.includes(`${kind}/${name}`));
}

export const helmReleaseGitSourced = resourceRule({
  name: "helmrelease-git-sourced",
  description: "A HelmRelease takes its chart from a GitRepository.",
  enforcementLevel: "mandatory",
  origins: ["pulumi", "git"],
  config: z.strictObject({
    /** Other sources allowed as `Kind` (e.g. `HelmRepository`) or `Kind/name` (e.g. `HelmRepository/ingress-nginx`); covers `chartRef` too. */
    allowedSources: z.array(z.string().min(1)).default([]),
  }),
  check(s, config, report) {
    if (fluxKind(s) !== "HelmRelease") return;
    const chartRef = field(s.props, "spec", "chartRef");
    if (chartRef !== undefined) {
      const kind = text(field(chartRef, "kind")) ?? "?";
      const name = text(field(chartRef, "name"));
      if (!sourceAllowed(config.allowedSources, kind, name)) {
        report(
          `${describe(s)} uses spec.chartRef (${kind}/${name ?? "?"}): use spec.chart.spec with ` +
            `sourceRef.kind GitRepository, or allow "${kind}/${name ?? "?"}" in helmrelease-git-sourced.allowedSources.`,
        );
      }
      return;
    }
    const ref = field(s.props, "spec", "chart", "spec", "sourceRef");
    const kind = text(field(ref, "kind"));
    const name = text(field(ref, "name"));
    if (kind === "GitRepository" || (kind !== undefined && sourceAllowed(config.allowedSources, kind, name))) return;
    report(
      `${describe(s)} takes its chart from ${kind ?? "no source"}${name ? `/${name}` : ""}: set ` +
        "spec.chart.spec.sourceRef.kind to GitRepository (chart path in a Git repository), or allow " +
        `"${kind ?? "Kind"}/${name ?? "name"}" in helmrelease-git-sourced.allowedSources.`,
    );
  },
});

const isSsh = (url: string) => url.startsWith("ssh://") || /^[\w.-]+@[^:/]+:/.test(url);

/**
 * `url` lowercased with its dot segments resolved as a client would (WHATWG URL: `..`, `%2e%2e`, `\`),
 * so `…/acme/../evil` is compared as `…/evil`. A URL that does not parse (scp-like `git@host:path`) is
 * kept as written, unless it has a dot segment, which then matches nothing.
 */
function normalisedUrl(url: string): string | undefined {
  try {
    return new URL(url).href.toLowerCase();
  } catch {
    return url.split(/[/\\:]/).some((seg) => /^(\.|%2e){1,2}$/i.test(seg)) ? undefined : url.toLowerCase();
  }
}

/** Whether `url` lies under `prefix` on a path boundary: `…/acme` covers `…/acme/x`, never `…/acme-evil/x`. */
function underPrefix(url: string, prefix: string): boolean {
  const normal = normalisedUrl(url);
  const base = prefix.endsWith(":") ? prefix.toLowerCase() : prefix.toLowerCase().replace(/\/*$/, "/");
  return normal !== undefined && normal.startsWith(normalisedUrl(base) ?? base);
}

export const gitSourceAllowed = resourceRule({
  name: "git-source-allowed",
  description: "A GitRepository points at an allowed host/owner, never plain http, and ssh sources carry a secretRef.",
  enforcementLevel: "mandatory",
  origins: ["pulumi", "git"],
  config: z.strictObject({
    /** URL prefixes allowed besides the stack's GitHub owner (github:owner), e.g. `https://github.com/acme/`. */
    allowedPrefixes: z.array(z.string().min(1)).default([]),
  }),
  check(s, config, report) {
    if (fluxKind(s) !== "GitRepository") return;
    const url = text(field(s.props, "spec", "url"));
    if (url === undefined) {
      report(`${describe(s)} has no spec.url: set it to the repository's ssh:// or https:// URL.`);
      return;
    }
    if (url.startsWith("http://")) {
      report(`${describe(s)} uses plain http (${url}): use https:// or ssh:// so the source is authenticated.`);
      return;
    }
    const owner = s.githubOwner?.toLowerCase();
    const prefixes = [
      ...(owner ? [`ssh://git@github.com/${owner}/`, `https://github.com/${owner}/`] : []),
      ...config.allowedPrefixes.map((p) => p.toLowerCase()),
    ];
    if (!prefixes.some((p) => underPrefix(url, p))) {
      report(
        `${describe(s)} pulls from ${url}, which is not an allowed source ` +
          `(${prefixes.length ? prefixes.join(", ") : "none configured"}): use a repository of the configured GitHub ` +
          "owner (github:owner) or add its prefix to git-source-allowed.allowedPrefixes.",
      );
    }
    if (isSsh(url) && text(field(s.props, "spec", "secretRef", "name")) === undefined) {
      report(
        `${describe(s)} uses ssh without spec.secretRef: reference the Secret holding identity, ` +
          "identity.pub and known_hosts (flux-system for the sync repository).",
      );
    }
  },
});

function isProduction(s: Subject, productionEnvironments: string[]): boolean {
  return (
    s.stack?.production === true ||
    label(s, LABELS.production) === "true" ||
    (s.environment !== undefined && productionEnvironments.includes(s.environment))
  );
}

export const gitRefPinned = resourceRule({
  name: "git-ref-pinned",
  description: "A GitRepository has a ref; in production environments it is a tag, semver range or commit.",
  enforcementLevel: "mandatory",
  origins: ["pulumi", "git"],
  config: z.strictObject({
    /** Environments treated as production besides objects labelled flux-gitops.io/production: "true". */
    productionEnvironments: z.array(z.string().min(1)).default([]),
    /** GitRepositories that may follow a branch in production (the sync repository itself tracks its branch). */
    branchAllowed: z.array(z.string().min(1)).default([SYNC_NAME]),
  }),
  check(s, config, report) {
    if (fluxKind(s) !== "GitRepository") return;
    const ref = field(s.props, "spec", "ref");
    const pinned =
      ["tag", "semver", "commit"].some((k) => text(field(ref, k)) !== undefined) ||
      (text(field(ref, "name"))?.startsWith("refs/tags/") ?? false);
    if (!pinned && text(field(ref, "branch")) === undefined && text(field(ref, "name")) === undefined) {
      report(`${describe(s)} has no spec.ref: set ref.tag, ref.semver or ref.commit (ref.branch outside production).`);
    } else if (!pinned && isProduction(s, config.productionEnvironments) && !config.branchAllowed.includes(s.name)) {
      report(
        `${describe(s)} follows a branch in production: pin ref.tag, ref.semver or ref.commit ` + "(promote by changing the pin in Git).",
      );
    }
  },
});

export const chartVersionPinned = resourceRule({
  name: "chart-version-pinned",
  description: "Charts from HelmRepository/OCI sources have an explicit version (not empty, not *).",
  enforcementLevel: "mandatory",
  origins: ["pulumi", "git"],
  config: z.strictObject({}),
  check(s, _config, report) {
    const kind = fluxKind(s);
    if (kind === "OCIRepository") {
      const ref = field(s.props, "spec", "ref");
      const semver = text(field(ref, "semver"));
      const tag = text(field(ref, "tag"));
      if (text(field(ref, "digest")) === undefined && (semver === undefined || semver === "*") && (tag === undefined || tag === "latest")) {
        report(`${describe(s)} does not pin its artifact: set spec.ref.tag (not latest), spec.ref.semver (not *) ` + "or spec.ref.digest.");
      }
      return;
    }
    const chartSpec =
      kind === "HelmRelease" ? field(s.props, "spec", "chart", "spec") : kind === "HelmChart" ? field(s.props, "spec") : undefined;
    if (text(field(chartSpec, "sourceRef", "kind")) !== "HelmRepository") return;
    const version = text(field(chartSpec, "version"))?.trim();
    if (version === undefined || version === "" || version === "*") {
      report(
        `${describe(s)} takes chart ${String(field(chartSpec, "chart") ?? "?")} from a HelmRepository without ` +
          "an explicit version: set the chart version to a release such as 4.11.3.",
      );
    }
  },
});
