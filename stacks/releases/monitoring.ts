// kube-prometheus-stack (prometheus-community/helm-charts@kube-prometheus-stack-88.5.3:charts/kube-prometheus-stack;
// values typed from its values.yaml) as the team's release `prom-monitoring` in `monitoring`. It
// brings the monitoring.coreos.com CRDs (crds/ folder of its crds subchart) that the remla chart's
// ServiceMonitors and PrometheusRule need.
import { helmRelease, type BuildContext, type GitRepository, type HelmRelease } from "../../infra/render/objects.ts";
import { CHARTS } from "./charts.ts";
import type { Resources } from "./metallb.ts";

export const MONITORING_NAMESPACE = "monitoring";

/** The subset of the kube-prometheus-stack chart's values this repository sets. */
export interface MonitoringValues {
  prometheusOperator: {
    admissionWebhooks: { enabled: boolean };
    /**
     * The operator's own TLS listener mounts Secret `<release>-kube-prome-admission`, which only the
     * admission webhooks' certgen Job creates (templates/prometheus-operator/deployment.yaml at 88.5.3):
     * turn it off whenever the webhooks are off.
     */
    tls: { enabled: boolean };
  };
  prometheus: {
    prometheusSpec: {
      /** The CRD requires >= 60 (the chart default 0 is rejected). */
      maximumStartupDurationSeconds: number;
      /** false: select the ServiceMonitors/PodMonitors/rules of every release, not only `release: prom-monitoring`. */
      serviceMonitorSelectorNilUsesHelmValues: boolean;
      podMonitorSelectorNilUsesHelmValues: boolean;
      ruleSelectorNilUsesHelmValues: boolean;
      retention: string;
      replicas: number;
      resources?: Resources;
    };
  };
  alertmanager: {
    enabled: boolean;
    alertmanagerSpec: {
      replicas: number;
      /** Secrets in `monitoring` mounted at /etc/alertmanager/secrets/<name> (e.g. the SMTP password). */
      secrets: string[];
    };
  };
  grafana: { enabled: boolean };
}

export const MONITORING_DEFAULTS: MonitoringValues = {
  prometheusOperator: { admissionWebhooks: { enabled: true }, tls: { enabled: true } },
  prometheus: {
    prometheusSpec: {
      maximumStartupDurationSeconds: 120,
      serviceMonitorSelectorNilUsesHelmValues: false,
      podMonitorSelectorNilUsesHelmValues: false,
      ruleSelectorNilUsesHelmValues: false,
      retention: "10d",
      replicas: 1,
    },
  },
  alertmanager: { enabled: true, alertmanagerSpec: { replicas: 1, secrets: [] } },
  grafana: { enabled: true },
};

export function monitoring(args: { values: MonitoringValues; source: GitRepository }, ctx: BuildContext): HelmRelease {
  return helmRelease(
    {
      name: "prom-monitoring",
      targetNamespace: MONITORING_NAMESPACE,
      chart: { git: args.source, path: CHARTS["kube-prometheus-stack"].path },
      // The CRDs sit in a crds/ folder: without CreateReplace an upgrade would leave them at the first version.
      crds: "CreateReplace",
      timeout: "15m",
      values: { ...args.values },
    },
    ctx,
  );
}
