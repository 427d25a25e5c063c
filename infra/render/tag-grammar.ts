// Image tags as Flux's own libraries read them, so a value image automation wrote is accepted exactly
// when Flux could have written it (ownership.ts ownedValueProblem). Read upstream at the versions Flux
// 2.7.5 and 2.8.5 ship (image-reflector-controller v1.0.4 and v1.1.1; internal/policy is the same in both):
//   - numerical: internal/policy/numerical.go `strconv.ParseFloat(version, 64)`, any error refuses the tag
//     (Go src/strconv/atof.go and atoi.go underscoreOK);
//   - semver: internal/policy/semver.go → fluxcd/pkg/version v0.11.0/v0.12.0 `ParseVersion` (exactly three
//     dot-separated parts, then `semver.NewVersion`) → Masterminds/semver v3.4.0 version.go (CoerceNewVersion:
//     looseSemVerRegex, leading zeros allowed, prerelease validated);
//   - extract: internal/policy/filter.go `Regexp.ExpandString` (Go src/regexp/regexp.go expand/extract).

const lower = (c: string) => c.toLowerCase();
const isDigit = (c: string | undefined) => c !== undefined && c >= "0" && c <= "9";
const isHexLetter = (c: string | undefined) => c !== undefined && lower(c) >= "a" && lower(c) <= "f";

/** Go strconv/atoi.go underscoreOK: underscores only between digits, or between a base prefix and a digit. */
function underscoreOK(s: string): boolean {
  let saw = "^";
  let i = 0;
  if (s.length >= 1 && (s[0] === "-" || s[0] === "+")) s = s.slice(1);
  let hex = false;
  if (s.length >= 2 && s[0] === "0" && ["b", "o", "x"].includes(lower(s[1]!))) {
    i = 2;
    saw = "0";
    hex = lower(s[1]!) === "x";
  }
  for (; i < s.length; i++) {
    const c = s[i];
    if (isDigit(c) || (hex && isHexLetter(c))) {
      saw = "0";
      continue;
    }
    if (c === "_") {
      if (saw !== "0") return false;
      saw = "_";
      continue;
    }
    if (saw === "_") return false;
    saw = "!";
  }
  return saw !== "_";
}

/** Go strconv/atof.go special: "inf", "infinity" (optionally signed) and "nan", any case, as the whole string. */
function special(s: string): number | undefined {
  const m = /^([+-]?)(inf|infinity)$/i.exec(s);
  if (m) return m[1] === "-" ? -Infinity : Infinity;
  return /^nan$/i.test(s) ? NaN : undefined;
}

/**
 * Go's `strconv.ParseFloat(s, 64)`, or undefined where Go returns an error (ErrSyntax, or ErrRange on
 * overflow). Decimal: sign, digits with one optional `.`, optional `e` exponent; hexadecimal: `0x` mantissa
 * that needs a `p` exponent (`0x1p-2` is 0.25, `0x10` an error); no `0b`/`0o` floats; underscores between
 * digits (`1_000`); "inf", "infinity", "nan" in any case. The empty string is an error.
 */
