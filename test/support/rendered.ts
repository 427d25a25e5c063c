// The committed cluster/<env> of this repository as real Helm renders it (infra/verify/environment.ts),
// once per process and Helm major, for tests that look at what a chart really renders.
import { readStackConfigFile, stackConfigFile } from "../../infra/config/index.ts";
import type { HelmMajor } from "../../infra/helm/binary.ts";
import { environmentView, type EnvironmentView } from "../../infra/verify/environment.ts";
import { ROOT } from "./paths.ts";

const views = new Map<string, Promise<EnvironmentView>>();

export function renderedEnvironment(env: string, helm: HelmMajor = 4): Promise<EnvironmentView> {
  const key = `${env}/${helm}`;
  if (!views.has(key)) {
    const cfg = readStackConfigFile(stackConfigFile(ROOT, env), env);
    views.set(key, environmentView(cfg, { root: ROOT, helm, kubeVersion: cfg.kubernetes.version }));
  }
  return views.get(key)!;
}
