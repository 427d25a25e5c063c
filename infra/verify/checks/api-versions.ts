// The built-in group/versions a Kubernetes minor serves, as Helm's `.Capabilities.APIVersions` lists
// them: Helm fills it from the client-go scheme it links (helm.sh/helm/v3 pkg/chartutil/capabilities.go,
// `DefaultVersionSet = allKnownVersions()` over `scheme.Scheme.PrioritizedVersionsAllGroups()`), and
// Helm 3.17.2 links client-go v0.32 (its go.mod), the team's Kubernetes 1.32.
// `bash .ci/node infra/verify/checks/api-versions.ts` rewrites api-versions-1.32.json; a test
// regenerates it and compares.
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { isMain } from "../../cli.ts";
import { HELM, helmBinary, type HelmMajor } from "../../helm/binary.ts";

const run = promisify(execFile);

/** Which Helm's client-go gives each Kubernetes minor's list (client-go v0.<minor> ↔ Kubernetes 1.<minor>). */
export const API_VERSION_SOURCES: Readonly<Record<string, { helm: HelmMajor; clientGo: string }>> = {
  "1.32": { helm: 3, clientGo: "v0.32" },
};

export interface ApiVersionsFile {
  kubernetes: string;
  source: string;
  apiVersions: string[];
}

export const apiVersionsPath = (minor: string): string => join(import.meta.dirname, `api-versions-${minor}.json`);

/** `.Capabilities.APIVersions` of `helm` (group/versions only, sorted), read from a throwaway chart. */
export async function helmApiVersions(helm: string): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), "api-versions-"));
  try {
    mkdirSync(join(dir, "templates"));
    writeFileSync(join(dir, "Chart.yaml"), "apiVersion: v2\nname: api-versions\nversion: 0.1.0\n");
    writeFileSync(
      join(dir, "templates", "out.yaml"),
      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: api-versions\ndata:\n  apiVersions: {{ .Capabilities.APIVersions | toJson | quote }}\n",
    );
    const { stdout } = await run(helm, ["template", "api-versions", dir]);
    const line = stdout.split("\n").find((l) => l.trimStart().startsWith("apiVersions: "));
    if (line === undefined) throw new Error(`helm template printed no apiVersions: ${stdout}`);
    const list = JSON.parse(JSON.parse(line.trim().slice("apiVersions: ".length)) as string) as string[];
    // Helm also lists group/version/Kind entries when given --api-versions; the scheme gives group/versions.
    return [...new Set(list.filter((v) => v.split("/").length <= 2))].sort();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function apiVersionsFile(minor: string): Promise<ApiVersionsFile> {
  const src = API_VERSION_SOURCES[minor];
  if (src === undefined) throw new Error(`no Helm is known to link client-go for Kubernetes ${minor}`);
  const bin = await helmBinary(src.helm);
  return {
    kubernetes: minor,
    source: `.Capabilities.APIVersions of Helm ${HELM[src.helm].version} (client-go ${src.clientGo}), infra/verify/checks/api-versions.ts`,
    apiVersions: await helmApiVersions(bin),
  };
}

export const formatApiVersionsFile = (f: ApiVersionsFile): string => `${JSON.stringify(f, null, 2)}\n`;

/** The committed list for a Kubernetes minor ("1.32"), or undefined when there is none. */
export function servedApiVersions(minor: string): ReadonlySet<string> | undefined {
  if (!/^[0-9]+\.[0-9]+$/.test(minor)) return undefined;
  let text: string;
  try {
    text = readFileSync(apiVersionsPath(minor), "utf8");
  } catch {
    return undefined;
  }
  return new Set((JSON.parse(text) as ApiVersionsFile).apiVersions);
}

if (isMain(import.meta.url)) {
  for (const minor of Object.keys(API_VERSION_SOURCES)) {
    writeFileSync(apiVersionsPath(minor), formatApiVersionsFile(await apiVersionsFile(minor)));
    process.stdout.write(`wrote ${apiVersionsPath(minor)}\n`);
  }
}
