// The sync repository's URL (infra/grammar/sync-url.ts): what the program sets on the GitRepository and what the
// policies expect it to be.
import { test } from "node:test";
import assert from "node:assert/strict";
import { syncUrl } from "../../infra/grammar/sync-url.ts";

test("ssh://git@<host>/<owner>/<name>, the form source-controller's GitRepository takes for a deploy key", () => {
  assert.equal(syncUrl({ host: "github.com", owner: "remla25-team3", name: "operation" }), "ssh://git@github.com/remla25-team3/operation");
  assert.match(syncUrl({ host: "git.example.com", owner: "o", name: "r.git" }), /^(http|https|ssh):\/\/.*$/);
});
