// The rule no-plaintext-secrets called directly on Subjects (the shape both front ends build): its decisions, the field each
// finding points at, and its level. Its YAML and pack cases are the shared table's (test/support/analyzer-cases.ts).
import { test } from "node:test";
import assert from "node:assert/strict";
import { isSecretReference } from "../../../policies/rules/reconcile.ts";
import { check, obj } from "../../support/rule-subject.ts";

const secret = (data: Record<string, unknown>) => obj("Secret", data, { name: "token" });

test("isSecretReference: placeholders and references alone or joined by punctuation", () => {
  for (const v of [
    "${TOKEN}",
    "${SCHEME}://${HOST}:${PORT}",
    "op://vault/item/field",
    "vault://secret/data/x#y",
    "sops://x",
    "awssm://x",
    "gcpsm://x",
    "azkv://x",
    "ref+vault://x",
    "<path:secret/data/x#key>",
    "${A}-${B}",
  ]) {
    assert.ok(isSecretReference(v), v);
  }
  for (const v of ["hunter2", "${A}x", "pre${A}", "op://", "op:/x", "http://x", "<path:>", "${A} secret", "", "-"]) {
    assert.equal(isSecretReference(v), false, v);
  }
});

test("no-plaintext-secrets: Secret data decoded, stringData as is; the field named", () => {
  const b64 = (s: string) => Buffer.from(s).toString("base64");
  assert.deepEqual(check("no-plaintext-secrets", secret({ data: { a: b64("hunter2"), b: b64("${X}") } })), [
    {
      message:
        "Secret flux-system/token (a) committed in plaintext: encrypt it with SOPS (sops --encrypt --in-place <file>) and give the Kustomization a spec.decryption, reference the value (${VAR}, op://...), or create the Secret outside Git.",
      at: ["data"],
    },
  ]);
  assert.deepEqual(check("no-plaintext-secrets", secret({ stringData: { a: "hunter2", b: "${X}", c: "" } }))[0]!.at, ["stringData"]);
  assert.match(check("no-plaintext-secrets", secret({ stringData: { a: "x", b: "y" } }))[0]!.message, /\(a, b\) committed/);
  assert.deepEqual(check("no-plaintext-secrets", secret({ data: { a: b64("${X}") } })), [], "a base64 placeholder");
  assert.deepEqual(check("no-plaintext-secrets", secret({ data: { a: "" } })), []);
  assert.deepEqual(check("no-plaintext-secrets", secret({ stringData: { a: null } })), []);
  assert.equal(check("no-plaintext-secrets", secret({ stringData: { a: 42 } })).length, 1, "a number is a value");
  assert.equal(check("no-plaintext-secrets", secret({ data: { a: "not base64!" } })).length, 1, "not base64: checked as it is");
  assert.equal(check("no-plaintext-secrets", secret({ data: { a: "abc" } })).length, 1, "length not a multiple of 4");
  assert.equal(check("no-plaintext-secrets", secret({ data: { a: "//79" } })).length, 1, "bytes that are not UTF-8 stay base64 text");
  assert.deepEqual(check("no-plaintext-secrets", secret({ data: ["x"], stringData: "y" })), []);
  assert.deepEqual(check("no-plaintext-secrets", secret({ data: null, stringData: null })), []);
  assert.equal(check("no-plaintext-secrets", secret({ stringData: { a: b64("${X}") } })).length, 1, "stringData is never decoded");
  assert.deepEqual(check("no-plaintext-secrets", { ...secret({ stringData: { a: "x" } }), type: "github:index/x:Y" }), []);
  assert.deepEqual(check("no-plaintext-secrets", obj("HelmRelease", { secretGenerator: [{ literals: ["a=b"] }] })), []);
  assert.deepEqual(check("no-plaintext-secrets", obj("GitRepository", { stringData: { a: "x" } })), []);
});

test("no-plaintext-secrets: kustomize secretGenerator literals, by generator and key", () => {
  const kz = (secretGenerator: unknown) => obj("KustomizeConfig", { secretGenerator }, { name: "kustomization" });
  assert.deepEqual(check("no-plaintext-secrets", kz([{ name: "db", literals: ["user=${USER}", "password=hunter2=x", "empty="] }])), [
    {
      message:
        "kustomization secretGenerator literals (db.password) committed in plaintext: encrypt it with SOPS (sops --encrypt --in-place <file>) and give the Kustomization a spec.decryption, reference the value (${VAR}, op://...), or create the Secret outside Git.",
      at: ["secretGenerator"],
    },
  ]);
  assert.match(check("no-plaintext-secrets", kz([{ literals: ["a=b"] }]))[0]!.message, /\(\?\.a\)/);
  assert.match(
    check("no-plaintext-secrets", kz([{ name: "db", literals: ["a=b", "token=="] }]))[0]!.message,
    /\(db\.a, db\.token\) committed/,
  );
  assert.deepEqual(check("no-plaintext-secrets", kz([{ name: "db", literals: "a=b" }])), []);
  assert.deepEqual(check("no-plaintext-secrets", kz({ name: "db" })), []);
  assert.deepEqual(
    check("no-plaintext-secrets", obj("Kustomization", { secretGenerator: [{ literals: ["a=b"] }] })),
    [],
    "Flux's Kustomization has none",
  );
});
