// What `pulumi up` creates before Flux applies anything of cluster/<env> (infra/components), as far
// as the install checks need it: the Flux namespace and the Secrets and sources objects in Git may
// refer to, with their data where it shapes what Helm renders (values documents, with stand-ins for the
// secret values). The Flux CRDs come with the Flux install and are known to the checks by group.
import type { StackConfig } from "../config/index.ts";
import {
  ALERTMANAGER_SMTP_KEY,
  ALERTMANAGER_SMTP_SECRET,
  AUTOMATION_NAME,
  IMAGE_REGISTRY_SECRET,
  SYNC_NAME,
  alertmanagerSmtpValues,
} from "../contract.ts";
import type { Manifest } from "../helm/release.ts";

export function pulumiObjects(cfg: StackConfig): Manifest[] {
  const namespace = cfg.flux.namespace;
  const secret = (name: string): Manifest => ({ apiVersion: "v1", kind: "Secret", metadata: { name, namespace } });
  const git = (name: string): Manifest => ({
    apiVersion: "source.toolkit.fluxcd.io/v1",
    kind: "GitRepository",
    metadata: { name, namespace },
  });
  const out: Manifest[] = [
    { apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } },
    secret(SYNC_NAME),
    git(SYNC_NAME),
    { apiVersion: "kustomize.toolkit.fluxcd.io/v1", kind: "Kustomization", metadata: { name: SYNC_NAME, namespace } },
  ];
  if (cfg.imageAutomation.enabled) out.push(secret(AUTOMATION_NAME), git(AUTOMATION_NAME));
  if (cfg.imageAutomation.registry !== undefined) out.push(secret(IMAGE_REGISTRY_SECRET));
  // Its data is a values document (infra/components/gitops.ts) whose only value is a Pulumi secret: a stand-in.
  if (cfg.alertmanagerSmtpPassword) {
    out.push({ ...secret(ALERTMANAGER_SMTP_SECRET), stringData: { [ALERTMANAGER_SMTP_KEY]: alertmanagerSmtpValues("(a Pulumi secret)") } });
  }
  return out;
}
