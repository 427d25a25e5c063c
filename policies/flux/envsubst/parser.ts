// The parser of fluxcd/pkg envsubst v1.5.0 (envsubst/parse/parse.go): text and `${…}` expressions as a tree.
import { SubstitutionError, Unsupported } from "./bytes.ts";
import {
  type Accept,
  DOLLAR,
  ESCAPE_ALL,
  SCAN_ESCAPE,
  SCAN_IDENT,
  SCAN_LBRACK,
  SCAN_RBRACK,
  Scanner,
  Token,
  acceptCasingFunc,
  acceptColon,
  acceptDefaultFunc,
  acceptHashFunc,
  acceptIdent,
  acceptNotClosing,
  acceptNotSlash,
  acceptOneColon,
  acceptOneEqual,
  acceptOneHash,
  acceptPercentFunc,
  acceptReplaceFunc,
  acceptRune,
  acceptSlash,
  ch,
  rejectColonClose,
} from "./scanner.ts";

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
