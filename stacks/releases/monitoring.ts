// kube-prometheus-stack (prometheus-community/helm-charts@kube-prometheus-stack-88.5.3:charts/kube-prometheus-stack;
// values typed from its values.yaml) as the team's release `prom-monitoring` in `monitoring`. It
// brings the monitoring.coreos.com CRDs (crds/ folder of its crds subchart) that the remla chart's
// ServiceMonitors and PrometheusRule need.
import { ALERTMANAGER_SMTP_KEY, ALERTMANAGER_SMTP_SECRET } from "../../infra/contract.ts";
import {
  helmRelease,
  webhookPaths,
  type BuildContext,
  type DriftIgnoreRule,
  type GitRepository,
  type HelmRelease,
  type ValuesReference,
} from "../../infra/render/objects.ts";
import { CHARTS } from "./charts.ts";
import type { Resources } from "./metallb.ts";

export const MONITORING_NAMESPACE = "monitoring";

/** How a chart Service is exposed: the team serves Grafana and Prometheus on MetalLB IPs. */
export interface ServiceExposure {
  type: "LoadBalancer" | "ClusterIP";
  /** Must lie in the environment's MetalLB pool. */
  loadBalancerIP: string;
  port: number;
}

/** One e-mail receiver of Alertmanager (alertmanager.config.receivers[].email_configs[]). */
export interface EmailConfig {
  to: string;
  send_resolved: boolean;
  headers?: { subject: string };
}

/** The part of Alertmanager's configuration file this repository sets (https://prometheus.io/docs/alerting/latest/configuration/). */
export interface AlertmanagerConfig {
  global: {
    resolve_timeout: string;
    smtp_smarthost: string;
    smtp_from: string;
    smtp_auth_username: string;
    smtp_require_tls: boolean;
    // smtp_auth_password is never a value here: the HelmRelease reads it from a Secret (valuesFrom).
  };
  route: {
    group_by: string[];
    group_wait: string;
    group_interval: string;
    repeat_interval: string;
    receiver: string;
    routes: { matchers: string[]; receiver: string; continue: boolean }[];
  };
  receivers: { name: string; email_configs: EmailConfig[] }[];
}

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
    service: ServiceExposure;
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
    /** Merged by Helm over the chart's default config (its inhibit_rules and templates stay). */
    config: AlertmanagerConfig;
    alertmanagerSpec: { replicas: number };
  };
  grafana: { enabled: boolean; service: ServiceExposure };
}

/** A receiver as the team's playbook wrote it: e-mail to `to`, resolved alerts too, subject tagged `[TAG]`. */
function emailReceiver(name: string, to: string, tag: string): { name: string; email_configs: EmailConfig[] } {
  // The team's playbook used templates "email.subject"/"email.html", which Alertmanager does not define
  // (its default.tmpl has email.default.subject/email.default.html): an e-mail would fail to render.
  return { name, email_configs: [{ to, send_resolved: true, headers: { subject: `[${tag}] {{ template "email.default.subject" . }}` } }] };
}

/**
 * The team's Alertmanager routing: the four receivers and routes of their playbook
 * (remla25-team3/operation@1e13332:provisioning/monitoring-alerting.yml, removed in 7162d2e) with the
 * SMTP server, sender and recipient they later wrote into the remla chart
 * (operation@remla-chart-1.5.0:k8s/remla-chart/values.yaml `kube-prometheus-stack.alertmanager.config`,
 * which no template reads). test/stacks/fixtures/team-operation.json holds these facts.
 */
export function teamAlerting(recipient: string): AlertmanagerConfig {
  return {
    global: {
      resolve_timeout: "5m",
      smtp_smarthost: "smtp.gmail.com:587",
      smtp_from: "denskrlv@gmail.com",
      smtp_auth_username: "denskrlv@gmail.com",
      smtp_require_tls: true,
    },
    route: {
      group_by: ["alertname", "severity", "instance"],
      group_wait: "30s",
      group_interval: "5m",
      repeat_interval: "3h",
      receiver: "default-email",
      // `match: {severity: …}` in the playbook; `matchers` is the same selection in the non-deprecated form.
      routes: [
        { matchers: ["severity = critical"], receiver: "critical-email", continue: true },
        { matchers: ["severity = warning"], receiver: "warning-email", continue: true },
        { matchers: ["severity = info"], receiver: "info-email", continue: true },
      ],
    },
    receivers: [
      emailReceiver("critical-email", recipient, "CRITICAL"),
      emailReceiver("warning-email", recipient, "WARNING"),
      emailReceiver("info-email", recipient, "INFO"),
      emailReceiver("default-email", recipient, "DEFAULT"),
    ],
  };
}

