// Flux post-build variable substitution: the grammar and evaluation of fluxcd/pkg envsubst v1.5.0 (the
// version kustomize-controller v1.7.3 and v1.8.3 link, a fork of drone/envsubst), read from
// envsubst/parse/scan.go, parse/parse.go, template.go, funcs.go and path/match.go, and imitated step by
// step: the scanner works on the UTF-8 bytes as Go does (`${#var}` and `${var:pos:len}` count bytes),
// `$$` is `$` anywhere in the text, and every operator maps to the same function as lookupFunc:
//   ${v}  ${#v}  ${v^} ${v^^} ${v,} ${v,,}  ${v:pos} ${v:pos:len}  ${v#p} ${v##p} ${v%p} ${v%%p}
//   ${v/p/r} ${v//p/r} ${v/#p/r} ${v/%p/r}  and ${v=d} ${v:=d} ${v:-d} ${v-d} ${v:?d} ${v:+d} ${v+d},
// all of which (as in fluxcd/pkg, unlike bash) give the value when it is not empty, else the default.
// Flux's default (non-strict) mode maps an unknown variable to ""; strict mode
// (StrictPostBuildSubstitutions, off by default in kustomize-controller internal/features/features.go)
// fails on a plain `${v}` that is not set. A parse error fails Flux's whole build.
//
// What is not imitated exactly fails closed: case changes of non-ASCII text (Go's and JavaScript's Unicode
// tables differ), and a result that is not valid UTF-8 (a byte slice through a character) throw
// Unsupported naming the construct; the caller reports it as a content-verified finding.
//
// With `keepUnknown` (a substituteFrom object whose values live only in the cluster), an expression that
// reads a variable not known here makes the whole string unknown.

import type { Problem } from "../rules/model.ts";
import { BoundError, MAX_SUBSTITUTED_CHARS } from "../bounds.ts";
import { ENVSUBST, RUNE_ERROR, decodeRune, goMatch } from "./gomatch.ts";

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

const toBytes = (s: string) => Buffer.from(s, "utf8").toString("latin1");
function fromBytes(b: string, construct: string): string {
  const buf = Buffer.from(b, "latin1");
  const s = buf.toString("utf8");
  if (!Buffer.from(s, "utf8").equals(buf)) throw new Unsupported(`${construct} cuts a character in two (not valid UTF-8)`);
  return s;
}

// ---------------------------------------------------------------------------------------------------
// Scanner (parse/scan.go)

const EOF = 0;
const Token = { Illegal: 0, EOF: 1, Ident: 2, Lbrack: 3, Rbrack: 4 } as const;
type Token = (typeof Token)[keyof typeof Token];
const SCAN_IDENT = 1;
const SCAN_LBRACK = 2;
const SCAN_RBRACK = 4;
const SCAN_ESCAPE = 8;
const DOLLAR = 1;
const BACKSLASH = 2;
const ESCAPE_ALL = DOLLAR | BACKSLASH;

type Accept = (r: number, i: number) => boolean;
const ch = (c: string) => c.charCodeAt(0);

class Scanner {
  buf = "";
  pos = 0;
  start = 0;
  width = 0;
  mode = 0;
  escapeChars = 0;
  accept: Accept = () => true;

