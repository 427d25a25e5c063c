// Taking over the team's running cluster (docs/operations.md "Take over the running cluster").
//
// Every HelmRelease keeps Helm's storage in its target namespace under the team's release name
// (infra/render/objects.ts helmRelease), so helm-controller finds the releases the team installed with
// `helm`/Ansible and upgrades them in place: with no history in the HelmRelease's status, a release in
// storage is "Unmanaged" and gets an upgrade, not an install (fluxcd/helm-controller@v1.4.5 and @v1.5.3:
// internal/reconcile/state.go DetermineReleaseState → ReleaseStatusUnmanaged; atomic_release.go).
//
// Objects the team created outside Helm are adopted by Helm's take-ownership, which helm-controller turns on
// unless `disableTakeOwnership` is set (fluxcd/helm-controller@v1.4.5:internal/action/install.go
// `install.TakeOwnership = !obj.GetInstall().DisableTakeOwnership`, upgrade.go likewise; v1.5.3 the same,
// and it applies server-side with ForceConflicts). Helm then updates an existing object of the same kind,
// namespace and name instead of refusing it (helm/helm@v3.19.2 and @v4.1.4:pkg/action/validate.go
// requireAdoption; install.go, upgrade.go). That covers istioctl's objects (istioctl renders the same
// base and istiod charts, so the names match) and the Dashboard Ingress the playbook applied.
//
// It does not cover objects the chart names differently: the metallb-native manifest's controller and
// speaker are `controller`/`speaker`, the chart's `metallb-controller`/`metallb-speaker`. Left running,
// the old speakers keep MetalLB's host ports (7472 metrics, 7946 memberlist, hostNetwork) and the chart's
// speakers cannot start, so the install times out. Those objects are deleted once, by the commands below.
// So is the webhook Service, whose name is the same but whose selector is not: the manifest selects
// `component: controller`, the chart `app.kubernetes.io/{name,instance,component}`. Adoption merges the
// chart's Service into the live one (Helm 3: three-way merge with the chart's manifest as the original;
// Helm 4: server-side apply), and neither removes a selector key another field manager set, so the adopted
// Service would select no pod and MetalLB's webhook (failurePolicy Fail) would reject every pool.

/** A Kubernetes object by kind, namespace ("" for cluster-scoped) and name. */
export type ObjectRef = [kind: string, namespace: string, name: string];

/**
 * Objects of metallb-native.yaml v0.14.9 that the metallb chart 0.14.9 (release `metallb`) renders under
 * another name (its replacements are `metallb-controller`, `metallb-speaker`, `metallb-pod-lister` and
 * `metallb:controller`/`metallb:speaker`), and the webhook Service. In deletion order: workloads first.
 */
export const METALLB_REPLACED: ObjectRef[] = [
  ["Deployment", "metallb-system", "controller"],
  ["DaemonSet", "metallb-system", "speaker"],
  ["RoleBinding", "metallb-system", "controller"],
  ["RoleBinding", "metallb-system", "pod-lister"],
  ["Role", "metallb-system", "controller"],
  ["Role", "metallb-system", "pod-lister"],
  ["ClusterRoleBinding", "", "metallb-system:controller"],
  ["ClusterRoleBinding", "", "metallb-system:speaker"],
  ["ClusterRole", "", "metallb-system:controller"],
  ["ClusterRole", "", "metallb-system:speaker"],
  ["ServiceAccount", "metallb-system", "controller"],
  ["ServiceAccount", "metallb-system", "speaker"],
  // Same name in the chart, different selector (see above): the chart creates it anew.
  ["Service", "metallb-system", "metallb-webhook-service"],
];

/** Kinds a take-over must never delete: the CRDs carry every IPAddressPool, the rest is adopted by name. */
export const NEVER_DELETED = ["CustomResourceDefinition", "Namespace", "Secret", "ConfigMap", "ValidatingWebhookConfiguration"];

/** The one-time commands, one `kubectl delete` per kind and namespace, in METALLB_REPLACED order. */
export function metallbMigrationCommands(objects: ObjectRef[] = METALLB_REPLACED): string[] {
  const groups = new Map<string, { kind: string; namespace: string; names: string[] }>();
  for (const [kind, namespace, name] of objects) {
    if (NEVER_DELETED.includes(kind)) throw new Error(`the take-over must not delete ${kind} ${name}`);
    const key = `${kind}/${namespace}`;
    const group = groups.get(key) ?? { kind, namespace, names: [] };
    group.names.push(name);
    groups.set(key, group);
  }
  return [...groups.values()].map(
    (g) => `kubectl${g.namespace ? ` -n ${g.namespace}` : ""} delete ${g.kind.toLowerCase()} ${g.names.join(" ")} --ignore-not-found`,
  );
}
