// Characters that make text read otherwise than it is. Every string setting, every folder and file name
// the renderer writes, and every key an error message shows are held to these two sets.

/** C0 controls (NUL … US, newline and tab included), DEL and C1 controls. */
export const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/;
/** Bidirectional embeddings, overrides and isolates: they make text read otherwise than it is (Trojan Source, CVE-2021-42574). */
export const BIDI_CONTROL = /[\u202a-\u202e\u2066-\u2069]/;

const UNPRINTABLE = new RegExp(`${CONTROL_CHARACTER.source}|${BIDI_CONTROL.source}`, "g");

/** A control or bidi character is in `text`. */
export const hasUnprintable = (text: string): boolean => CONTROL_CHARACTER.test(text) || BIDI_CONTROL.test(text);

/** `text` with every control and bidi character written as `\uXXXX`, so a message shows it and stays one line. */
export const escapeUnprintable = (text: string): string =>
  text.replace(UNPRINTABLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
