// The render path's type check of the definitions. Node runs the definitions by stripping their types,
// so a misspelt key in an environment's overrides (`remla: { appSevice: … }`) would render silently;
// `npm run render` first runs the TypeScript compiler's program over every definition
// (stacks/environments/**/*.ts and everything they import, with the project's tsconfig.json) and stops
// with the compiler's diagnostics. TypeScript is a devDependency: rendering is a development task
// (`npm ci` installs it; the Pulumi program, which runs with production dependencies only, never renders).
// A check that passed is remembered in the OS temp folder (a hash of every file the program read besides
// the packages, of tsconfig.json and of package-lock.json, which pins the compiler and every package),
// so a render of unchanged definitions neither loads the compiler nor pays for the check again.
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync, type Dirent } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, sep } from "node:path";
import { ConfigError } from "../config/index.ts";

/** Folder of the definitions, relative to the repository root. */
export const DEFINITIONS = join("stacks", "environments");

type Ts = typeof import("typescript");

async function compiler(): Promise<Ts> {
  try {
    return ((await import("typescript")) as { default: Ts }).default;
  } catch {
    throw new ConfigError("typescript is not installed, and render type-checks the definitions with it; run npm ci");
  }
}

const hash = (text: string | Buffer) => createHash("sha256").update(text).digest("hex");

interface Remembered {
  key: string;
  files: [string, string][];
}

function cacheFile(root: string): string {
  return join(tmpdir(), "flux-gitops-typecheck", `${hash(root).slice(0, 16)}.json`);
}

function stillValid(root: string, key: string): boolean {
  try {
    const remembered = JSON.parse(readFileSync(cacheFile(root), "utf8")) as Remembered;
    return remembered.key === key && remembered.files.every(([file, digest]) => hash(readFileSync(file)) === digest);
  } catch {
    return false;
  }
}

function remember(root: string, key: string, files: string[]): void {
  const entry: Remembered = { key, files: files.map((f) => [f, hash(readFileSync(f))]) };
  const file = cacheFile(root);
  try {
    mkdirSync(join(file, ".."), { recursive: true });
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify(entry));
    renameSync(temp, file);
  } catch {
    // Only a cache: the next render checks again.
  }
}

/**
 * Type-checks the definitions of the checkout at `root`; throws a ConfigError holding the compiler's
 * diagnostics, one a line (`file:line:col - error TSnnnn: message`), when they do not type-check.
 */
export async function checkDefinitionTypes(root: string): Promise<void> {
  const configPath = join(root, "tsconfig.json");
  const roots = definitionFiles(join(root, DEFINITIONS));
  // Checked before the compiler is loaded: a render of unchanged definitions does not load TypeScript.
  const key = hash(JSON.stringify([readOrEmpty(configPath), readOrEmpty(join(root, "package-lock.json")), roots]));
  if (stillValid(root, key)) return;
  const ts = await compiler();
  const parsed = ts.getParsedCommandLineOfConfigFile(
    configPath,
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new ConfigError(`${configPath}: ${ts.flattenDiagnosticMessageText(d.messageText, " ")}`);
      },
    },
  );
  if (parsed === undefined) throw new ConfigError(`${configPath}: cannot be read`);
  const program = ts.createProgram(roots, { ...parsed.options, noEmit: true });
  const diagnostics = ts.getPreEmitDiagnostics(program);
  if (diagnostics.length > 0) {
    const lines = diagnostics.map((d) => {
      const text = ts.flattenDiagnosticMessageText(d.messageText, " ");
      if (d.file === undefined || d.start === undefined) return `error TS${d.code}: ${text}`;
      const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
      return `${relative(root, d.file.fileName).split(sep).join("/")}:${line + 1}:${character + 1} - error TS${d.code}: ${text}`;
    });
    throw new ConfigError(
      `the definitions do not type-check (${diagnostics.length} error${diagnostics.length === 1 ? "" : "s"}; nothing written):\n${lines.join("\n")}`,
    );
  }
  const read = program
    .getSourceFiles()
    .map((f) => f.fileName)
    .filter((f) => !f.split(/[\\/]/).includes("node_modules"));
  remember(root, key, read);
}

/** The .ts files below `dir`, sorted (the program's roots). */
function definitionFiles(dir: string): string[] {
  try {
    return (readdirSync(dir, { recursive: true, withFileTypes: true }) as Dirent[])
      .filter((e) => e.isFile() && e.name.endsWith(".ts"))
      .map((e) => join(e.parentPath, e.name))
      .sort();
  } catch {
    return [];
  }
}

function readOrEmpty(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return "";
  }
}
