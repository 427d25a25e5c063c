// No field may leak into the package schema. Pulumi's analyzer (@pulumi/pulumi 3.270
// provider/experimental/analyzer.js analyzeComponent) turns every property of the component class into a schema
// output: public, `private` and `#private` ones alike (it reads the class symbol's members and keeps those with the
// Property flag). So FluxGitOps may declare no property but the public Output<string> outputs (OUTPUTS), and keeps
// everything else in locals or module state. This reads the class with TypeScript's parser; the schema itself is
// checked through the plugin in plugin.test.ts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { ROOT } from "../support/paths.ts";
import { OUTPUTS } from "../../infra/components/gitops.ts";

const SOURCE = join(ROOT, "infra", "components", "gitops.ts");

/** Every property the class declares that is not one of the outputs, or is not typed `pulumi.Output<string>`. */
function leaks(source: string, className = "FluxGitOps"): string[] {
  const file = ts.createSourceFile("gitops.ts", source, ts.ScriptTarget.Latest, true);
  const cls = file.statements.find((s): s is ts.ClassDeclaration => ts.isClassDeclaration(s) && s.name?.text === className);
  if (!cls) return [`no class ${className}`];
  const found: string[] = [];
  const allowed = new Set<string>(OUTPUTS);
  for (const member of cls.members) {
    if (ts.isPropertyDeclaration(member)) {
      const name = member.name.getText(file);
      const type = member.type?.getText(file) ?? "(no type)";
      if (!allowed.has(name)) found.push(`${name}: not a package output`);
      else if (type !== "pulumi.Output<string>") found.push(`${name}: ${type}, not pulumi.Output<string>`);
    }
    // Parameter properties (`constructor(private x: T)`) and accessors are class members too.
    if (ts.isConstructorDeclaration(member)) {
      for (const p of member.parameters) {
        if (ts.getModifiers(p)?.length) found.push(`${p.name.getText(file)}: a constructor parameter property`);
      }
    }
    if (ts.isGetAccessorDeclaration(member) || ts.isSetAccessorDeclaration(member)) {
      found.push(`${member.name.getText(file)}: an accessor (keep the outputs plain fields)`);
    }
  }
  return found;
}

test("FluxGitOps declares no property but its Output<string> outputs", () => {
  assert.deepEqual(leaks(readFileSync(SOURCE, "utf8")), []);
});

test("the check finds a public, a private and a #private field, a parameter property and a wrong output type", () => {
  const source = readFileSync(SOURCE, "utf8");
  const at = source.indexOf("  constructor(name: string, args: FluxGitOpsArgs");
  assert.ok(at > 0, "the constructor is where this test expects it");
  const withField = (field: string) => source.slice(0, at) + field + "\n" + source.slice(at);
  assert.deepEqual(leaks(withField("  readonly install!: string;")), ["install: not a package output"]);
  assert.deepEqual(leaks(withField("  private readonly key!: string;")), ["key: not a package output"]);
  assert.deepEqual(leaks(withField("  readonly #receiver = 1;")), ["#receiver: not a package output"]);
  assert.deepEqual(leaks(source.replace("constructor(name: string,", "constructor(private name: string,")), [
    "name: a constructor parameter property",
  ]);
  assert.deepEqual(leaks(source.replace("readonly fluxVersion: pulumi.Output<string>;", "readonly fluxVersion: string;")), [
    "fluxVersion: string, not pulumi.Output<string>",
  ]);
});
