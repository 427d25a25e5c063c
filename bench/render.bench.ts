// npm run bench:render — renders synthetic catalogues and compares with the floor measured in the same run:
// js-yaml dump (same options) + one plain file write per object, for the same objects. Not a test: it prints.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { gitRepository, helmRelease, type GitRepository } from "../infra/render/objects.ts";
import { fileName, toYaml, writeEnvironments, type Environment } from "../infra/render/write.ts";

const SIZES = [250, 1000, 2000];
const RUNS = 11;
const SOURCES = 10;

function catalogue(releases: number): Environment {
  const sources: GitRepository[] = Array.from({ length: SOURCES }, (_, i) =>
    gitRepository({ name: `charts-${i}`, url: `https://github.com/example/charts-${i}`, ref: { branch: "main" } }),
  );
  const objects = Array.from({ length: releases }, (_, i) =>
    helmRelease({
      name: `app-${i}`,
      targetNamespace: `team-${i % 50}`,
      chart: { git: sources[i % SOURCES]!, path: `charts/app-${i % 20}` },
      values: { image: { repository: `ghcr.io/example/app-${i}`, tag: `v1.${i}.0` }, replicas: 1 + (i % 3), env: { LOG_LEVEL: "info" } },
      labels: { "flux-gitops.io/environment": "bench" },
    }),
  );
  return { name: "bench", dir: "cluster/bench", objects: [...sources, ...objects] };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function time(fn: () => void): number {
  const start = performance.now();
  fn();
  return performance.now() - start;
}

const scratch = mkdtempSync(join(tmpdir(), "render-bench-"));
try {
  const rows: string[][] = [];
  for (const size of SIZES) {
    const env = catalogue(size);
    const plain = env.objects.map((o) => ({ file: fileName(o), doc: o.toJSON() }));
    const renderTimes: number[] = [];
    const floorTimes: number[] = [];
    for (let run = 0; run <= RUNS; run++) {
      const renderRoot = join(scratch, `render-${size}-${run}`);
      const floorDir = join(scratch, `floor-${size}-${run}`);
      mkdirSync(floorDir, { recursive: true });
      mkdirSync(renderRoot, { recursive: true });
      const runFloor = () =>
        time(() => {
          for (const { file, doc } of plain) writeFileSync(join(floorDir, file), toYaml(doc));
        });
      const runRender = () => time(() => writeEnvironments(renderRoot, [env]));
      // Alternate which goes first so disk cache and GC effects do not favour either side.
      let floor: number, render: number;
      if (run % 2 === 0) [floor, render] = [runFloor(), runRender()];
      else [render, floor] = [runRender(), runFloor()];
      if (run > 0) {
        // run 0 warms up the JIT and the validators
        floorTimes.push(floor);
        renderTimes.push(render);
      }
      rmSync(renderRoot, { recursive: true });
      rmSync(floorDir, { recursive: true });
    }
    const [r, f] = [median(renderTimes), median(floorTimes)];
    // Paired runs: the median of per-run ratios is steadier than a ratio of medians on a busy machine.
    const ratio = median(renderTimes.map((t, i) => t / floorTimes[i]!));
    rows.push([
      String(size),
      String(env.objects.length + 1),
      r.toFixed(1),
      f.toFixed(1),
      `${ratio.toFixed(2)}x`,
      ((r * 1000) / size).toFixed(0),
    ]);
  }
  const head = ["releases", "files", "render ms", "floor ms", "ratio (median)", "render µs/release"];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i]!)).join("  ");
  console.log(`render benchmark: median of ${RUNS} paired runs each (after 1 warm-up), fresh output folders per run`);
  console.log(line(head));
  for (const row of rows) console.log(line(row));
  console.log("floor = js-yaml dump (same options) + writeFileSync per object; target ratio <= 1.5x, linear growth");
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