  init(buf: string) {
    this.buf = buf;
    this.pos = 0;
    this.start = 0;
    this.width = 0;
  }
  read(): number {
    if (this.pos >= this.buf.length) {
      this.width = 0;
      return EOF;
    }
    const [r, w] = decodeRune(this.buf, this.pos);
    this.width = w;
    this.pos += w;
    return r;
  }
  unread() {
    this.pos -= this.width;
  }
  skip() {
    this.buf = this.buf.slice(0, this.pos - 1) + this.buf.slice(this.pos);
  }
  peek(): number {
    const r = this.read();
    this.unread();
    return r;
  }
  string(): string {
    return this.buf.slice(this.start, this.pos);
  }
  scan(): Token {
    this.start = this.pos;
    const r = this.read();
    if (r === EOF && this.width === 0) return Token.EOF;
    if (this.scanLbrack(r)) return Token.Lbrack;
    if (this.scanRbrack(r)) return Token.Rbrack;
    if (this.scanIdent(r)) return Token.Ident;
    return Token.Illegal;
  }
  scanIdent(r: number): boolean {
    if ((this.mode & SCAN_IDENT) === 0) return false;
    if (this.scanEscaped(r)) this.skip();
    else if (!this.accept(r, this.pos - this.start)) return false;
    for (;;) {
      const next = this.read();
      if (next === EOF && this.width === 0) {
        this.unread();
        break;
      }
      if (this.scanLbrack(next)) {
        this.unread();
        this.unread();
        break;
      }
      if (this.scanEscaped(next)) {
        this.skip();
        continue;
      }
      if (!this.accept(next, this.pos - this.start)) {
        this.unread();
        break;
      }
    }
    return true;
  }
  scanLbrack(r: number): boolean {
    if ((this.mode & SCAN_LBRACK) === 0) return false;
    if (r === ch("$")) {
      if (this.read() === ch("{")) return true;
      this.unread();
    }
    return false;
  }
  scanRbrack(r: number): boolean {
    if ((this.mode & SCAN_RBRACK) === 0) return false;
    return r === ch("}");
  }
  scanEscaped(r: number): boolean {
    if ((this.mode & SCAN_ESCAPE) === 0) return false;
    if (r === ch("$") && (this.escapeChars & DOLLAR) !== 0 && this.peek() === ch("$")) return true;
    if (r === ch("\\") && (this.escapeChars & BACKSLASH) !== 0) {
      const p = this.peek();
      return p === ch("/") || p === ch("\\");
    }
    return false;
  }
}

// A NUL byte reads as Go's eof rune (0) too; the scanner tells them apart by width, as Go cannot: Go's
// scanner stops at a NUL inside an identifier. Text with NUL is refused (Unsupported) before parsing.

const LETTER_OR_DIGIT = /^[\p{L}\p{Nd}]$/u;
const acceptRune: Accept = () => true;
const acceptIdent: Accept = (r) => r === ch("_") || (r !== RUNE_ERROR && LETTER_OR_DIGIT.test(String.fromCodePoint(r)));
const acceptColon: Accept = (r) => r === ch(":");
const acceptOneHash: Accept = (r, i) => r === ch("#") && i === 1;
const acceptNotClosing: Accept = (r) => r !== ch("}");
const acceptHashFunc: Accept = (r, i) => r === ch("#") && i < 3;
const acceptPercentFunc: Accept = (r, i) => r === ch("%") && i < 3;
const acceptDefaultFunc: Accept = (r, i) => (i === 1 && r === ch(":")) || (i === 2 && [ch("="), ch("-"), ch("?"), ch("+")].includes(r));
const acceptReplaceFunc: Accept = (r, i) => (i === 1 && r === ch("/")) || (i === 2 && [ch("/"), ch("#"), ch("%")].includes(r));
const acceptOneEqual: Accept = (r, i) => i === 1 && r === ch("=");
const acceptOneColon: Accept = (r, i) => i === 1 && r === ch(":");
const rejectColonClose: Accept = (r) => r !== ch(":") && r !== ch("}");
const acceptSlash: Accept = (r) => r === ch("/");
const acceptNotSlash: Accept = (r) => r !== ch("/");
const acceptCasingFunc: Accept = (r, i) => (r === ch(",") || r === ch("^")) && i < 3;

// ---------------------------------------------------------------------------------------------------
// Parser (parse/parse.go)

export type Node =
  { type: "text"; value: string } | { type: "func"; param: string; name: string; args: Node[] } | { type: "list"; nodes: Node[] };

const EMPTY: Node = { type: "text", value: "" };
const bad = (what: string) => new SubstitutionError(what);

