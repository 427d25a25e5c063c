// Breaks the real release definitions in one named way, so invalid definitions can be fed through the
// render CLI itself (its main(argv, io), in the test's process). `renderCli()` sends the CLI's import of
// stacks/releases/environments.ts here, to a `loadEnvironment` that builds the real definitions and then,
// for a repository root marked with `breakDefinitions(root, mistake)`, applies the mistake to environment
// "prod" (rendered after dev, so a render that wrote dev before checking prod shows). Roots not marked
// render as they are.
import { registerHooks } from "node:module";
import { dirname } from "node:path";
import { Secret } from "kubernetes-models/v1/Secret";
import type { StackConfig } from "../../infra/config/index.ts";
import { gitRepository, helmRelease, type GitRepository } from "../../infra/render/objects.ts";
import type { Io } from "../../infra/cli.ts";
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

const broken = new Map<string, string>();

/** Makes every render of repository `root` apply `mistake` to environment "prod". */
export function breakDefinitions(root: string, mistake: keyof typeof MISTAKES): void {
  if (!(mistake in MISTAKES)) throw new Error(`no such mistake: ${mistake}; one of: ${Object.keys(MISTAKES).join(", ")}`);
  broken.set(root, mistake);
}

/**
 * What the render CLI loads in place of stacks/releases/environments.ts (`source` is the root's Pulumi.<stack>.yaml).
 * @public imported by stacks/render.ts through the resolve hook in renderCli(), which the dead-export check cannot see
 */
export async function loadEnvironment(cfg: StackConfig, source: string): Promise<Environment> {
  const env = await realLoadEnvironment(cfg, source);
  const mistake = broken.get(dirname(source));
  if (mistake !== undefined && env.name === "prod") MISTAKES[mistake]!(env);
  return env;
}

let hooked = false;
let redirected = false;

/** The render CLI's main, loaded so that its definitions come from this module. */
export async function renderCli(): Promise<(argv: string[], io?: Io) => Promise<number>> {
  if (!hooked) {
    hooked = true;
    const self = import.meta.url;
    registerHooks({
      resolve(specifier, context, next) {
        if (specifier.endsWith("/releases/environments.ts") && context.parentURL?.endsWith("/stacks/render.ts")) {
          redirected = true;
          return { url: self, shortCircuit: true };
        }
        return next(specifier, context);
      },
    });
  }
  const { main } = await import("../../stacks/render.ts");
  if (!redirected) throw new Error("stacks/render.ts was loaded before renderCli(), so its definitions cannot be broken");
  return main;
}
