// npm run verify [-- <env>...] [--helm 3|4] [--root DIR]
// What the cluster would get from cluster/<env>: every layer built with `kubectl kustomize`, every
// HelmRelease rendered by real Helm from the chart cache as helm-controller installs it (the Helm major of
// the stack's Flux version, or --helm), at the stack's kubernetes.version, and the install checks over the
// whole environment (infra/verify/checks): schemas, install order of kinds, mounted Secrets and ConfigMaps,
// images, LoadBalancer IPs, IngressClasses and Gateway selectors. Needs no cluster.
// Exit 0: every check passes; 1: a finding (one line each) or a release that cannot be rendered; 2: bad arguments.
import { resolve } from "node:path";
import { defineCli, isMain, runCli, UsageError, type Io } from "../infra/cli.ts";
import { listStacks, readStackConfigFile, stackConfigFile } from "../infra/config/index.ts";
import { helmMajorFor } from "../infra/flux/versions.ts";
import { runChecks } from "../infra/verify/checks/index.ts";
import { environmentView } from "../infra/verify/environment.ts";
import { REPOSITORY_ROOT } from "../infra/repository.ts";

const USAGE = "npm run verify [-- <env>...] [--helm 3|4] [--root DIR]";

export const cli = defineCli({
  name: "verify",
  usage: USAGE,
  help: {
    summary: [
      "Shows what the cluster would get from cluster/<env>, with no cluster: every layer built with kubectl kustomize,",
      "every HelmRelease rendered by real Helm from the chart cache as helm-controller installs it (the Helm major of the",
      "stack's Flux version), at the stack's kubernetes.version, and the install checks over the whole environment",
      "(schemas, install order, mounted Secrets and ConfigMaps, images, LoadBalancer IPs, IngressClasses, Gateways).",
    ].join("\n"),
    positionals: { "<env>...": "the environments to verify (default: every Pulumi.<env>.yaml)" },
    flags: {
      helm: "render with Helm 3 or 4 instead of the major the stack's Flux version runs",
      root: "the repository root holding Pulumi.<env>.yaml and cluster/ (default: this checkout)",
    },
    exits: { 0: "every check passes", 1: "a finding (one line each) or a release that cannot be rendered", 2: "bad arguments" },
    examples: ["npm run verify", "npm run verify -- prod --helm 4"],
  },
  allowPositionals: true,
  options: { helm: { type: "string" }, root: { type: "string" } },
  async run({ values, positionals }, io) {
    if (values.helm !== undefined && values.helm !== "3" && values.helm !== "4")
      throw new UsageError(`--helm must be 3 or 4 (usage: ${USAGE})`);
    const root = resolve(values.root ?? REPOSITORY_ROOT);
    const stacks = listStacks(root);
    const envs = positionals.length > 0 ? positionals : stacks;
    for (const env of envs) if (!stacks.includes(env)) throw new UsageError(`no stack ${env}: there is no Pulumi.${env}.yaml in ${root}`);
    let findings = 0;
    for (const env of envs) {
      const cfg = readStackConfigFile(stackConfigFile(root, env), env);
      const helm = values.helm === undefined ? helmMajorFor(cfg.flux.version) : (Number(values.helm) as 3 | 4);
      const view = await environmentView(cfg, { root, helm, kubeVersion: cfg.kubernetes.version });
      const found = runChecks(view);
      for (const f of found) io.err(`verify: ${env}: ${f.check}: ${f.object}: ${f.message}\n`);
      findings += found.length;
      io.out(
        `verify: ${env}: ${view.releases.length} HelmReleases rendered with Helm ${helm} for Kubernetes ${cfg.kubernetes.version}, ` +
          `${view.objects.length} objects checked, ${found.length} finding${found.length === 1 ? "" : "s"}\n`,
      );
    }
    return findings === 0 ? 0 : 1;
  },
});

export function main(argv: string[], io?: Io, env?: NodeJS.ProcessEnv): Promise<number> {
  return runCli(cli, argv, io, env);
}

if (isMain(import.meta.url)) process.exitCode = await main(process.argv.slice(2));
