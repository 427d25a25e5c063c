// Preload (`node --import`) for the render CLI that breaks the real release definitions in one named
// way ($FLUX_GITOPS_BAD_DEFINITION), so invalid definitions can be fed through `npm run render` itself.
// As a preload it redirects the CLI's import of stacks/releases/environments.ts to this module, whose
// `loadEnvironment` builds the real definitions and then applies the mistake to environment "prod" (rendered after dev, so a render that wrote dev before checking prod shows).
import { registerHooks } from "node:module";
import { Secret } from "kubernetes-models/v1";
import type { StackConfig } from "../../infra/config/index.ts";
import { gitRepository, helmRelease, type GitRepository } from "../../infra/render/objects.ts";
import type { Environment, RenderObject } from "../../infra/render/write.ts";
import { loadEnvironment as realLoadEnvironment } from "../../stacks/releases/environments.ts";

/** The first object of `kind` in the environment, its layers included. */
const find = (env: Environment, kind: string) =>
  [...env.objects, ...(env.layers ?? []).flatMap((l) => l.objects)].find((o) => o.kind === kind) as RenderObject & {
    spec: any;
    metadata: any;
  };

/** Each mistake, applied to the objects of environment "prod". */
export const MISTAKES: Record<string, (env: Environment) => void> = {
  "bad name": (env) => {
    find(env, "HelmRelease").metadata.name = "Remla_App";
  },
  "bad namespace": (env) => {
    find(env, "GitRepository").metadata.namespace = "Flux System";
  },
  "bad interval": (env) => {
    find(env, "GitRepository").spec.interval = "5 minutes";
  },
  "bad timeout": (env) => {
    find(env, "HelmRelease").spec.timeout = "soon";
  },
  "not in the CRD enum": (env) => {
    find(env, "HelmRelease").spec.upgrade.remediation.strategy = "retry";
  },
  "required field missing": (env) => {
    delete find(env, "GitRepository").spec.url;
  },
  "wrong type": (env) => {
    find(env, "HelmRelease").spec.install.remediation.retries = "three";
  },
  "source without a name": (env) => {
    const nameless = gitRepository({ name: "x", url: "https://github.com/acme/x", ref: { branch: "main" } }) as GitRepository;
    delete nameless.metadata!.name;
    env.objects.push(helmRelease({ name: "orphan", targetNamespace: "orphan", chart: { git: nameless, path: "chart" } }));
  },
  "plaintext Secret": (env) => {
    env.objects.push(new Secret({ metadata: { name: "db", namespace: "remla" }, stringData: { password: "hunter2" } }));
  },
  "duplicate object": (env) => {
    env.layers![0]!.objects.push(find(env, "GitRepository"));
  },
  "values that cannot be YAML": (env) => {
    find(env, "HelmRelease").spec.values.hook = () => "not data";
  },
};

export async function loadEnvironment(cfg: StackConfig, source: string): Promise<Environment> {
  const env = await realLoadEnvironment(cfg, source);
  const mistake = MISTAKES[process.env.FLUX_GITOPS_BAD_DEFINITION ?? ""];
  if (!mistake) throw new Error(`FLUX_GITOPS_BAD_DEFINITION must be one of: ${Object.keys(MISTAKES).join(", ")}`);
  if (env.name === "prod") mistake(env);
  return env;
}

// Loaded as a preload (no query): send the render CLI's definitions import here.
if (new URL(import.meta.url).search === "") {
  const self = `${import.meta.url}?definitions`;
  registerHooks({
    resolve(specifier, context, next) {
      if (specifier.endsWith("/releases/environments.ts") && context.parentURL?.endsWith("/stacks/render.ts")) {
        return { url: self, shortCircuit: true };
      }
      return next(specifier, context);
    },
  });
}