class Parser {
  private s = new Scanner();
  parse(buf: string): Node {
    this.s.init(buf);
    return this.parseAny();
  }
  private parseAny(): Node {
    const s = this.s;
    s.accept = acceptRune;
    s.mode = SCAN_IDENT | SCAN_LBRACK | SCAN_ESCAPE;
    s.escapeChars = DOLLAR;
    switch (s.scan()) {
      case Token.Ident: {
        const left: Node = { type: "text", value: s.string() };
        const right = this.parseAny();
        return right === EMPTY ? left : { type: "list", nodes: [left, right] };
      }
      case Token.EOF:
        return EMPTY;
      case Token.Lbrack: {
        const left = this.parseFunc();
        const right = this.parseAny();
        return right === EMPTY ? left : { type: "list", nodes: [left, right] };
      }
      default:
        throw bad("bad substitution");
    }
  }
  private parseFunc(): Node {
    const s = this.s;
    s.escapeChars = ESCAPE_ALL;
    if (s.peek() === ch("#")) return this.parseLenFunc();
    s.accept = acceptIdent;
    s.mode = SCAN_IDENT;
    if (s.scan() !== Token.Ident) throw bad("unable to parse variable name");
    const name = s.string();
    switch (s.peek()) {
      case ch(":"):
        return this.parseDefaultOrSubstr(name);
      case ch("="):
        return this.parseDefaultFunc(name);
      case ch(","):
      case ch("^"):
        return this.parseCasingFunc(name);
      case ch("/"):
        return this.parseReplaceFunc(name);
      case ch("#"):
        return this.parseRemoveFunc(name, acceptHashFunc);
      case ch("%"):
        return this.parseRemoveFunc(name, acceptPercentFunc);
    }
    s.accept = acceptIdent;
    s.mode = SCAN_RBRACK;
    if (s.scan() === Token.Rbrack) return { type: "func", param: name, name: "", args: [] };
    throw bad("missing closing brace");
  }
  private parseParam(accept: Accept, mode: number): Node {
    const s = this.s;
    s.accept = accept;
    s.mode = mode | SCAN_LBRACK;
    switch (s.scan()) {
      case Token.Lbrack:
        return this.parseFunc();
      case Token.Ident:
      case Token.Rbrack:
        return { type: "text", value: s.string() };
      default:
        throw bad("unable to parse substitution within function");
    }
  }
  private parseDefaultOrSubstr(name: string): Node {
    const s = this.s;
    s.read();
    const r = s.peek();
    s.unread();
    return [ch("="), ch("-"), ch("?"), ch("+")].includes(r) ? this.parseDefaultFunc(name) : this.parseSubstrFunc(name);
  }
  private parseSubstrFunc(name: string): Node {
    const s = this.s;
    const node = { type: "func" as const, param: name, name: "", args: [] as Node[] };
    s.accept = acceptOneColon;
    s.mode = SCAN_IDENT;
    if (s.scan() !== Token.Ident) throw bad("bad substitution");
    node.name = s.string();
    node.args.push(this.parseParam(rejectColonClose, SCAN_IDENT));
    s.accept = acceptColon;
    s.mode = SCAN_IDENT | SCAN_RBRACK;
    switch (s.scan()) {
      case Token.Rbrack:
        return node;
      case Token.Ident:
        break;
      default:
        throw bad("bad substitution");
    }
    node.args.push(this.parseParam(acceptNotClosing, SCAN_IDENT));
    this.consumeRbrack();
    return node;
  }
  private parseRemoveFunc(name: string, accept: Accept): Node {
    const s = this.s;
    const node = { type: "func" as const, param: name, name: "", args: [] as Node[] };
    s.accept = accept;
    s.mode = SCAN_IDENT;
    if (s.scan() !== Token.Ident) throw bad("bad substitution");
    node.name = s.string();
    node.args.push(this.parseParam(acceptNotClosing, SCAN_IDENT));
    this.consumeRbrack();
    return node;
  }
  private parseReplaceFunc(name: string): Node {
    const s = this.s;
    const node = { type: "func" as const, param: name, name: "", args: [] as Node[] };
    s.accept = acceptReplaceFunc;
    s.mode = SCAN_IDENT;
    if (s.scan() !== Token.Ident) throw bad("bad substitution");
    node.name = s.string();
    node.args.push(this.parseParam(acceptNotSlash, SCAN_IDENT | SCAN_ESCAPE));
    s.accept = acceptSlash;
    s.mode = SCAN_IDENT;
    if (s.scan() !== Token.Ident) throw bad("bad substitution");
    if (s.peek() === ch("}")) {
      this.consumeRbrack();
      return node;
    }
    node.args.push(this.parseParam(acceptNotClosing, SCAN_IDENT | SCAN_ESCAPE));
    this.consumeRbrack();
    return node;
  }
  private parseDefaultFunc(name: string): Node {
    const s = this.s;
    const node = { type: "func" as const, param: name, name: "", args: [] as Node[] };
    s.accept = s.peek() === ch("=") ? acceptOneEqual : acceptDefaultFunc;
    s.mode = SCAN_IDENT;
    if (s.scan() !== Token.Ident) throw bad("unable to parse default function");
    node.name = s.string();
    for (;;) {
      if (s.peek() === ch("}")) {
        this.consumeRbrack();
        return node;
      }
      node.args.push(this.parseParam(acceptNotClosing, SCAN_IDENT));
    }
  }
  private parseCasingFunc(name: string): Node {
    const s = this.s;
    const node = { type: "func" as const, param: name, name: "", args: [] as Node[] };
    s.accept = acceptCasingFunc;
    s.mode = SCAN_IDENT;
    if (s.scan() !== Token.Ident) throw bad("bad substitution");
    node.name = s.string();
    this.consumeRbrack();
    return node;
  }
  private parseLenFunc(): Node {
    const s = this.s;
    const node = { type: "func" as const, param: "", name: "", args: [] as Node[] };
    s.accept = acceptOneHash;
    s.mode = SCAN_IDENT;
    if (s.scan() !== Token.Ident) throw bad("bad substitution");
    node.name = s.string();
    s.accept = acceptIdent;
    s.mode = SCAN_IDENT;
    if (s.scan() !== Token.Ident) throw bad("bad substitution");
    node.param = s.string();
    this.consumeRbrack();
    return node;
  }
  private consumeRbrack() {
    this.s.mode = SCAN_RBRACK;
    if (this.s.scan() !== Token.Rbrack) throw bad("bad substitution");
  }
}

