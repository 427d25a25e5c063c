// The functions `${v…}` expressions map to, as fluxcd/pkg envsubst v1.5.0 funcs.go and lookupFunc define them
// (byte semantics; what cannot be imitated exactly throws Unsupported).
import { ENVSUBST, RUNE_ERROR, decodeRune, goMatch } from "../gomatch.ts";
import { Unsupported } from "./bytes.ts";

// ---------------------------------------------------------------------------------------------------
// Functions (funcs.go), on binary strings

const isAscii = (s: string) => !/[\x80-\xff]/.test(s);

function goAtoi(s: string): number | undefined {
  // strconv.Atoi: optional sign, decimal digits, within int64 (a larger value is an error)
  if (!/^[+-]?[0-9]+$/.test(s)) return undefined;
  const n = BigInt(s);
  if (n > 9223372036854775807n || n < -9223372036854775808n) return undefined;
  if (n > BigInt(Number.MAX_SAFE_INTEGER) || n < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new Unsupported(`offset ${s} (larger than this checker computes exactly)`);
  }
  return Number(n);
}

function toSubstr(s: string, args: string[]): string {
  if (args.length === 0) return s;
  let pos = goAtoi(args[0]!);
  if (pos === undefined) return s;
  if (pos < 0) pos = Math.max(0, s.length + pos);
  if (args.length === 1) return pos < s.length ? s.slice(pos) : "";
  const length = goAtoi(args[1]!);
  if (length === undefined) return s;
  if (pos + length >= s.length) return pos < s.length ? s.slice(pos) : "";
  // Go panics (slice bounds out of range) on a negative length that ends before pos; kustomize-controller
  // does not recover from it in SubstituteVariables.
  if (pos + length < pos) throw new Unsupported(`a negative length (${args[1]}) in \${…:${args[0]}:${args[1]}}`);
  return s.slice(pos, pos + length);
}

const replaceN = (s: string, old: string, rep: string, n: number): string => {
  if (old === "") throw new Unsupported("an empty pattern in ${…/…}");
  if (n < 0) return s.split(old).join(rep);
  const at = s.indexOf(old);
  return at < 0 ? s : s.slice(0, at) + rep + s.slice(at + old.length);
};

function reverseRunes(s: string, construct: string): string {
  const runes: string[] = [];
  for (let i = 0; i < s.length;) {
    const [r, n] = decodeRune(s, i);
    if (r === RUNE_ERROR && n === 1) throw new Unsupported(`${construct} on text that is not valid UTF-8`);
    runes.push(s.slice(i, i + n));
    i += n;
  }
  return runes.reverse().join("");
}

function trimShortest(s: string, arg: string): string {
  let shortest = "";
  for (let i = 0; i < s.length; i++) {
    let match: boolean;
    try {
      match = goMatch(arg, s.slice(0, s.length - i), ENVSUBST);
    } catch {
      return s;
    }
    if (match) shortest = s.slice(0, s.length - i);
  }
  return shortest !== "" && s.startsWith(shortest) ? s.slice(shortest.length) : s;
}

function trimLongest(s: string, arg: string): string {
  for (let i = 0; i < s.length; i++) {
    let match: boolean;
    try {
      match = goMatch(arg, s.slice(0, s.length - i), ENVSUBST);
    } catch {
      return s;
    }
    if (match) return s.slice(s.length - i);
  }
  return s;
}

function caseFn(name: string, s: string): string {
  const first = name.length === 1; // , and ^ change the first character only
  if (!isAscii(first ? s.slice(0, 1) : s)) throw new Unsupported(`\${…${name}} of non-ASCII text`);
  switch (name) {
    case ",":
      return s === "" ? s : s[0]!.toLowerCase() + s.slice(1);
    case ",,":
      return s.toLowerCase();
    case "^":
      return s === "" ? s : s[0]!.toUpperCase() + s.slice(1);
    default:
      return s.toUpperCase();
  }
}

/** lookupFunc and the function it returns, applied. */
export function apply(name: string, s: string, args: string[]): string {
  switch (name) {
    case ",":
    case ",,":
    case "^":
    case "^^":
      return caseFn(name, s);
    case "#":
      if (args.length === 0) return String(s.length);
      return trimShortest(s, args[0]!);
    case "##":
      return args.length ? trimLongest(s, args[0]!) : s;
    case "%":
      return args.length ? reverseRunes(trimShortest(reverseRunes(s, "${…%…}"), reverseRunes(args[0]!, "${…%…}")), "${…%…}") : s;
    case "%%":
      return args.length ? reverseRunes(trimLongest(reverseRunes(s, "${…%%…}"), reverseRunes(args[0]!, "${…%%…}")), "${…%%…}") : s;
    case ":":
      return toSubstr(s, args);
    case "/#":
      return args.length === 2 && s.startsWith(args[0]!) ? replaceN(s, args[0]!, args[1]!, 1) : s;
    case "/%":
      return args.length === 2 && s.endsWith(args[0]!) ? s.slice(0, s.length - args[0]!.length) + args[1]! : s;
    case "/":
      return args.length === 0 ? s : replaceN(s, args[0]!, args[1] ?? "", 1);
    case "//":
      return args.length === 0 ? s : replaceN(s, args[0]!, args[1] ?? "", -1);
    default:
      // "=", ":=", ":-", ":?", ":+", "-", "+" and anything else: toDefault
      return s.length === 0 && args.length > 0 ? args.join("") : s;
  }
}
