// YAML front end: runs the object rules over the multi-document YAML files Flux syncs from Git.
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import yaml from "js-yaml";
import { LABELS } from "../infra/contract.ts";
import { field, kubernetesType, label, parseKubernetesType } from "./rules/model.ts";
import { stackFileLookup, type StackView } from "./stacks.ts";
import type { Subject } from "./rules/model.ts";
import type { RuleSetting } from "./config.ts";

export interface Finding {
  file: string;
  line: number;
  level: "advisory" | "mandatory";
  rule: string;
  kind: string;
  namespace?: string;
  name: string;
  message: string;
}

export interface InputError {
  file: string;
  message: string;
}

export interface CheckResult {
  findings: Finding[];
  errors: InputError[];
}

export interface CheckOptions {
  /** Where `Pulumi.<env>.yaml` lives (for the environment's `github:owner`); default: the working directory. */
  projectDir?: string;
}

const YAML_FILE = /\.ya?ml$/i;
const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Every .yaml/.yml file under the given files/directories (recursively), sorted; missing paths are errors. */
export function collectFiles(paths: string[]): { files: string[]; errors: InputError[] } {
  const files: string[] = [];
  const errors: InputError[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile() && YAML_FILE.test(entry.name)) files.push(path);
    }
  };
  for (const path of paths) {
    try {
      if (statSync(path).isDirectory()) walk(path);
      else files.push(path);
    } catch (e) {
      errors.push({ file: path, message: `cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}` });
    }
  }
  return { files: [...new Set(files)].sort(), errors };
}

/** Parses every document of a file with the 1-based line where each document's content starts. */
export function parseDocuments(source: string): { doc: unknown; line: number }[] {
  const lines: number[] = [];
  let depth = 0;
  const docs = yaml.loadAll(source, undefined, {
    listener(event, state) {
      if (event === "open") {
        if (depth++ === 0) lines.push(state.line + 1);
      } else depth--;
    },
  });
  return docs.map((doc, i) => ({ doc, line: lines[i] ?? 1 }));
}

function describeParseError(e: unknown): string {
  if (e instanceof yaml.YAMLException) return `line ${e.mark.line + 1}: invalid YAML: ${e.reason}`;
  if (e instanceof RangeError) return "invalid YAML: nested too deeply to read";
  return `invalid YAML: ${e instanceof Error ? e.message : String(e)}`;
}

const ENV_IN_PATH = /(?:^|[\\/])cluster[\\/]([^\\/]+)[\\/]/;

function toSubject(doc: unknown, file: string, stackOf: (env: string) => StackView): Subject | undefined {
  const apiVersion = field(doc, "apiVersion");
  const kind = field(doc, "kind");
  if (typeof apiVersion !== "string" || typeof kind !== "string" || apiVersion === "" || kind === "") return undefined;
  const name = field(doc, "metadata", "name");
  const namespace = field(doc, "metadata", "namespace");
  const subject: Subject = {
    type: kubernetesType(apiVersion, kind),
    name: typeof name === "string" ? name : "(unnamed)",
    namespace: typeof namespace === "string" ? namespace : undefined,
    props: doc as Record<string, unknown>,
    origin: "git",
    ancestors: [],
  };
  subject.environment = label(subject, LABELS.environment) ?? ENV_IN_PATH.exec(file)?.[1];
  if (subject.environment !== undefined) {
    const view = stackOf(subject.environment);
    subject.githubOwner = view.githubOwner;
    subject.stack = view.facts;
  }
  return subject;
}

/** Checks one file's text; a file that cannot be parsed yields an error and no findings. */
export function checkSource(
  file: string,
  source: string,
  settings: RuleSetting[],
  stackOf: (env: string) => StackView,
): { findings: Finding[]; error?: InputError } {
  let docs: unknown[];
  try {
    docs = yaml.loadAll(source);
  } catch (e) {
    return { findings: [], error: { file, message: describeParseError(e) } };
  }
  const active = settings.filter((s) => s.level !== "disabled" && s.rule.origins.includes("git"));
  const findings: Finding[] = [];
  const docOf: number[] = [];
  docs.forEach((doc, i) => {
    const subject = toSubject(doc, file, stackOf);
    if (!subject) return;
    const kind = parseKubernetesType(subject.type)?.kind ?? String(field(doc, "kind"));
    for (const { rule, level, config } of active) {
      if (rule.kind !== "resource") continue;
      rule.check(subject, config, (message) => {
        docOf.push(i);
        findings.push({
          file,
          line: 0,
          level: level as Finding["level"],
          rule: rule.name,
          kind,
          namespace: subject.namespace,
          name: subject.name,
          message,
        });
      });
    }
  });
  // Line numbers cost a second, listening parse; only files with findings pay for it.
  if (findings.length > 0) {
    const lines = parseDocuments(source).map((d) => d.line);
    findings.forEach((f, j) => {
      f.line = lines[docOf[j]!] ?? 1;
    });
  }
  return { findings };
}

export function checkPaths(paths: string[], settings: RuleSetting[], options: CheckOptions = {}): CheckResult {
  const { files, errors } = collectFiles(paths);
  const stackOf = stackFileLookup(options.projectDir ?? process.cwd());
  const findings: Finding[] = [];
  for (const file of files) {
    let source: string;
    try {
      const bytes = readFileSync(file);
      source = bytes.toString("utf8");
      if (source.includes("\uFFFD")) utf8.decode(bytes); // throws TypeError unless the U+FFFD was really in the file
    } catch (e) {
      errors.push({
        file,
        message: e instanceof TypeError ? "not UTF-8 text" : `cannot read: ${(e as NodeJS.ErrnoException).code ?? String(e)}`,
      });
      continue;
    }
    const result = checkSource(file, source, settings, stackOf);
    for (const f of result.findings) findings.push(f);
    if (result.error) errors.push(result.error);
  }
  return { findings, errors };
}

export function formatFinding(f: Finding): string {
  return `${f.file}:${f.line}  ${f.level}  ${f.rule}  ${f.kind} ${f.namespace ? `${f.namespace}/` : ""}${f.name}  ${f.message}`;
}
