// A Node.js older than 22.18, to start the entry points with: $FLUX_GITOPS_OLD_NODE when set (it must then be
// older), else the first such `node` on PATH, /usr/bin/node or /usr/local/bin/node (Debian's and the GitHub
// runners' machine node). When the machine has none, the current node is started with a preload that makes it
// report v20.0.0 (pretend-old-node.cjs): the loaders only read process.versions.node, so that checks the same
// code path, and the tests say so in their output.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { delimiter, join } from "node:path";

export interface OldNode {
  node: string;
  /** Node arguments that must come first (the pretend preload). */
  nodeArgs: string[];
  version: string;
  /** How it was found, for the test output. */
  source: string;
}

function versionOf(node: string): string | undefined {
  try {
    return execFileSync(node, ["-p", "process.versions.node"], { encoding: "utf8", timeout: 10_000 }).trim();
  } catch {
    return undefined;
  }
}

export function isOlderThan2218(version: string): boolean {
  const [major = 0, minor = 0] = version.split(".").map(Number);
  return major < 22 || (major === 22 && minor < 18);
}

export function findOldNode(): OldNode {
  const given = process.env.FLUX_GITOPS_OLD_NODE;
  if (given) {
    const version = versionOf(given);
    if (!version || !isOlderThan2218(version))
      throw new Error(`FLUX_GITOPS_OLD_NODE=${given} is not a Node.js older than 22.18 (${version})`);
    return { node: given, nodeArgs: [], version, source: "$FLUX_GITOPS_OLD_NODE" };
  }
  const candidates = [...(process.env.PATH ?? "").split(delimiter).map((dir) => join(dir, "node")), "/usr/bin/node", "/usr/local/bin/node"];
  for (const node of new Set(candidates)) {
    if (!existsSync(node)) continue;
    const version = versionOf(node);
    if (version && isOlderThan2218(version)) return { node, nodeArgs: [], version, source: node };
  }
  return {
    node: process.execPath,
    nodeArgs: ["--require", join(import.meta.dirname, "pretend-old-node.cjs")],
    version: "20.0.0",
    source: `no Node.js older than 22.18 on this machine (looked at PATH, /usr/bin/node, /usr/local/bin/node): node ${process.version} pretending to be v20.0.0`,
  };
}
