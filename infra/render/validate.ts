// Schema validation of built objects: the CRD schema check of the model (`.validate()`), plus the few
// constraints the API server enforces that the generated schemas leave out (object names, Flux durations).
import { FLUX_DURATION } from "../grammar/duration.ts";
import { isDnsLabel, isDnsSubdomain } from "../grammar/kubernetes.ts";

export interface Violation {
  /** Dotted path of the offending field, e.g. `spec.upgrade.remediation.strategy` or `spec.dependsOn[0].name`. */
  field: string;
  message: string;
}

export interface Validatable {
  kind?: string;
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: unknown;
  validate(): void;
}

interface SchemaError {
  instancePath: string;
  message?: string;
  params?: { allowedValues?: unknown[]; missingProperty?: string };
}

const DURATION_FIELDS = ["interval", "timeout", "retryInterval"];

function fieldPath(instancePath: string): string {
  return instancePath
    .split("/")
    .slice(1)
    .map((part) => part.replaceAll("~1", "/").replaceAll("~0", "~"))
    .reduce((path, part) => (/^\d+$/.test(part) ? `${path}[${part}]` : path ? `${path}.${part}` : part), "");
}

function schemaViolation(error: SchemaError): Violation {
  let field = fieldPath(error.instancePath);
  let message = error.message ?? "is invalid";
  if (error.params?.missingProperty) {
    field = field ? `${field}.${error.params.missingProperty}` : error.params.missingProperty;
    message = "is required";
  } else if (error.params?.allowedValues) {
    message = `must be one of ${error.params.allowedValues.map((v) => JSON.stringify(v)).join(", ")}`;
  }
  return { field: field || "(object)", message };
}

/** Every way `obj` breaks its schema; empty when it is valid. */
export function violations(obj: Validatable): Violation[] {
  const found: Violation[] = [];
  try {
    obj.validate();
  } catch (err) {
    const errors = (err as { errors?: SchemaError[] }).errors;
    if (!errors) throw err;
    found.push(...errors.map(schemaViolation));
  }
  const name = obj.metadata?.name;
  if (!name || !isDnsSubdomain(name)) {
    found.push({
      field: "metadata.name",
      message: `${JSON.stringify(name ?? "")} is not a valid object name (lower-case RFC 1123 subdomain)`,
    });
  }
  const ns = obj.metadata?.namespace;
  if (ns !== undefined && !isDnsLabel(ns)) {
    found.push({ field: "metadata.namespace", message: `${JSON.stringify(ns)} is not a valid namespace (lower-case RFC 1123 label)` });
  }
  const spec = (obj.spec ?? {}) as Record<string, unknown>;
  for (const key of DURATION_FIELDS) {
    const value = spec[key];
    if (typeof value === "string" && !FLUX_DURATION.test(value)) {
      found.push({ field: `spec.${key}`, message: `${JSON.stringify(value)} is not a duration like "10m" or "1h30m"` });
    }
  }
  return found;
}
