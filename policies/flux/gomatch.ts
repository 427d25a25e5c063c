// Go's shell-pattern matching on UTF-8 bytes, for the two places the checker imitates it:
//   - path/filepath.Match (Go 1.24 src/path/filepath/match.go, on Linux: `/` is the separator, `\` escapes),
//     which go-git's gitignore and its copy in fluxcd/pkg sourceignore/gitignore call per path element;
//   - fluxcd/pkg envsubst/v1.5.0 path/match.go, a copy of path.Match where a trailing `*` matches the rest
//     of the string, `*` crosses `/` and `?` matches `/` (used by ${v#p} ${v##p} ${v%p} ${v%%p}).
// Strings are "binary strings" (one UTF-8 byte per UTF-16 unit, Buffer latin1), so byte offsets are Go's.

export const RUNE_ERROR = 0xfffd;

/** utf8.DecodeRuneInString over a binary string: [rune, width]; invalid bytes decode as RuneError, width 1. */
export function decodeRune(s: string, at: number): [number, number] {
  if (at >= s.length) return [RUNE_ERROR, 0];
  const b0 = s.charCodeAt(at);
  if (b0 < 0x80) return [b0, 1];
  const need = b0 >= 0xf0 && b0 <= 0xf4 ? 4 : b0 >= 0xe0 && b0 < 0xf0 ? 3 : b0 >= 0xc2 && b0 < 0xe0 ? 2 : 0;
  if (need === 0 || at + need > s.length) return [RUNE_ERROR, 1];
  const bytes = Buffer.from(s.slice(at, at + need), "latin1");
  const cp = bytes.toString("utf8").codePointAt(0)!;
  if (Buffer.from(String.fromCodePoint(cp), "utf8").equals(bytes)) return [cp, need];
  return [RUNE_ERROR, 1];
}

export const toBinary = (s: string) => Buffer.from(s, "utf8").toString("latin1");

export interface MatchFlavour {
  /** filepath.Match: `*` and `?` stop at `/`; envsubst: they do not, and a trailing `*` matches anything. */
  separator: boolean;
}
export const FILEPATH: MatchFlavour = { separator: true };
export const ENVSUBST: MatchFlavour = { separator: false };

/** ErrBadPattern. */
export class BadPattern extends Error {
  override name = "BadPattern";
}

function scanChunk(pattern: string): { star: boolean; chunk: string; rest: string } {
  let star = false;
  while (pattern.length > 0 && pattern[0] === "*") {
    pattern = pattern.slice(1);
    star = true;
  }
  let inRange = false;
  let i = 0;
  scan: for (; i < pattern.length; i++) {
    switch (pattern[i]) {
      case "\\":
        if (i + 1 < pattern.length) i++;
        break;
      case "[":
        inRange = true;
        break;
      case "]":
        inRange = false;
        break;
      case "*":
        if (!inRange) break scan;
        break;
      default:
        break;
    }
  }
  return { star, chunk: pattern.slice(0, i), rest: pattern.slice(i) };
}

function getEsc(chunk: string): [number, string] {
  if (chunk.length === 0 || chunk[0] === "-" || chunk[0] === "]") throw new BadPattern();
  if (chunk[0] === "\\") {
    chunk = chunk.slice(1);
    if (chunk.length === 0) throw new BadPattern();
  }
  const [r, n] = decodeRune(chunk, 0);
  if (r === RUNE_ERROR && n === 1) throw new BadPattern();
  const next = chunk.slice(n);
  if (next.length === 0) throw new BadPattern();
  return [r, next];
}

/** The rest of `s` after `chunk` matched its start, or undefined; BadPattern on a malformed chunk. */
function matchChunk(chunk: string, s: string, f: MatchFlavour): string | undefined {
  while (chunk.length > 0) {
    if (s.length === 0) return undefined;
    switch (chunk[0]) {
      case "[": {
        const [r, n] = decodeRune(s, 0);
        s = s.slice(n);
        chunk = chunk.slice(1);
        if (f.separator && chunk.length === 0) throw new BadPattern();
        let negated = false;
        if (chunk.length > 0 && chunk[0] === "^") {
          negated = true;
          chunk = chunk.slice(1);
        }
        let match = false;
        let nrange = 0;
        for (;;) {
          if (chunk.length > 0 && chunk[0] === "]" && nrange > 0) {
            chunk = chunk.slice(1);
            break;
          }
          let lo: number;
          let hi: number;
          [lo, chunk] = getEsc(chunk);
          hi = lo;
          if (chunk[0] === "-") [hi, chunk] = getEsc(chunk.slice(1));
          if (lo <= r && r <= hi) match = true;
          nrange++;
        }
        if (match === negated) return undefined;
        break;
      }
      case "?": {
        if (f.separator && s[0] === "/") return undefined;
        const [, n] = decodeRune(s, 0);
        s = s.slice(n);
        chunk = chunk.slice(1);
        break;
      }
      default:
        if (chunk[0] === "\\") {
          chunk = chunk.slice(1);
          if (chunk.length === 0) throw new BadPattern();
        }
        if (chunk[0] !== s[0]) return undefined;
        s = s.slice(1);
        chunk = chunk.slice(1);
    }
  }
  return s;
}

/** Go's Match(pattern, name) in the given flavour: true or false; throws BadPattern (Go's error). */
export function goMatch(pattern: string, name: string, f: MatchFlavour): boolean {
  outer: while (pattern.length > 0) {
    const { star, chunk, rest } = scanChunk(pattern);
    pattern = rest;
    if (star && chunk === "") return f.separator ? !name.includes("/") : true;
    let t: string | undefined;
    let err: unknown;
    try {
      t = matchChunk(chunk, name, f);
    } catch (e) {
      err = e;
    }
    if (t !== undefined && (t.length === 0 || pattern.length > 0)) {
      name = t;
      continue;
    }
    if (err) throw err;
    if (star) {
      for (let i = 0; i < name.length && !(f.separator && name[i] === "/"); i++) {
        const r = matchChunk(chunk, name.slice(i + 1), f);
        if (r !== undefined) {
          if (pattern.length === 0 && r.length > 0) continue;
          name = r;
          continue outer;
        }
      }
    }
    return false;
  }
  return name.length === 0;
}
