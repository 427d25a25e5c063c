// The repository folder rule (infra/grammar/folder.ts): what the stack config accepts as a syncPath and what the
// renderer writes to are the same folders.
import { test } from "node:test";
import assert from "node:assert/strict";
import { folderProblem, isGitFolder } from "../../infra/grammar/folder.ts";

test("Git's own folder in every spelling Windows and macOS open as it", () => {
  for (const git of [".git", ".GIT", ".Git", "git~1", "GIT~1", ".git.", ".git ", ".git. .", "git~1."])
    assert.equal(isGitFolder(git), true, git);
  for (const other of ["git", ".github", ".gitx", "x.git", "git~2", ".git-crypt"]) assert.equal(isGitFolder(other), false, other);
});

test("each rule, with the message the schema and the renderer give", () => {
  const cases: [string, string | undefined][] = [
    ["cluster/dev", undefined],
    ["./cluster/dev/", undefined],
    ["cluster//dev", undefined],
    ["cluster/team-3/dev", undefined],
    ["cluster/de\nv", "must not contain control characters (newline, tab, NUL, ...)"],
    ["cluster/\u0085dev", "must not contain control characters (newline, tab, NUL, ...)"],
    ["cluster/de\u202ev", "must not contain bidirectional control characters (U+202A–U+202E, U+2066–U+2069)"],
    ["/cluster/dev", "must be a relative path inside the repository, not an absolute one"],
    ["\\cluster", "must be a relative path inside the repository, not an absolute one"],
    ["C:cluster", "must be a relative path inside the repository, not an absolute one"],
    ["cluster/../x", "must be a path inside the repository (no '..')"],
    ["cluster/.GIT", "must not contain a .git segment (Git's own folder, in any case or with trailing dots or spaces)"],
    ["cluster/git~1/dev", "must not contain a .git segment (Git's own folder, in any case or with trailing dots or spaces)"],
    ["cluster/.git.", "must not contain a .git segment (Git's own folder, in any case or with trailing dots or spaces)"],
    ["cluster/.dev.render-old-x", "must not contain a part named like the renderer's staging folders (.<folder>.render-…)"],
    [".", "must name a folder below the repository root (e.g. cluster/dev)"],
    ["cluster\\dev", "must separate folders with '/', not '\\'"],
    ["cluster/.hidden", "must not contain a dot folder (a part starting with '.')"],
    ["cluster", "must lie below cluster/ (e.g. cluster/dev), the folder meant for output: npm run render replaces the whole folder"],
    ["docs/dev", "must lie below cluster/ (e.g. cluster/dev), the folder meant for output: npm run render replaces the whole folder"],
  ];
  for (const [path, problem] of cases) assert.equal(folderProblem(path), problem, JSON.stringify(path));
});
