// The policy CLI (`npm run policy`) run in-process on a fixture repository (test/policies/fixtures/<case>, a
// repository root with its Pulumi.<env>.yaml) with the tests' rule configuration, its JSON output read back:
// each finding as `file:line level rule Kind namespace/name`, sorted, so a test states the exact set.
import assert from "node:assert/strict";
import { join } from "node:path";
import { main } from "../../policies/cli.ts";
import { ROOT } from "./paths.ts";

export const FIXTURES = join(ROOT, "test", "policies", "fixtures");
export const CONFIG = join(FIXTURES, "policy.json");

export interface PolicyRun {
  code: number;
  /** `file:line level rule Kind namespace/name`, sorted. */
  findings: string[];
  /** Each finding's message, in the order reported. */
  messages: string[];
  /** `file:line level rule Kind namespace/name: message`, sorted. */
  described: string[];
  errors: string[];
  notes: string[];
}

interface JsonFinding {
  file: string;
  line: number;
  level: string;
  rule: string;
  kind: string;
  namespace?: string;
  name: string;
  message: string;
}

/** `npm run policy -- --format json --config <config> --root <root> <args>`; stderr must stay empty unless `quietStderr` is false. */
export async function policy(
  root: string,
  args: string[] = [],
  options: { config?: string; quietStderr?: boolean } = {},
): Promise<PolicyRun> {
  let out = "";
  let err = "";
  const code = await main(["--format", "json", "--config", options.config ?? CONFIG, "--root", root, ...args], {
    out: (t) => (out += t),
    err: (t) => (err += t),
  });
  if (options.quietStderr ?? true) assert.equal(err, "", "json output: nothing on stderr");
  const r = JSON.parse(out) as {
    findings: JsonFinding[];
    errors: { file: string; message: string }[];
    notes: { file: string; message: string }[];
  };
  const id = (f: JsonFinding) => `${f.file}:${f.line} ${f.level} ${f.rule} ${f.kind} ${f.namespace ? `${f.namespace}/` : ""}${f.name}`;
  return {
    code,
    findings: r.findings.map(id).sort(),
    messages: r.findings.map((f) => f.message),
    described: r.findings.map((f) => `${id(f)}: ${f.message}`).sort(),
    errors: r.errors.map((e) => `${e.file}: ${e.message}`),
    notes: r.notes.map((n) => `${n.file}: ${n.message}`),
  };
}

/** Graph mode on a fixture: every environment Flux would apply, built as kustomize-controller builds. */
export const graph = (fixture: string, config?: string) => policy(join(FIXTURES, fixture), [], { config });
/** Paths mode on a fixture's files (default: the whole fixture). */
export const paths = (fixture: string, ...p: string[]) => policy(join(FIXTURES, fixture), p.length ? p : ["."]);
