// The repository folders flux-gitops writes to (a stack's sync folder, an environment's output folder):
// one rule, read by the stack config schema (a `syncPath` setting) and by the renderer's writer
// (infra/render/tree.ts, before it creates anything), so that no folder the schema refuses is ever written.
import { looksLikeRenderSibling, OUTPUT_FOLDER, syncPath } from "../contract.ts";
import { BIDI_CONTROL, CONTROL_CHARACTER } from "./text.ts";

/** Windows and macOS open these as Git's own folder: `.git` in any case, with trailing dots or spaces, or its 8.3 name. */
export const isGitFolder = (segment: string): boolean => /^(\.git|git~1)[. ]*$/i.test(segment);

/** A path written from the root of a file system or drive (`/x`, `\x`, `C:x`). */
export const isAbsoluteFolder = (path: string): boolean => path.startsWith("/") || path.startsWith("\\") || /^[A-Za-z]:/.test(path);

/**
 * The first rule `path` (relative to the repository root, `/`-separated, as a user writes it) breaks, as the end of a
 * sentence naming it ("must …"); undefined when the folder is one flux-gitops may write: no control or bidi
 * characters, relative, no `..`, no `.git` segment (in any of its spellings), no part named like the renderer's
 * staging folders, not the root, no backslash, no dot folder, and below `cluster/` (OUTPUT_FOLDER): the renderer
 * swaps the whole folder, and only `cluster/` is generated. Empty and `.` segments do not count (`cluster//dev` is
 * `cluster/dev`, as Git and Flux see it).
 */
export function folderProblem(path: string): string | undefined {
  if (CONTROL_CHARACTER.test(path)) return "must not contain control characters (newline, tab, NUL, ...)";
  if (BIDI_CONTROL.test(path)) return "must not contain bidirectional control characters (U+202A–U+202E, U+2066–U+2069)";
  if (isAbsoluteFolder(path)) return "must be a relative path inside the repository, not an absolute one";
  const { folder } = syncPath(path);
  const parts = folder.split(/[\\/]/);
  if (parts.includes("..")) return "must be a path inside the repository (no '..')";
  if (parts.some(isGitFolder)) return "must not contain a .git segment (Git's own folder, in any case or with trailing dots or spaces)";
  if (parts.some(looksLikeRenderSibling)) return "must not contain a part named like the renderer's staging folders (.<folder>.render-…)";
  if (folder === "" || folder === ".") return `must name a folder below the repository root (e.g. ${OUTPUT_FOLDER}/dev)`;
  if (folder.includes("\\")) return "must separate folders with '/', not '\\'";
  if (folder.split("/").some((segment) => segment.startsWith("."))) return "must not contain a dot folder (a part starting with '.')";
  if (!folder.startsWith(`${OUTPUT_FOLDER}/`)) {
    return `must lie below ${OUTPUT_FOLDER}/ (e.g. ${OUTPUT_FOLDER}/dev), the folder meant for output: npm run render replaces the whole folder`;
  }
  return undefined;
}
