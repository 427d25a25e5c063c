// The module graph: no import cycles among the project's modules, and data flows one way
// (stack config → typed definitions → Pulumi resources and YAML → policies). Imports are read with
// TypeScript's own pre-processor, type-only imports included.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";
import { ROOT } from "../support/paths.ts";

const AREAS = ["infra", "stacks", "policies"];

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(".ts"))
    .map((e) => relative(ROOT, join(e.parentPath, e.name)));
}

/** Module → its imports: project modules by repository path, packages by name. */
function graph(): Map<string, { local: string[]; packages: string[] }> {
  const modules = new Map<string, { local: string[]; packages: string[] }>();
  for (const file of AREAS.flatMap((a) => sources(join(ROOT, a)))) {
    const { importedFiles } = ts.preProcessFile(readFileSync(join(ROOT, file), "utf8"), true, true);
    const local: string[] = [];
    const packages: string[] = [];
    for (const { fileName } of importedFiles) {
      if (fileName.startsWith(".")) local.push(relative(ROOT, resolve(ROOT, dirname(file), fileName)));
      else packages.push(fileName);
    }
    modules.set(file, { local, packages });
  }
  return modules;
}

/** Every cycle (strongly connected component of more than one module, or a self-import). */
function cycles(edges: Map<string, string[]>): string[][] {
  let index = 0;
  const stack: string[] = [];
  const on = new Set<string>();
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const found: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (edges.get(v) ?? []).includes(v)) found.push(scc.sort());
    }
  };
  for (const v of edges.keys()) if (!idx.has(v)) visit(v);
  return found;
}

const modules = graph();

test("the graph is read: every area has modules and imports", () => {
  for (const area of AREAS)
    assert.ok(
      [...modules.keys()].some((m) => m.startsWith(`${area}/`)),
      area,
    );
  assert.ok(modules.get("infra/components/gitops.ts")!.local.includes("infra/components/flux-install.ts"));
});

test("no import cycles among the project's modules", () => {
  const edges = new Map([...modules].map(([m, { local }]) => [m, local]));
  assert.deepEqual(cycles(edges), []);
});

test("the cycle finder finds a cycle and a self-import", () => {
  const edges = new Map([
    ["a", ["b"]],
    ["b", ["c"]],
    ["c", ["a"]],
    ["d", ["d"]],
    ["e", ["a"]],
  ]);
  assert.deepEqual(cycles(edges), [["a", "b", "c"], ["d"]]);
});

/** [module prefix, forbidden import (module prefix or package), why] */
const FORBIDDEN: [string, string, string][] = [
  ["infra/", "stacks/", "infra/ holds reusable building blocks; what environments deploy lives in stacks/"],
  ["infra/", "policies/", "policies consume infra/, never the other way"],
  ["stacks/", "policies/", "the program and the renderer do not depend on the policy front ends"],
  ["infra/render/", "infra/components/", "the render pipeline never needs Pulumi components"],
  ["infra/render/", "@pulumi/", "the render pipeline runs without Pulumi"],
  ["infra/flux/", "@pulumi/", "Flux facts and manifests are pure"],
  ["infra/flux/", "infra/components/", "Flux facts and manifests are pure"],
  ["infra/config/schema.ts", "@pulumi/", "the config schema is shared with the renderer and the policies"],
  ["infra/config/index.ts", "@pulumi/", "the config schema is shared with the renderer and the policies"],
  ["policies/", "@pulumi/pulumi", "the pack must not pull the Pulumi SDK's runtime into the rules"],
  ["policies/", "infra/components/", "policies read the contract and the config, not the components"],
  ["policies/", "infra/render/", "policies read the contract and the config, not the renderer"],
  ["policies/", "stacks/", "policies read the contract and the config, not the definitions"],
];

test("data flows one way: no module imports what it must not", () => {
  const broken: string[] = [];
  for (const [module, { local, packages }] of modules) {
    for (const [prefix, forbidden, why] of FORBIDDEN) {
      if (!module.startsWith(prefix)) continue;
      for (const target of [...local, ...packages]) {
        if (target.startsWith(forbidden)) broken.push(`${module} imports ${target}: ${why}`);
      }
    }
  }
  assert.deepEqual(broken, []);
});

test("the contract module imports nothing", () => {
  const { local, packages } = modules.get("infra/contract.ts")!;
  assert.deepEqual([...local, ...packages], []);
});
