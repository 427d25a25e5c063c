// npm run bench:policy — the YAML checker on synthetic cluster/ trees of 250, 1000 and 2000 objects, next to
// the floor measured in the same run: reading the same files and parsing them with plain js-yaml loadAll.
// Prints a table (median of several runs); target: ratio ≤ 1.5 and time per object flat across sizes.
// Then graph mode: environments × releases (kustomize builds included) against a floor of `kubectl kustomize`
// plus js-yaml parsing of the same paths (same concurrency), in the same run.
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import yaml from "js-yaml";
import { checkPaths, collectFiles } from "../policies/paths.ts";
import { checkEnvironment } from "../policies/graph/walk.ts";
import { resolveConfig } from "../policies/config.ts";
import { rules } from "../policies/rules/index.ts";

const SIZES = [250, 1000, 2000];
const RUNS = 15;
const WARMUP = 5;

function labels(env: string) {
  return { "flux-gitops.io/environment": env, "flux-gitops.io/production": String(env === "prod") };
}

/** A realistic mix: per app a GitRepository, a HelmRelease (values included) and a Namespace. */
function objects(n: number, env: string): object[] {
  const out: object[] = [];
  for (let i = 0; out.length < n; i++) {
    const metadata = {
      name: `app-${i}`,
      namespace: "flux-system",
      labels: labels(env),
      annotations: { "flux-gitops.io/path": `cluster/${env}` },
    };
    out.push({
      apiVersion: "source.toolkit.fluxcd.io/v1",
      kind: "GitRepository",
      metadata,
      spec: { interval: "10m", url: `https://github.com/acme/app-${i}`, ref: { tag: `app-${i}-1.0.0` } },
    });
    out.push({
      apiVersion: "helm.toolkit.fluxcd.io/v2",
      kind: "HelmRelease",
      metadata,
      spec: {
        interval: "10m",
        targetNamespace: `app-${i}`,
        install: { createNamespace: true, remediation: { retries: 3 } },
        upgrade: { remediation: { retries: 3, strategy: "rollback" } },
        driftDetection: { mode: "enabled" },
        chart: { spec: { chart: "charts/app", reconcileStrategy: "Revision", sourceRef: { kind: "GitRepository", name: `app-${i}` } } },
        values: {
          replicas: 2,
          image: { repository: `ghcr.io/acme/app-${i}`, tag: "1.0.0" },
          resources: { limits: { cpu: "500m", memory: "256Mi" } },
        },
      },
    });
    out.push({ apiVersion: "v1", kind: "Namespace", metadata: { name: `app-${i}`, labels: labels(env) } });
  }
  return out.slice(0, n);
}

