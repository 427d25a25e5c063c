// Property test of the builders and the renderer: any valid release definition (random sources,
// HelmReleases from Git / Helm repositories / OCI, Kustomizations, dependencies, values) renders,
// re-renders byte-identically whatever the object order, is idempotent on disk, and every file reads
// back as the object it came from and passes the CRD schema check.
// A second property feeds hostile existing trees (symlinks out of the repository, control characters).
// Seeded (FC_SEED to explore others); on failure fast-check prints the seed and path to replay.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import fc from "fast-check";
import yaml from "js-yaml";
import {
  GitRepository,
  HelmRelease,
  HelmRepository,
  Kustomization,
  Namespace,
  OCIRepository,
  gitRepository,
  helmRelease,
  helmRepository,
  kustomization,
  namespace,
  ociRepository,
  type Duration,
} from "../../infra/render/objects.ts";
import { violations } from "../../infra/render/validate.ts";
import { checkEnvironments, HEADER, KUSTOMIZATION_FILE, writeEnvironments, type RenderObject } from "../../infra/render/write.ts";
import { HEADER_MARKER, writeTrees } from "../../infra/render/tree.ts";

export const SEED = Number(process.env.FC_SEED ?? 20250611);

const label = fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,18}[a-z0-9])?$/);
const duration = fc
  .array(fc.tuple(fc.integer({ min: 1, max: 999 }), fc.constantFrom("ms", "s", "m", "h")), { minLength: 1, maxLength: 3 })
  .map((parts) => parts.map(([n, u]) => `${n}${u}`).join("") as Duration);
const hex = (length: number) => fc.stringMatching(new RegExp(`^[0-9a-f]{${length}}$`));
const semver = fc.tuple(fc.nat(20), fc.nat(20), fc.nat(20)).map(([a, b, c]) => `${a}.${b}.${c}`);
const gitRef = fc.oneof(
  label.map((branch) => ({ branch })),
  semver.map((v) => ({ tag: `v${v}` })),
  semver.map((v) => ({ semver: `>=${v}` })),
  hex(40).map((commit) => ({ commit })),
);
const ociRef = fc.oneof(
  semver.map((tag) => ({ tag })),
  semver.map((v) => ({ semver: `~${v}` })),
  hex(64).map((h) => ({ digest: `sha256:${h}` })),
);
const meta = {
  namespace: fc.option(label, { nil: undefined }),
  interval: fc.option(duration, { nil: undefined }),
  labels: fc.option(fc.dictionary(label, label, { maxKeys: 3 }), { nil: undefined }),
  annotations: fc.option(fc.dictionary(label, fc.string(), { maxKeys: 2 }), { nil: undefined }),
};
const named = <T>(record: fc.Arbitrary<T & { name: string }>, min: number, max: number) =>
  fc.uniqueArray(record, { minLength: min, maxLength: max, selector: (r) => r.name });

/** A release definition as plain data (built into objects inside the property, fresh every run). */
const definition = fc.record({
  git: named(fc.record({ name: label, url: fc.webUrl(), ref: gitRef, ...meta }), 1, 3),
  helm: named(
    fc.record({
      name: label,
      url: fc.webUrl(),
      type: fc.option(fc.constantFrom("default" as const, "oci" as const), { nil: undefined }),
      ...meta,
    }),
    0,
    2,
  ),
  oci: named(fc.record({ name: label, url: label.map((l) => `oci://ghcr.io/acme/${l}`), ref: ociRef, ...meta }), 0, 2),
  releases: named(
    fc.record({
      name: label,
      targetNamespace: label,
      source: fc.nat(),
      kind: fc.constantFrom("git", "helm", "oci"),
      chart: label,
      version: semver,
      values: fc.option(fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 4 }), { nil: undefined }),
      dependsOn: fc.array(fc.nat(), { maxLength: 2 }),
      retries: fc.option(fc.integer({ min: 0, max: 10 }), { nil: undefined }),
      timeout: fc.option(duration, { nil: undefined }),
      ...meta,
    }),
    1,
    4,
  ),
  kustomizations: named(fc.record({ name: label, source: fc.nat(), path: label.map((p) => `./${p}`), prune: fc.boolean(), ...meta }), 0, 2),
  order: fc.array(fc.double({ noNaN: true }), { minLength: 32, maxLength: 32 }),
});

type Definition = typeof definition extends fc.Arbitrary<infer T> ? T : never;