/** Parses a text (a binary string of UTF-8 bytes) as fluxcd/pkg envsubst/parse does; throws SubstitutionError. */
export function parse(bytes: string): Node {
  if (bytes.includes("\0")) throw new Unsupported("a NUL character next to a ${…} expression");
  return new Parser().parse(bytes);
}

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
function apply(name: string, s: string, args: string[]): string {
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

class UnknownValue extends Error {}

function evaluate(node: Node, opts: SubstituteOptions, out: string[], size = { n: 0 }): void {
  if (node.type === "text") {
    out.push(node.value);
    return;
  }
  if (node.type === "list") {
    for (const n of node.nodes) evaluate(n, opts, out, size);
    return;
  }
  const args = node.args.map((a) => {
    const buf: string[] = [];
    evaluate(a, opts, buf, size);
    return buf.join("");
  });
  const name = fromBytes(node.param, "a variable name");
  const known = Object.hasOwn(opts.vars, name);
  if (!known && opts.keepUnknown) throw new UnknownValue();
  const exists = opts.strict ? known : true;
  if (node.name === "" && !exists) throw new SubstitutionError(`variable not set (strict mode): "${name}"`);
  const value = known ? toBytes(opts.vars[name]!) : "";
  const result = apply(node.name, value, args);
  out.push(result);
  size.n += result.length;
  if (size.n > MAX_SUBSTITUTED_CHARS) {
    throw new BoundError(`post-build substitution grows a string past ${MAX_SUBSTITUTED_CHARS} bytes`);
  }
}

/**
 * Evaluates one text as envsubst.Eval does. `unknown`: it reads a variable whose value is not known here
 * (keepUnknown). Throws SubstitutionError (Flux fails too), Unsupported or BoundError.
 */
export function evaluateText(text: string, opts: SubstituteOptions): { text: string; unknown: boolean } {
  if (!text.includes("$")) return { text, unknown: false };
  const tree = parse(toBytes(text));
  const out: string[] = [];
  try {
    evaluate(tree, opts, out);
  } catch (e) {
    if (e instanceof UnknownValue) return { text, unknown: true };
    throw e;
  }
  return { text: fromBytes(out.join(""), "post-build substitution"), unknown: false };
}

/** Substitutes the variables in one string (errors propagate). */
export function substitute(text: string, opts: SubstituteOptions): string {
  return evaluateText(text, opts).text;
}

const SCALAR = /^(?:-?\d+(?:\.\d+)?|true|false|null)$/;

/** One string: its substituted text, or the problem that says why it is not checked as Flux applies it. */
function substituteTracked(text: string, opts: SubstituteOptions, where: string): { text: string; unknown: boolean; problem?: string } {
  try {
    return evaluateText(text, opts);
  } catch (e) {
    if (e instanceof SubstitutionError) {
      return { text, unknown: false, problem: `post-build substitution of ${where} fails (${e.message}): Flux would not apply this path` };
    }
    if (e instanceof Unsupported || e instanceof BoundError) {
      return { text, unknown: false, problem: `post-build substitution of ${where} is not evaluated here: ${e.message}` };
    }
    throw e;
  }
}

/**
 * Substitutes every string of an object, mapping keys included: Flux substitutes the YAML text and reads
 * it again (fluxcd/pkg kustomize/v1.27.1 kustomize_varsub.go: envsubst.Eval, then yaml.YAMLToJSON), so a
 * string that becomes a plain number or boolean is read as one, and a key is substituted like a value.
 * A key that collides with another after substitution (which one Flux keeps depends on its YAML reader)
 * or that holds a variable not known here, and a string whose substitution is not evaluated exactly, are
 * reported in `problems`. With `keepUnknown`, a value that holds a variable not known here counts as unset
 * (the empty string): its real value is not in Git.
 */
export function substituteObject(value: unknown, opts: SubstituteOptions, problems: Problem[] = [], path: string[] = []): unknown {
  if (typeof value === "string") {
    if (!value.includes("$")) return value;
    const result = substituteTracked(value, opts, path.join(".") || "a value");
    if (result.problem) {
      problems.push({ message: `${result.problem}: ${JSON.stringify(value)}`, at: path });
      return value;
    }
    if (result.unknown) return "";
    if (/^\$\{[^}]*\}$/.test(value) && SCALAR.test(result.text)) return JSON.parse(result.text) as unknown;
    return result.text;
  }
  if (Array.isArray(value)) return value.map((v, i) => substituteObject(v, opts, problems, [...path, String(i)]));
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    const from = new Map<string, string>();
    for (const [k, v] of Object.entries(value)) {
      const where = [...path, k];
      const key = k.includes("$") ? substituteTracked(k, opts, `key ${where.join(".")}`) : { text: k, unknown: false };
      if ("problem" in key && key.problem) {
        problems.push({ message: key.problem, at: path });
        continue;
      }
      if (key.unknown) {
        problems.push({ message: `key ${where.join(".")} holds a variable whose value is not known here`, at: path });
        continue;
      }
      if (Object.hasOwn(out, key.text)) {
        const other = from.get(key.text)!;
        problems.push({
          message:
            `keys ${[...path, other].join(".")} and ${where.join(".")} are both ${[...path, key.text].join(".")} after ` +
            "post-build substitution: which value Flux applies is not the one checked here",
          at: path,
        });
      }
      from.set(key.text, k);
      out[key.text] = substituteObject(v, opts, problems, where);
    }
    return out;
  }
  return value;
}
