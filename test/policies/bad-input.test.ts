// Policy checker inputs beyond test/policy-cli.test.ts (which covers broken, duplicate-key, binary,
// empty, 100k-bracket, 10 MB multi-document and alias-bomb files): each odd file alone through
// `npm run policy`, with the exact shape of what the user sees — one line for the file, the summary,
// the documented exit code, no stack trace.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "../support/paths.ts";

const CLI = join(ROOT, "policies", "cli.ts");

const project = mkdtempSync(join(tmpdir(), "bad-policy-"));
writeFileSync(join(project, "Pulumi.dev.yaml"), "config:\n  github:owner: acme\n");
mkdirSync(join(project, "cluster", "dev"), { recursive: true });

function policy(file: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [CLI, file], { cwd: project });
  const out = { stdout: "", stderr: "" };
  child.stdout.on("data", (d) => (out.stdout += d));
  child.stderr.on("data", (d) => (out.stderr += d));
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, ...out })));
}

const secret = "apiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: web}\n";
// A merge-key chain: every level merges the one below (<<), 60 levels deep.
const merges = ["m0: &m0 {a: 1}", ...Array.from({ length: 59 }, (_, i) => `m${i + 1}: &m${i + 1} {<<: *m${i}, k${i + 1}: ${i + 1}}`)];

// [case, file content, exit code, the file's one error line (after "<file>: ") or null when it is readable]
const CASES: [string, string | Buffer, 0 | 1 | 2, RegExp | null][] = [
  [
    "deep block nesting",
    `${Array.from({ length: 5000 }, (_, i) => `${"  ".repeat(i)}k:\n`).join("")}${"  ".repeat(5000)}v\n`,
    2,
    /^line \d+: invalid YAML: nesting exceeded maxDepth/,
  ],
  [
    "deep values in a Secret",
    `${secret}stringData:\n  x: ${"[".repeat(3000)}1${"]".repeat(3000)}\n`,
    2,
    /^line 5: invalid YAML: nesting exceeded maxDepth/,
  ],
  ["UTF-16 with a byte order mark", Buffer.from(`\ufeff${secret}`, "utf16le"), 2, /^not UTF-8 text$/],
  ["a NUL byte", "apiVersion: v1\nkind: Config\u0000Map\n", 2, /^line \d+: invalid YAML: null byte is not allowed in input$/],
  ["tab indentation", "metadata:\n\tname: x\n", 2, /^line 2: invalid YAML: tab characters must not be used in indentation$/],
  // Unknown tags are read leniently (the tagged value as written), never executed.
  ["a custom tag (!Ref)", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: !Ref c}\n", 0, null],
  ["a custom tag on a Secret value", `${secret}stringData: {token: !env_var TOKEN}\n`, 1, null],
  ["a js-yaml code tag", "a: !!js/function 'function () { process.exit(3) }'\n", 0, null],
  ["a UTF-8 byte order mark", Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`${secret}data: {k: dg==}\n`)]), 1, null],
  ["a 10 MB single line", `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {x: "${"y".repeat(10_000_000)}"}\n`, 0, null],
  ["a merge-key chain", `${merges.join("\n")}\n`, 0, null],
  ["complex and __proto__ keys", `? [a, b]\n: c\n---\n__proto__: {kind: Secret}\n${secret}stringData: {a: b}\n`, 1, null],
  [
    "a number where a name belongs",
    "apiVersion: v1\nkind: Secret\nmetadata: {name: 123456789012345678901234567890, namespace: 7}\nstringData: {a: b}\n",
    1,
    null,
  ],
];

describe("odd inputs to the policy checker", { concurrency: 4 }, () => {
  CASES.forEach(([what, content, code, line], i) => {
    test(`${what}: exit ${code}`, async () => {
      const file = `cluster/dev/case-${i}.yaml`;
      writeFileSync(join(project, file), content);
      const r = await policy(file);
      assert.equal(r.code, code, r.stderr);
      assert.doesNotMatch(r.stderr, /\n\s+at |node:internal/, "no stack trace");
      const lines = r.stderr.split("\n").slice(0, -1);
      // The summary is always the last line; an unreadable file adds exactly one line before it.
      assert.match(
        lines.at(-1)!,
        /^policy: \d+ mandatory, \d+ advisory finding\(s\), \d+ unreadable file\(s\); checked \d+ object\(s\) in \d+ file\(s\) \(.*\)$/,
      );
      if (line === null) {
        assert.equal(lines.length, 1, r.stderr);
      } else {
        assert.equal(lines.length, 2, r.stderr);
        assert.ok(lines[0]!.startsWith(`${file}: `), lines[0]);
        assert.match(lines[0]!.slice(file.length + 2), line);
        assert.equal(r.stdout, "");
      }
      if (code === 1) assert.match(r.stdout, /^cluster\/dev\/case-\d+\.yaml:\d+ {2}mandatory {2}no-plaintext-secrets /);
    });
  });
});