export const MONITORING_DEFAULTS: MonitoringValues = {
  prometheusOperator: { admissionWebhooks: { enabled: true }, tls: { enabled: true } },
  prometheus: {
    // The environment sets loadBalancerIP (EnvironmentDefinition.prometheusIP); port 80 as the team serves it.
    service: { type: "LoadBalancer", loadBalancerIP: "", port: 80 },
    prometheusSpec: {
      maximumStartupDurationSeconds: 120,
      serviceMonitorSelectorNilUsesHelmValues: false,
      podMonitorSelectorNilUsesHelmValues: false,
      ruleSelectorNilUsesHelmValues: false,
      retention: "10d",
      replicas: 1,
    },
  },
  alertmanager: { enabled: true, config: teamAlerting("dkrylov@tudelft.nl"), alertmanagerSpec: { replicas: 1 } },
  grafana: { enabled: true, service: { type: "LoadBalancer", loadBalancerIP: "", port: 80 } },
};

/**
 * The SMTP password, from the Secret Pulumi creates in the Flux namespace when the stack sets the secret
 * `flux-gitops:alertmanagerSmtpPassword` (helm-controller reads valuesFrom in the HelmRelease's namespace).
 * The Secret holds a values document setting `alertmanager.config.global.smtp_auth_password`, merged over
 * `values`; not a bare value with `targetPath`, which helm-controller parses with Helm's `--set` parser
 * (fluxcd/pkg chartutil ReplacePathValue → strvals.ParseInto): a comma splits the value, and `12345` or
 * `true` would become a number or a boolean. Optional: without the Secret the release still installs, and
 * Alertmanager cannot log in to the SMTP server.
 */
export const SMTP_PASSWORD_VALUES: ValuesReference = {
  kind: "Secret",
  name: ALERTMANAGER_SMTP_SECRET,
  valuesKey: ALERTMANAGER_SMTP_KEY,
  optional: true,
};

/**
 * What the Prometheus operator and the chart's hooks rewrite in kube-prometheus-stack's objects.
 * - PrometheusRules get the annotation `prometheus-operator-validated: "true"` from the operator's mutating
 *   admission webhook, which a dry-run apply does not call (helm-controller#643, hiddeco; the ignore rule is
 *   the example of fluxcd/helm-controller#815). fluxcd/flux2-monitoring-example@33f7ef39:
 *   monitoring/controllers/kube-prometheus-stack/release.yaml turns drift detection off for PrometheusRules
 *   ("mutated at apply time but not at dry-run time") and for the admission webhook configurations
 *   ("mutated from chart hooks"); the rules below ignore only the fields concerned.
 * - The admission webhooks' caBundle is written by the `<release>-kube-prome-admission-patch` hook Job
 *   (kube-webhook-certgen `patch --webhook-name=prom-monitoring-kube-prome-admission`, mutating and validating;
 *   templates/prometheus-operator/admission-webhooks/job-patch/job-patchWebhook.yaml at 88.5.3).
 */
export const MONITORING_DRIFT_IGNORE: DriftIgnoreRule[] = [
  {
    paths: ["/metadata/annotations/prometheus-operator-validated"],
    target: { kind: "PrometheusRule" },
    reason: "the operator's mutating webhook adds it; dry-run applies do not call it (helm-controller#643, #815)",
  },
  {
    // One webhook: prometheusrulemutate.monitoring.coreos.com.
    paths: webhookPaths(1, "clientConfig/caBundle"),
    target: { kind: "MutatingWebhookConfiguration", name: "prom-monitoring-kube-prome-admission" },
    reason: "the admission-patch hook Job (kube-webhook-certgen) injects the CA",
  },
  {
    // Two webhooks: prometheusrulevalidate, alertmanagerconfigsvalidate.
    paths: webhookPaths(2, "clientConfig/caBundle"),
    target: { kind: "ValidatingWebhookConfiguration", name: "prom-monitoring-kube-prome-admission" },
    reason: "the admission-patch hook Job (kube-webhook-certgen) injects the CA",
  },
];

export function monitoring(args: { values: MonitoringValues; source: GitRepository }, ctx: BuildContext): HelmRelease {
  return helmRelease(
    {
      name: "prom-monitoring",
      targetNamespace: MONITORING_NAMESPACE,
      chart: { git: args.source, path: CHARTS["kube-prometheus-stack"].path },
      // The CRDs sit in a crds/ folder: without CreateReplace an upgrade would leave them at the first version.
      crds: "CreateReplace",
      timeout: "15m",
      driftIgnore: MONITORING_DRIFT_IGNORE,
      values: { ...args.values },
      valuesFrom: [SMTP_PASSWORD_VALUES],
    },
    ctx,
  );
}
