// Source URLs compared by identity, not by text: `https://github.com/acme/../evil` is `https://github.com/evil`.
// A URL is normalised before any match (scp-like `git@host:path` becomes `ssh://host/path`; userinfo,
// default ports, `.`/`..` segments, trailing slashes and one trailing dot of the host go; scheme and host are
// lower-cased; a path with an encoded `/`, `\` or `%` is no URL at all), and a
// prefix matches only on a path boundary (`https://github.com/acme` does not match `.../acme-evil`).

const DEFAULT_PORTS: Record<string, string> = { "https:": "443", "http:": "80", "ssh:": "22" };
const SCP_LIKE = /^(?:[^@/\s]+@)?([^:/\s]+):(?!\/\/)(.*)$/;

/** The normalised form of a source URL, or undefined when it is not a URL at all. */
export function normalizeUrl(raw: string): string | undefined {
  let text = raw.trim();
  if (text === "") return undefined;
  const scp = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? null : SCP_LIKE.exec(text);
  if (scp) text = `ssh://${scp[1]}/${scp[2]}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  const scheme = url.protocol.toLowerCase();
  // `github.com.` is the fully qualified `github.com`: one trailing dot goes.
  const host = url.hostname.toLowerCase().replace(/\.$/, "");
  if (host === "" && scheme !== "file:") return undefined;
  const port = url.port && url.port !== DEFAULT_PORTS[scheme] ? `:${url.port}` : "";
  // Non-special schemes (ssh:, oci:, s3:) keep percent-encoded dots: decode them, then resolve dot segments.
  // An encoded `/` or `%` makes the path mean different things to different readers: not a URL we match.
  if (/%2f|%25|%5c/i.test(url.pathname)) return undefined;
  const segments: string[] = [];
  for (const seg of url.pathname.split("/")) {
    const s = seg.replace(/%2e/gi, ".");
    if (s === "" || s === ".") continue;
    if (s === "..") segments.pop();
    else segments.push(seg);
  }
  let path = segments.join("/");
  if (host === "github.com") path = path.toLowerCase().replace(/\.git$/, "");
  return `${scheme}//${host}${port}${path ? `/${path}` : ""}`;
}

/** True when `url` equals `prefix` or lies below it, both normalised, on a path boundary. */
export function urlUnder(url: string, prefix: string): boolean {
  const u = normalizeUrl(url);
  const p = normalizeUrl(prefix);
  if (u === undefined || p === undefined) return false;
  return u === p || u.startsWith(`${p}/`);
}

/**
 * A kustomization `resources`/`components` entry kustomize fetches over the network: a URL, `git::…`,
 * scp-like `git@host:path`, or `host.tld/path` (kustomize tries a local path first; graph mode only asks
 * about entries that are not local).
 */
export function isRemoteEntry(entry: string): boolean {
  return (
    /^[a-z][a-z0-9+.-]*:\/\//i.test(entry) ||
    entry.startsWith("git::") ||
    /^[\w.-]+@[\w.-]+:/.test(entry) ||
    /^[a-z0-9-]+(\.[a-z0-9-]+)+(:\d+)?\//i.test(entry)
  );
}

/** The URL a remote entry is fetched from (`git::` and the `?ref=` query aside), normalised; undefined if none. */
export function remoteEntryUrl(entry: string): string | undefined {
  const bare = entry.replace(/^git::/, "");
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(bare) || /^[\w.-]+@[\w.-]+:/.test(bare) ? bare : `https://${bare}`;
  return normalizeUrl(withScheme.replace(/\?.*$/, ""));
}
