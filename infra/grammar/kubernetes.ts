// Kubernetes object names, as the API server checks them (k8s.io/apimachinery pkg/util/validation/
// validation.go: IsDNS1123Label, IsDNS1123Subdomain and their length limits). Stack and environment names are DNS labels
// too: each becomes a namespace-like part of names and a folder under cluster/.

/** One RFC 1123 label: lowercase alphanumerics and '-', starting and ending alphanumeric. */
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** The longest DNS label (validation.go DNS1123LabelMaxLength). */
export const DNS_LABEL_MAX = 63;
/** RFC 1123 subdomain: dot-separated labels (most object names). */
export const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** The longest DNS subdomain (validation.go DNS1123SubdomainMaxLength). */
export const DNS_SUBDOMAIN_MAX = 253;

/** A namespace name, a stack name: an RFC 1123 label of at most 63 characters. */
export const isDnsLabel = (name: string): boolean => name.length <= DNS_LABEL_MAX && DNS_LABEL.test(name);

/** An object name: an RFC 1123 subdomain of at most 253 characters. */
export const isDnsSubdomain = (name: string): boolean => name.length <= DNS_SUBDOMAIN_MAX && DNS_SUBDOMAIN.test(name);

/** A `/`-separated path of DNS labels (a layer's folder below an environment's, e.g. `infrastructure/controllers`). */
export const isLabelPath = (path: string): boolean => path.split("/").every(isDnsLabel);