function build(def: Definition): RenderObject[] {
  const git = def.git.map((g) => gitRepository(g));
  const helm = def.helm.map((h) => helmRepository(h));
  const oci = def.oci.map((o) => ociRepository(o));
  const releases: HelmRelease[] = [];
  for (const r of def.releases) {
    const pick = <T>(list: T[]) => (list.length > 0 ? list[r.source % list.length] : undefined);
    const h = r.kind === "helm" ? pick(helm) : undefined;
    const o = r.kind === "oci" ? pick(oci) : undefined;
    const chart = h
      ? { helmRepository: h, chart: r.chart, version: r.version }
      : o
        ? { oci: o }
        : { git: pick(git)!, path: `charts/${r.chart}` };
    const dependsOn = [...new Set(r.dependsOn.filter(() => releases.length > 0).map((i) => releases[i % releases.length]!))];
    releases.push(helmRelease({ ...r, chart, dependsOn }));
  }
  const sources = [...git, ...oci];
  const ks = def.kustomizations.map((k) => kustomization({ ...k, source: sources[k.source % sources.length]! }));
  const namespaces = [...new Set(def.releases.map((r) => r.targetNamespace))].map((name) => namespace({ name }));
  return [...namespaces, ...git, ...helm, ...oci, ...releases, ...ks];
}

const MODELS: Record<string, new (doc: any) => RenderObject> = {
  GitRepository,
  HelmRepository,
  OCIRepository,
  HelmRelease,
  Kustomization,
  Namespace,
};

function files(dir: string): Map<string, string> {
  return new Map(
    readdirSync(dir)
      .sort()
      .map((f) => [f, readFileSync(join(dir, f), "utf8")]),
  );
}

test("random valid definitions render, re-render byte-identically and read back schema-valid", () => {
  fc.assert(
    fc.property(definition, (def) => {
      const [a, b] = [mkdtempSync(join(tmpdir(), "prop-render-")), mkdtempSync(join(tmpdir(), "prop-render-"))];
      try {
        const objects = build(def);
        for (const obj of objects) assert.deepEqual(violations(obj), [], `${obj.kind} ${obj.metadata?.name} is built invalid`);
        const env = { name: "dev", dir: "cluster/dev", objects };
        writeEnvironments(a, [env]);
        // Another process, another order: the same bytes.
        const shuffled = build(def)
          .map((o, i) => [def.order[i % def.order.length]! + i, o] as const)
          .sort((x, y) => x[0] - y[0])
          .map(([, o]) => o);
        writeEnvironments(b, [{ ...env, objects: shuffled }]);
        const written = files(join(a, "cluster/dev"));
        assert.deepEqual(files(join(b, "cluster/dev")), written);
        // Idempotent: nothing to write, nothing stale.
        assert.deepEqual(writeEnvironments(a, [env]).written, []);
        assert.deepEqual(checkEnvironments(a, [env]), { stale: [], missing: [], extra: [], leftovers: [] });

        const byFile = new Map(
          objects.map((o) => [`${o.kind.toLowerCase()}_${[o.metadata?.namespace, o.metadata?.name].filter(Boolean).join("_")}.yaml`, o]),
        );
        assert.deepEqual([...written.keys()].filter((f) => f !== KUSTOMIZATION_FILE).sort(), [...byFile.keys()].sort());
        assert.deepEqual(
          (yaml.load(written.get(KUSTOMIZATION_FILE)!) as { resources: string[] }).resources.slice().sort(),
          [...byFile.keys()].sort(),
        );
        for (const [file, content] of written) {
          assert.ok(content.startsWith(HEADER), file);
          if (file === KUSTOMIZATION_FILE) continue;
          const doc = yaml.load(content) as { kind: string };
          const original = byFile.get(file)!;
          // Compared as JSON data (YAML keeps -0, JSON has no such number).
          assert.deepEqual(
            JSON.parse(JSON.stringify(doc)),
            JSON.parse(JSON.stringify(original.toJSON())),
            `${file} reads back as its object`,
          );
          assert.deepEqual(violations(new MODELS[doc.kind]!(doc)), [], `${file} passes the schema check`);
        }
      } finally {
        rmSync(a, { recursive: true, force: true });
        rmSync(b, { recursive: true, force: true });
      }
    }),
    { seed: SEED, numRuns: 200 },
  );
});

