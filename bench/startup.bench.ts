// npm run bench:startup — start-up of the two command-line tools, next to the floor measured in the same
// run: `node -e 0` (the same node binary). Each round runs the floor and then every command once, in a
// fresh process, so each command is paired with a floor run taken moments before it; the table gives the
// median wall and CPU time (user + system) and the median of the per-round ratios. The commands are the
// ones the npm scripts run (through infra/launch.mjs, compile cache on) and, for comparison, the same
// tools started directly with the compile cache off. Targets: policy CLI on one small file <= 3x the
// floor, render --check <= 5x. Not a test: it prints.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "../test/support/paths.ts";

const ROUNDS = 21;
const WARMUP = 3;

const work = mkdtempSync(join(tmpdir(), "startup-bench-"));
/** Preloaded (CommonJS, so the floor stays cheap) into every run: reports the process's own CPU time on fd 3. */
const CPU_PROBE = join(work, "cpu-probe.cjs");
writeFileSync(
  CPU_PROBE,
  `process.on("exit", () => { const u = process.cpuUsage(); require("node:fs").writeSync(3, String((u.user + u.system) / 1000)); });\n`,
);
/** Preloaded into one extra run per command: counts the modules it loads (ESM and CommonJS, node: built-ins excluded). */
const MODULE_COUNTER = join(work, "module-counter.cjs");
writeFileSync(
  MODULE_COUNTER,
  `let n = 0;
require("node:module").registerHooks({ load(url, context, next) { if (!url.startsWith("node:")) n++; return next(url, context); } });
process.on("exit", () => require("node:fs").writeSync(3, String(n)));
`,
);
const CACHE = join(work, "compile-cache");
/** One small file: a Namespace as the renderer writes one (the committed cluster/ changes shape over time). */
const SMALL_FILE = join(work, "namespace_remla.yaml");
writeFileSync(SMALL_FILE, "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: remla\n");

interface Command {
  name: string;
  args: string[];
  env: Record<string, string>;
  target?: number;
}
const cached = { NODE_COMPILE_CACHE: CACHE };
const uncached = { NODE_DISABLE_COMPILE_CACHE: "1" };
const COMMANDS: Command[] = [
  { name: "node -e 0 (floor)", args: ["-e", "0"], env: {} },
  { name: "npm run policy -- <1 file>", args: ["infra/launch.mjs", "policies/cli.ts", SMALL_FILE], env: cached, target: 3 },
  { name: "npm run render -- --check", args: ["infra/launch.mjs", "stacks/render.ts", "--check"], env: cached, target: 5 },
  { name: "node policies/cli.ts <1 file>, no cache", args: ["policies/cli.ts", SMALL_FILE], env: uncached },
  { name: "node stacks/render.ts --check, no cache", args: ["stacks/render.ts", "--check"], env: uncached },
];

/** Runs one command in a fresh node process; returns wall ms, CPU ms (from the probe) and what it wrote on fd 3. */
function run(cmd: Command, preload = CPU_PROBE): { wall: number; fd3: number } {
  const env = { ...process.env, ...cmd.env };
  if (cmd.env !== cached) delete env.NODE_COMPILE_CACHE;
  if (cmd.env !== uncached) delete env.NODE_DISABLE_COMPILE_CACHE;
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ["--require", preload, ...cmd.args], {
    cwd: ROOT,
    env,
    stdio: ["ignore", "pipe", "pipe", "pipe"],
    encoding: "utf8",
  });
  const wall = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd.name} exited ${r.status}: ${r.stderr}`);
  return { wall, fd3: Number(r.output[3]) };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

try {
  for (let w = 0; w < WARMUP; w++) for (const cmd of COMMANDS) run(cmd); // fills the compile cache and the OS file cache
  const wall = COMMANDS.map((): number[] => []);
  const cpu = COMMANDS.map((): number[] => []);
  for (let round = 0; round < ROUNDS; round++) {
    COMMANDS.forEach((cmd, i) => {
      const r = run(cmd);
      wall[i]!.push(r.wall);
      cpu[i]!.push(r.fd3);
    });
  }
  const paired = (series: number[][], i: number) => median(series[i]!.map((v, round) => v / series[0]![round]!));
  const rows = COMMANDS.map((cmd, i) => {
    const wallRatio = paired(wall, i);
    return [
      cmd.name,
      String(run(cmd, MODULE_COUNTER).fd3),
      median(wall[i]!).toFixed(1),
      median(cpu[i]!).toFixed(1),
      i === 0 ? "1.00" : wallRatio.toFixed(2),
      i === 0 ? "1.00" : paired(cpu, i).toFixed(2),
      cmd.target === undefined ? "" : `<= ${cmd.target}x ${wallRatio <= cmd.target ? "met" : "MISSED"}`,
    ];
  });
  const header = ["command", "modules", "wall ms", "CPU ms", "wall ratio", "CPU ratio", "target (wall)"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(" | ")} |`;
  console.log(line(header));
  console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
  for (const row of rows) console.log(line(row));
  console.log(
    `median of ${ROUNDS} paired rounds after ${WARMUP} warm-up rounds, node ${process.version}; ratios are medians of per-round ratios to the floor`,
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