/** One file per object (as the renderer writes), every tenth file a three-document bundle. */
function writeTree(root: string, n: number): void {
  const dir = join(root, "cluster", "dev");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(root, "Pulumi.dev.yaml"), "config:\n  github:owner: acme\n");
  const objs = objects(n, "dev");
  for (let i = 0; i < objs.length;) {
    const take = i % 10 === 0 ? 3 : 1;
    const text = objs
      .slice(i, i + take)
      .map((o) => `# generated\n${yaml.dump(o)}`)
      .join("---\n");
    writeFileSync(join(dir, `object-${i}.yaml`), text);
    i += take;
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function time(fn: () => void): number {
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const settings = resolveConfig(rules, {});
const rows: string[][] = [];
for (const n of SIZES) {
  const root = mkdtempSync(join(tmpdir(), "policy-bench-"));
  try {
    writeTree(root, n);
    const files = collectFiles([join(root, "cluster")], { root }).files;
    const floor = () => {
      for (const f of files) yaml.loadAll(readFileSync(f, "utf8"));
    };
    let findings = 0;
    const check = () => {
      const result = checkPaths([join(root, "cluster")], settings, { root: root });
      findings = result.findings.length + result.errors.length;
    };
    for (let w = 0; w < WARMUP; w++) {
      floor();
      check();
    } // steady state, not JIT warm-up
    const floorMs: number[] = [];
    const checkMs: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      floorMs.push(time(floor));
      checkMs.push(time(check));
    }
    if (findings !== 0) throw new Error(`synthetic tree of ${n} objects should be clean, got ${findings} findings/errors`);
    const f = median(floorMs);
    const c = median(checkMs);
    rows.push([String(n), String(files.length), f.toFixed(1), c.toFixed(1), (c / f).toFixed(2), ((c / n) * 1000).toFixed(1)]);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

const header = ["objects", "files", "floor ms (read+js-yaml)", "checker ms", "ratio", "checker µs/object"];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (cells: string[]) => `| ${cells.map((c, i) => c.padStart(widths[i]!)).join(" | ")} |`;
console.log(line(header));
console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
for (const row of rows) console.log(line(row));
console.log(
  `median of ${RUNS} runs each after ${WARMUP} warm-up runs, node ${process.version}; target ratio <= 1.5, µs/object flat (linear)`,
);

// ---- graph mode -------------------------------------------------------------------------------------
const ENVS = [1, 2, 4];
const RELEASES = [20, 80];
const GRAPH_RUNS = 3;
const GROUP = 10;
const CONCURRENCY = 4;

/** Per environment: cluster/<env>/ with one Flux Kustomization per group of 10 releases under apps/<env>/g<k>/. */
function writeGraph(root: string, envs: number, releases: number): string[] {
  const paths: string[] = [];
  for (let e = 0; e < envs; e++) {
    const env = `env${e}`;
    writeFileSync(
      join(root, `Pulumi.${env}.yaml`),
      `config:\n  github:owner: acme\n  flux-gitops:repository:\n    owner: acme\n    name: gitops\n  flux-gitops:production: false\n`,
    );
    const top = join(root, "cluster", env);
    mkdirSync(top, { recursive: true });
    paths.push(top);
    const groups: string[] = [];
    for (let g = 0; g * GROUP < releases; g++) {
      const dir = join(root, "apps", env, `g${g}`);
      mkdirSync(dir, { recursive: true });
      paths.push(dir);
      const objs = objects(Math.min(GROUP, releases - g * GROUP) * 3, env).map((o, i) => {
        const m = (o as { metadata: { name: string } }).metadata;
        return { ...o, metadata: { ...m, name: `${m.name}-g${g}-${i}` } };
      });
      const names = objs.map((o, i) => {
        const file = `o${i}.yaml`;
        writeFileSync(join(dir, file), yaml.dump(o));
        return file;
      });
      writeFileSync(join(dir, "kustomization.yaml"), yaml.dump({ resources: names }));
      const ks = {
        apiVersion: "kustomize.toolkit.fluxcd.io/v1",
        kind: "Kustomization",
        metadata: { name: `apps-g${g}`, namespace: "flux-system" },
        spec: { interval: "10m", path: `./apps/${env}/g${g}`, prune: true, sourceRef: { kind: "GitRepository", name: "flux-system" } },
      };
      writeFileSync(join(top, `apps-g${g}.yaml`), yaml.dump(ks));
      groups.push(`apps-g${g}.yaml`);
    }
    writeFileSync(join(top, "kustomization.yaml"), yaml.dump({ resources: groups }));
  }
  return paths;
}

function kustomize(dir: string): Promise<string> {
  return new Promise((done, fail) =>
    execFile("kubectl", ["kustomize", "--load-restrictor", "LoadRestrictionsNone", dir], { maxBuffer: 1 << 28 }, (e, out) =>
      e ? fail(e) : done(out),
    ),
  );
}

async function timeAsync(fn: () => Promise<void>): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const graphRows: string[][] = [];
for (const envs of ENVS) {
  for (const releases of RELEASES) {
    const root = mkdtempSync(join(tmpdir(), "policy-bench-graph-"));
    try {
      const paths = writeGraph(root, envs, releases);
      const floor = async () => {
        for (let i = 0; i < paths.length; i += CONCURRENCY) {
          const outs = await Promise.all(paths.slice(i, i + CONCURRENCY).map(kustomize));
          for (const out of outs) yaml.loadAll(out);
        }
      };
      let objectsChecked = 0;
      const check = async () => {
        objectsChecked = 0;
        for (let e = 0; e < envs; e++) {
          const r = await checkEnvironment(`env${e}`, settings, { root, concurrency: CONCURRENCY });
          if (r.errors.length || r.findings.length)
            throw new Error(`graph bench should be clean: ${JSON.stringify(r.errors.concat(r.findings as never[]))}`);
          objectsChecked += r.counts.objects;
        }
      };
      await floor();
      await check();
      const floorMs: number[] = [];
      const checkMs: number[] = [];
      for (let r = 0; r < GRAPH_RUNS; r++) {
        floorMs.push(await timeAsync(floor));
        checkMs.push(await timeAsync(check));
      }
      const f = median(floorMs);
      const c = median(checkMs);
      graphRows.push([
        String(envs),
        String(releases),
        String(paths.length),
        String(objectsChecked),
        f.toFixed(0),
        c.toFixed(0),
        (c / f).toFixed(2),
        (c / paths.length).toFixed(1),
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }
}
const gHeader = [
  "envs",
  "releases/env",
  "builds",
  "objects",
  "floor ms (kubectl kustomize+js-yaml)",
  "graph ms",
  "ratio",
  "graph ms/build",
];
const gWidths = gHeader.map((h, i) => Math.max(h.length, ...graphRows.map((r) => r[i]!.length)));
const gLine = (cells: string[]) => `| ${cells.map((c, i) => c.padStart(gWidths[i]!)).join(" | ")} |`;
console.log("");
console.log(gLine(gHeader));
console.log(`|${gWidths.map((w) => "-".repeat(w + 2)).join("|")}|`);
for (const row of graphRows) console.log(gLine(row));
console.log(`graph mode: median of ${GRAPH_RUNS} runs, ${CONCURRENCY} builds at once; target ratio <= 1.5, ms/build flat (linear)`);