// Hostile trees (issue #13): whatever already sits in the output folder — generated and hand-written
// files, symlinks to files and folders outside the repository, dangling links, empty folders — and
// whatever paths are planned (some with control characters), a write either refuses with a RenderError
// or leaves exactly the planned generated files plus every hand-written entry as it was; nothing outside
// the repository changes and no staging folder is left behind.
const SEGMENT = fc.constantFrom("apps", "infra", "a.yaml", "b.yaml", "kustomization.yaml", "notes.md");
const relPath = fc.array(SEGMENT, { minLength: 1, maxLength: 3 }).map((s) => s.join("/"));
const existing = fc.array(
  fc.record({
    path: relPath,
    kind: fc.constantFrom("generated", "hand-written", "link to outside file", "link to outside folder", "dangling link", "empty folder"),
  }),
  { maxLength: 6 },
);
const planned = fc.array(
  fc.record({
    path: fc.oneof(
      { weight: 9, arbitrary: relPath.filter((p) => p.endsWith(".yaml")) },
      { weight: 1, arbitrary: fc.tuple(relPath, fc.integer({ min: 0, max: 31 })).map(([p, c]) => `${p}${String.fromCharCode(c)}.yaml`) },
    ),
    content: fc.string({ maxLength: 8 }),
  }),
  { maxLength: 5 },
);

function tree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (sub: string) => {
    for (const e of readdirSync(join(dir, sub), { withFileTypes: true })) {
      const path = sub ? `${sub}/${e.name}` : e.name;
      if (e.isSymbolicLink()) out.set(path, `-> ${readlinkSync(join(dir, path))}`);
      else if (e.isDirectory()) {
        out.set(path, "(folder)");
        walk(path);
      } else out.set(path, readFileSync(join(dir, path), "utf8"));
    }
  };
  if (existsSync(dir)) walk("");
  return out;
}

test("hostile existing trees: a write refuses or leaves planned files plus untouched hand-written entries, never touching outside", () => {
  fc.assert(
    fc.property(existing, planned, (entries, plan) => {
      const root = mkdtempSync(join(tmpdir(), "prop-hostile-"));
      const outside = mkdtempSync(join(tmpdir(), "prop-outside-"));
      try {
        writeFileSync(join(outside, "victim.yaml"), `${HEADER}victim\n`);
        mkdirSync(join(outside, "folder"));
        const dir = join(root, "cluster/dev");
        mkdirSync(dir, { recursive: true });
        for (const { path, kind } of entries) {
          const full = join(dir, path);
          if (existsSync(full) || lstatOrNull(full)) continue;
          try {
            mkdirSync(dirname(full), { recursive: true });
          } catch {
            continue; // a file where a folder would go: this entry is skipped
          }
          if (kind === "generated") writeFileSync(full, `${HEADER}old\n`);
          else if (kind === "hand-written") writeFileSync(full, "# by hand\n");
          else if (kind === "link to outside file") symlinkSync(join(outside, "victim.yaml"), full);
          else if (kind === "link to outside folder") symlinkSync(join(outside, "folder"), full);
          else if (kind === "dangling link") symlinkSync(join(outside, "nowhere"), full);
          else mkdirSync(full);
        }
        const before = tree(dir);
        const outsideBefore = tree(outside);
        const files = new Map(plan.map((p) => [p.path, `${HEADER}${p.content}`]));
        let refused = false;
        try {
          writeTrees(root, [{ name: "dev", dir: "cluster/dev", files }]);
        } catch (err) {
          assert.equal((err as Error).name, "RenderError", String(err));
          refused = true;
        }
        assert.deepEqual(tree(outside), outsideBefore, "nothing outside the repository changed");
        assert.deepEqual(readdirSync(join(root, "cluster")), ["dev"], "no staging folder left");
        const after = tree(dir);
        if (refused) {
          assert.deepEqual(after, before, "a refused write changes nothing");
          return;
        }
        for (const [path, content] of files) assert.equal(after.get(path), content, path);
        for (const [path, was] of before) {
          if (was === "(folder)" || isGenerated(path, was)) continue;
          assert.equal(after.get(path), was, `hand-written ${path} kept as it was`);
        }
        for (const [path, now] of after) {
          if (isGenerated(path, now)) assert.ok(files.has(path), `generated ${path} is planned`);
        }
      } finally {
        rmSync(root, { recursive: true, force: true });
        rmSync(outside, { recursive: true, force: true });
      }
    }),
    { seed: SEED, numRuns: 60 },
  );
});

/** What the renderer treats as its own: a .yaml file that starts with the header. */
const isGenerated = (path: string, content: string) => path.endsWith(".yaml") && content.startsWith(HEADER_MARKER);

function lstatOrNull(path: string) {
  try {
    return lstatSync(path);
  } catch {
    return null;
  }
}
