// Control and bidi characters (infra/grammar/text.ts).
import { test } from "node:test";
import assert from "node:assert/strict";
import { escapeUnprintable, hasUnprintable } from "../../infra/grammar/text.ts";

test("C0, DEL, C1 and the bidi controls are unprintable; other text is not", () => {
  for (const c of ["\u0000", "\t", "\n", "\r", "\u001f", "\u007f", "\u0085", "\u009f", "\u202a", "\u202e", "\u2066", "\u2069"]) {
    assert.equal(hasUnprintable(`a${c}b`), true, JSON.stringify(c));
  }
  for (const text of ["plain", "é ü ß", "日本", "\u00a0", "\u200b", "\u2067x".slice(1), "\u2070"])
    assert.equal(hasUnprintable(text), false, text);
});

test("escapeUnprintable writes each one as \\uXXXX and leaves the rest", () => {
  assert.equal(escapeUnprintable("a\nb\u202ec\u0085é"), "a\\u000ab\\u202ec\\u0085é");
  assert.equal(escapeUnprintable("plain"), "plain");
});
