// The GitRepository image automation pushes through: the sync's repository and branch, but its own
// Secret (the write-enabled deploy key), so the sync's read-only Secret never gains write access.
import { GitRepository, type IGitRepository } from "@kubernetes-models/flux-cd/source.toolkit.fluxcd.io/v1";
import { AUTOMATION_NAME } from "../contract.ts";
import type { Metadata } from "../metadata.ts";
import { syncRepositorySpec, type SyncTarget } from "./sync.ts";

/** The `flux-system-automation` GitRepository in `namespace`, schema-checked against the Flux CRD. */
export function automationRepositoryManifest(target: SyncTarget, namespace: string, { labels, annotations }: Metadata): IGitRepository {
  const gitRepository: IGitRepository = {
    apiVersion: "source.toolkit.fluxcd.io/v1",
    kind: "GitRepository",
    metadata: { name: AUTOMATION_NAME, namespace, labels, annotations },
    spec: syncRepositorySpec(target, AUTOMATION_NAME),
  };
  new GitRepository(gitRepository).validate();
  return gitRepository;
}

/** `.dockerconfigjson` of a docker-registry Secret (what `kubectl create secret docker-registry` writes). */
export function dockerConfigJson(server: string, username: string, password: string): string {
  const auth = Buffer.from(`${username}:${password}`).toString("base64");
  return JSON.stringify({ auths: { [server]: { username, password, auth } } });
}
