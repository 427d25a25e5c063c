// The scanner of fluxcd/pkg envsubst v1.5.0 (envsubst/parse/scan.go), over the UTF-8 bytes as Go scans them.
import { RUNE_ERROR, decodeRune } from "../gomatch.ts";

// ---------------------------------------------------------------------------------------------------
// Scanner (parse/scan.go)

const EOF = 0;
export const Token = { Illegal: 0, EOF: 1, Ident: 2, Lbrack: 3, Rbrack: 4 } as const;
export type Token = (typeof Token)[keyof typeof Token];
export const SCAN_IDENT = 1;
export const SCAN_LBRACK = 2;
export const SCAN_RBRACK = 4;
export const SCAN_ESCAPE = 8;
export const DOLLAR = 1;
const BACKSLASH = 2;
export const ESCAPE_ALL = DOLLAR | BACKSLASH;

export type Accept = (r: number, i: number) => boolean;
export const ch = (c: string) => c.charCodeAt(0);

export class Scanner {
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
export const acceptRune: Accept = () => true;
export const acceptIdent: Accept = (r) => r === ch("_") || (r !== RUNE_ERROR && LETTER_OR_DIGIT.test(String.fromCodePoint(r)));
export const acceptColon: Accept = (r) => r === ch(":");
export const acceptOneHash: Accept = (r, i) => r === ch("#") && i === 1;
export const acceptNotClosing: Accept = (r) => r !== ch("}");
export const acceptHashFunc: Accept = (r, i) => r === ch("#") && i < 3;
export const acceptPercentFunc: Accept = (r, i) => r === ch("%") && i < 3;
export const acceptDefaultFunc: Accept = (r, i) =>
  (i === 1 && r === ch(":")) || (i === 2 && [ch("="), ch("-"), ch("?"), ch("+")].includes(r));
export const acceptReplaceFunc: Accept = (r, i) => (i === 1 && r === ch("/")) || (i === 2 && [ch("/"), ch("#"), ch("%")].includes(r));
export const acceptOneEqual: Accept = (r, i) => i === 1 && r === ch("=");
export const acceptOneColon: Accept = (r, i) => i === 1 && r === ch(":");
export const rejectColonClose: Accept = (r) => r !== ch(":") && r !== ch("}");
export const acceptSlash: Accept = (r) => r === ch("/");
export const acceptNotSlash: Accept = (r) => r !== ch("/");
export const acceptCasingFunc: Accept = (r, i) => (r === ch(",") || r === ch("^")) && i < 3;
