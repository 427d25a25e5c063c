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
