// What a SOPS-encrypted Secret looks like, shared by the renderer (which never writes a plaintext Secret)
// and the policies (no-plaintext-secrets). Pure: no imports. A `sops.mac` alone proves nothing (anyone can
// write one): every value under `data` and `stringData` must be a SOPS ciphertext, whatever the file's
// `encrypted_regex` / `unencrypted_regex` / `encrypted_suffix` / `unencrypted_suffix` say (a key those
// settings leave unencrypted is plaintext in Git, and counts as such).

/** One value as `sops --encrypt` writes it: `ENC[AES256_GCM,data:…,iv:…,tag:…,type:…]`. */
const SOPS_VALUE = /^ENC\[AES256_GCM,data:[A-Za-z0-9+/=]*,iv:[A-Za-z0-9+/=]+,tag:[A-Za-z0-9+/=]+,type:[a-z]+\]$/;

export function isSopsCiphertext(value: unknown): boolean {
  return typeof value === "string" && SOPS_VALUE.test(value);
}

const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/** The document carries SOPS metadata whose MAC is itself a SOPS ciphertext. */
export function hasSopsMetadata(doc: unknown): boolean {
  return isMap(doc) && isMap(doc.sops) && isSopsCiphertext(doc.sops.mac);
}

/**
 * The `data` / `stringData` keys of a Secret document whose value is not a SOPS ciphertext (all of them
 * when the document has no valid SOPS metadata), as `data.<key>` / `stringData.<key>`.
 */
export function unencryptedSecretKeys(doc: unknown): string[] {
  const metadata = hasSopsMetadata(doc);
  const out: string[] = [];
  for (const key of ["data", "stringData"]) {
    const map = isMap(doc) ? doc[key] : undefined;
    if (!isMap(map)) continue;
    for (const [k, v] of Object.entries(map)) if (!metadata || !isSopsCiphertext(v)) out.push(`${key}.${k}`);
  }
  return out;
}

/** A Secret document SOPS encrypted: valid metadata and every data/stringData value a ciphertext. */
export function isSopsEncrypted(doc: unknown): boolean {
  return hasSopsMetadata(doc) && unencryptedSecretKeys(doc).length === 0;
}

/**
 * A whole document SOPS encrypted in its YAML/JSON (or binary: a JSON envelope) store: valid metadata and
 * every leaf outside `sops` a ciphertext. Walks each node once, at most 100,000 of them.
 */
export function isSopsEncryptedTree(doc: unknown): boolean {
  if (!hasSopsMetadata(doc)) return false;
  const seen = new Set<unknown>();
  const stack: unknown[] = Object.entries(doc as Record<string, unknown>)
    .filter(([k]) => k !== "sops")
    .map(([, v]) => v);
  let leaves = 0;
  while (stack.length) {
    const v = stack.pop();
    if (seen.size > 100_000) return false;
    if (v !== null && typeof v === "object") {
      if (seen.has(v)) continue;
      seen.add(v);
      for (const c of Array.isArray(v) ? v : Object.values(v)) stack.push(c);
    } else if (isSopsCiphertext(v)) leaves++;
    else return false;
  }
  return leaves > 0;
}

/**
 * Whether the `KEY=VALUE` pairs of a dotenv text (or the keys of a Secret generated from one) are SOPS's
 * dotenv store: a `sops_mac` ciphertext, and every other key a ciphertext unless it is `sops_` metadata.
 */
export function isSopsDotenv(pairs: [string, string][]): boolean {
  if (!pairs.some(([k, v]) => k === "sops_mac" && isSopsCiphertext(v))) return false;
  return pairs.every(([k, v]) => SOPS_DOTENV_METADATA.test(k) || isSopsCiphertext(v));
}

/**
 * The keys SOPS's dotenv store writes its metadata under (getsops/sops stores/dotenv: the metadata flattened
 * with the `sops_` prefix, lists as `__list_<n>__map_<key>`); any other key must hold a ciphertext.
 */
const SOPS_DOTENV_METADATA =
  /^sops_(version|mac|lastmodified|mac_only_encrypted|shamir_threshold|(un)?encrypted_(suffix|regex|comment_regex)|(age|pgp|kms|gcp_kms|azure_kv|hc_vault|key_groups)__list_\d+__map_[a-z_]+)$/;

/** The pairs of a dotenv text (comments and blank lines left out), or undefined when a line is none. */
export function dotenvPairs(text: string): [string, string][] | undefined {
  const out: [string, string][] = [];
  for (const line of text.split("\n")) {
    const l = line.trim();
    if (l === "" || l.startsWith("#")) continue;
    const at = l.indexOf("=");
    if (at <= 0) return undefined;
    out.push([l.slice(0, at), l.slice(at + 1)]);
  }
  return out;
}
