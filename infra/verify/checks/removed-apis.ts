// Built-in group/version/Kinds Kubernetes stopped serving, with the minor that removed them, from the
// Deprecated API Migration Guide (https://kubernetes.io/docs/reference/using-api/deprecation-guide/),
// up to 1.32. Needed beside api-versions-<minor>.json: client-go keeps the types of removed versions
// in its scheme, so Helm's .Capabilities.APIVersions (and kubernetes-models) still list them.
export const REMOVED_IN: Readonly<Record<string, number>> = Object.fromEntries(
  (
    [
      [32, "flowcontrol.apiserver.k8s.io/v1beta3", ["FlowSchema", "PriorityLevelConfiguration"]],
      [29, "flowcontrol.apiserver.k8s.io/v1beta2", ["FlowSchema", "PriorityLevelConfiguration"]],
      [27, "storage.k8s.io/v1beta1", ["CSIStorageCapacity"]],
      [26, "flowcontrol.apiserver.k8s.io/v1beta1", ["FlowSchema", "PriorityLevelConfiguration"]],
      [26, "autoscaling/v2beta2", ["HorizontalPodAutoscaler"]],
      [25, "batch/v1beta1", ["CronJob"]],
      [25, "discovery.k8s.io/v1beta1", ["EndpointSlice"]],
      [25, "events.k8s.io/v1beta1", ["Event"]],
      [25, "autoscaling/v2beta1", ["HorizontalPodAutoscaler"]],
      [25, "policy/v1beta1", ["PodDisruptionBudget", "PodSecurityPolicy"]],
      [25, "node.k8s.io/v1beta1", ["RuntimeClass"]],
      [22, "admissionregistration.k8s.io/v1beta1", ["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"]],
      [22, "apiextensions.k8s.io/v1beta1", ["CustomResourceDefinition"]],
      [22, "apiregistration.k8s.io/v1beta1", ["APIService"]],
      [22, "authentication.k8s.io/v1beta1", ["TokenReview"]],
      [22, "authorization.k8s.io/v1beta1", ["SubjectAccessReview", "LocalSubjectAccessReview", "SelfSubjectAccessReview"]],
      [22, "certificates.k8s.io/v1beta1", ["CertificateSigningRequest"]],
      [22, "coordination.k8s.io/v1beta1", ["Lease"]],
      [22, "extensions/v1beta1", ["Ingress"]],
      [22, "networking.k8s.io/v1beta1", ["Ingress", "IngressClass"]],
      [22, "rbac.authorization.k8s.io/v1beta1", ["ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"]],
      [22, "scheduling.k8s.io/v1beta1", ["PriorityClass"]],
      [22, "storage.k8s.io/v1beta1", ["CSIDriver", "CSINode", "StorageClass", "VolumeAttachment"]],
      [16, "extensions/v1beta1", ["DaemonSet", "Deployment", "ReplicaSet", "NetworkPolicy", "PodSecurityPolicy"]],
      [16, "apps/v1beta1", ["Deployment", "StatefulSet"]],
      [16, "apps/v1beta2", ["DaemonSet", "Deployment", "ReplicaSet", "StatefulSet"]],
    ] as const
  ).flatMap(([minor, gv, kinds]) => kinds.map((k) => [`${gv}/${k}`, minor] as const)),
);
