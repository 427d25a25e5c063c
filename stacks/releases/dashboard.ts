// kubernetes-dashboard (chart kubernetes/dashboard@kubernetes-dashboard-7.13.0:charts/kubernetes-dashboard;
// values typed from its values.yaml), its Ingress through ingress-nginx, and optionally the team's
// `admin-user` ServiceAccount bound to cluster-admin (login: kubectl -n kubernetes-dashboard create token admin-user).
import {
  clusterRoleBinding,
  helmRelease,
  serviceAccount,
  type BuildContext,
  type ClusterRoleBinding,
  type GitRepository,
  type HelmRelease,
  type ServiceAccount,
} from "../../infra/render/objects.ts";
import { CHARTS } from "./charts.ts";

export const DASHBOARD_NAMESPACE = "kubernetes-dashboard";

/** The subset of the kubernetes-dashboard chart's values this repository sets. */
export interface DashboardValues {
  app: {
    ingress: {
      enabled: boolean;
      hosts: string[];
      /** The chart's default is `internal-nginx` (its bundled controller); ours is `nginx`. */
      ingressClassName: string;
      /** `disabled`: no cert-manager annotations (cert-manager is not installed). */
      issuer: { scope: "default" | "cluster" | "disabled" };
      tls: { enabled: boolean };
    };
  };
}

export const DASHBOARD_DEFAULTS: DashboardValues = {
  app: {
    ingress: {
      enabled: true,
      hosts: ["dashboard.local"],
      ingressClassName: "nginx",
      issuer: { scope: "disabled" },
      tls: { enabled: true },
    },
  },
};

export interface DashboardArgs {
  values: DashboardValues;
  source: GitRepository;
  /** Ingresses are rejected while ingress-nginx's validating webhook has no ready endpoint. */
  dependsOn: HelmRelease[];
  /** The `admin-user` account with cluster-admin (dev convenience; not for production). */
  adminUser: boolean;
}

export function dashboard(args: DashboardArgs, ctx: BuildContext): [HelmRelease, ...(ServiceAccount | ClusterRoleBinding)[]] {
  const release = helmRelease(
    {
      name: "kubernetes-dashboard",
      targetNamespace: DASHBOARD_NAMESPACE,
      chart: { git: args.source, path: CHARTS["kubernetes-dashboard"].path },
      dependsOn: args.dependsOn,
      values: { ...args.values },
    },
    ctx,
  );
  if (!args.adminUser) return [release];
  const admin = serviceAccount({ name: "admin-user", namespace: DASHBOARD_NAMESPACE }, ctx);
  return [release, admin, clusterRoleBinding({ name: "admin-user", clusterRole: "cluster-admin", subjects: [admin] }, ctx)];
}
