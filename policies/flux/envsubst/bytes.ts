// fluxcd/pkg envsubst v1.5.0 works on UTF-8 bytes (Go strings): the options of a substitution, its errors, and the
// byte view of a JavaScript string (each byte one latin1 character) and back.

export interface SubstituteOptions {
  vars: Record<string, string>;
  keepUnknown: boolean;
  /** StrictPostBuildSubstitutions: a plain `${v}` that is not set is an error. */
  strict?: boolean;
}

/** A parse error, as fluxcd/pkg envsubst/parse reports it (Flux fails the build). */
export class SubstitutionError extends Error {
  override name = "SubstitutionError";
}

/** A construct whose result this checker does not compute exactly. */
export class Unsupported extends Error {
  override name = "Unsupported";
}

// ---------------------------------------------------------------------------------------------------
// Bytes: a "binary string" holds one UTF-8 byte per UTF-16 unit (0-255), so lengths and slices are Go's.

export const toBytes = (s: string) => Buffer.from(s, "utf8").toString("latin1");
export function fromBytes(b: string, construct: string): string {
  const buf = Buffer.from(b, "latin1");
  const s = buf.toString("utf8");
  if (!Buffer.from(s, "utf8").equals(buf)) throw new Unsupported(`${construct} cuts a character in two (not valid UTF-8)`);
  return s;
}