export function goParseFloat(s: string): number | undefined {
  const sp = special(s);
  if (sp !== undefined) return sp;
  // readFloat, requiring the whole string to be read.
  let i = 0;
  let neg = false;
  if (s[i] === "+" || s[i] === "-") neg = s[i++] === "-";
  let hex = false;
  if (i + 2 < s.length && s[i] === "0" && lower(s[i + 1]!) === "x") {
    hex = true;
    i += 2;
  }
  const mantissaStart = i;
  let sawdot = false;
  let sawdigits = false;
  let underscores = false;
  for (; i < s.length; i++) {
    const c = s[i]!;
    if (c === "_") underscores = true;
    else if (c === ".") {
      if (sawdot) break;
      sawdot = true;
    } else if (isDigit(c) || (hex && isHexLetter(c))) sawdigits = true;
    else break;
  }
  if (!sawdigits) return undefined;
  const mantissa = s.slice(mantissaStart, i).replaceAll("_", "");
  let exponent = 0;
  if (i < s.length && lower(s[i]!) === (hex ? "p" : "e")) {
    i++;
    let esign = 1;
    if (s[i] === "+" || s[i] === "-") esign = s[i++] === "-" ? -1 : 1;
    if (!isDigit(s[i])) return undefined;
    let digits = "";
    for (; i < s.length && (isDigit(s[i]) || s[i] === "_"); i++) {
      if (s[i] === "_") underscores = true;
      else digits += s[i];
    }
    exponent = esign * Number(digits);
  } else if (hex) return undefined; // a hexadecimal mantissa needs a 'p' exponent
  if (i !== s.length) return undefined;
  if (underscores && !underscoreOK(s)) return undefined;
  let value: number;
  if (hex) {
    const [whole, fraction = ""] = mantissa.split(".");
    const bits = BigInt(`0x${whole || "0"}${fraction}`);
    value = bits === 0n ? 0 : Number(bits) * 2 ** (exponent - 4 * fraction.length);
  } else {
    value = Number(`${mantissa}e${exponent}`);
  }
  if (!Number.isFinite(value)) return undefined; // ErrRange: Flux refuses the tag
  return neg ? -value : value;
}

/** A version as Flux's semver policy reads a tag. */
export interface FluxVersion {
  major: bigint;
  minor: bigint;
  patch: bigint;
  prerelease: string;
}

/** Masterminds/semver v3.4.0 looseSemVerRegex, anchored (version.go). */
const LOOSE_SEMVER = /^v?([0-9]+)(\.[0-9]+)?(\.[0-9]+)?(-([0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*))?(\+([0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*))?$/;
const UINT64_MAX = 2n ** 64n - 1n;

/**
 * fluxcd/pkg/version ParseVersion (v0.11.0, v0.12.0): the tag has three dot-separated parts, then
 * Masterminds semver v3.4.0 `NewVersion` with coercion: `v1.2.3`, `1.02.3` (leading zeros), `1.2-rc.1`
 * (1.2.0-rc.1) are versions; `1.8`, `v1.8`, `1.2.3.4`, `1.2.3-01` (leading zero in a numeric prerelease
 * part) are not. Undefined when Flux would skip the tag.
 */
export function fluxSemver(tag: string): FluxVersion | undefined {
  if (tag.split(".").length < 3) return undefined;
  const m = LOOSE_SEMVER.exec(tag);
  if (m === null) return undefined;
  const [major, minor, patch] = [m[1], m[2]?.slice(1), m[3]?.slice(1)].map((p) => BigInt(p ?? "0"));
  if ([major!, minor!, patch!].some((n) => n > UINT64_MAX)) return undefined; // strconv.ParseUint range error
  const prerelease = m[5] ?? "";
  if (prerelease !== "" && prerelease.split(".").some((p) => /^[0-9]+$/.test(p) && p.length > 1 && p[0] === "0")) return undefined;
  return { major: major!, minor: minor!, patch: patch!, prerelease };
}

/**
 * Go's `Regexp.ExpandString(template)` for one match: `$name`/`${name}` (the longest run of letters,
 * digits and `_`), a number without leading zeros for a group index (below 1e8), `$$` for `$`, a malformed
 * `$` kept as text, an unknown or unmatched group as nothing.
 */
export function goExpand(template: string, match: RegExpExecArray): string {
  return template.replace(/\$\$|\$\{(\w+)\}|\$(\w+)/g, (whole, braced: string | undefined, bare: string | undefined) => {
    if (whole === "$$") return "$";
    const name = (braced ?? bare)!;
    const isIndex = /^[0-9]+$/.test(name) && !(name.length > 1 && name[0] === "0") && Number(name) < 1e8;
    return (isIndex ? match[Number(name)] : match.groups?.[name]) ?? "";
  });
}
