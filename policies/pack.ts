// Maps the rule set onto CrossGuard policies. Pure: only policies/index.ts constructs the PolicyPack.
import { z } from "zod";
import type {
  PolicyConfigSchema,
  PolicyResource,
  ReportViolation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationPolicy,
} from "@pulumi/policy";
import type { StackFacts } from "../infra/contract.ts";
import { field, parseUrn } from "./rules/model.ts";
import type { Report, Rule, Subject } from "./rules/model.ts";
import { factsFromPulumiConfig, githubOwnerOf, pulumiConfigFromEnv } from "./stacks.ts";

type PulumiResource = Pick<ResourceValidationArgs | PolicyResource, "type" | "name" | "urn" | "props" | "opts">;

/** What the pack knows of the stack under preview: its config, as the engine hands it over. */
export interface PackStack {
  /** The stack's flux-gitops config, read for the stack named in a resource's URN. */
  facts(stack: string): StackFacts | undefined;
  /** `github:owner`, for stacks without flux-gitops config. */
  githubOwner?: string;
}

/** The stack config the CLI hands a policy pack in PULUMI_CONFIG. */
export function packStackFromEnv(env: NodeJS.ProcessEnv): PackStack {
  const config = pulumiConfigFromEnv(env);
  const cache = new Map<string, StackFacts | undefined>();
  return {
    githubOwner: githubOwnerOf(config),
    facts(stack) {
      if (!cache.has(stack)) cache.set(stack, factsFromPulumiConfig(config, stack));
      return cache.get(stack);
    },
  };
}

export function fromPulumi(r: PulumiResource, packStack: PackStack = { facts: () => undefined }): Subject {
  const own = parseUrn(r.urn) ?? { stack: undefined, types: [] };
  // The URN carries the parents' types; the parent option's URN adds the parent itself and its chain.
  const ancestors = [...new Set([...own.types.slice(0, -1), ...(parseUrn(r.opts.parent)?.types ?? [])])];
  const name = field(r.props, "metadata", "name");
  const namespace = field(r.props, "metadata", "namespace");
  const stack = own.stack === undefined ? undefined : packStack.facts(own.stack);
  return {
    type: r.type,
    name: typeof name === "string" ? name : r.name,
    namespace: typeof namespace === "string" ? namespace : undefined,
    props: r.props,
    origin: "pulumi",
    ancestors,
    urn: r.urn,
    parentUrn: r.opts.parent,
    environment: own.stack,
    githubOwner: stack?.githubOwner ?? packStack.githubOwner,
    stack,
  };
}

function configSchema(rule: Rule): PolicyConfigSchema | undefined {
  const schema = z.toJSONSchema(rule.config, { io: "input" }) as { properties?: PolicyConfigSchema["properties"]; required?: string[] };
  if (!schema.properties || Object.keys(schema.properties).length === 0) return undefined;
  return { properties: schema.properties, ...(schema.required ? { required: schema.required } : {}) };
}

/**
 * A rule's report as a CrossGuard violation. A finding the rule lowers to advisory (strict only in
 * production, e.g. chart-version-pinned) keeps that level, as in the YAML checker: @pulumi/policy's server
 * takes a violation object with its own enforcementLevel (makeReportViolationFun in its server.js, read at
 * v1.21.0), although its typings declare only the string form; test/policies/pack.test.ts holds it to that.
 */
function reporter(report: ReportViolation, description: string): Report {
  return (message, _at, lowered) => {
    if (lowered === undefined) return report(message);
    const withLevel = report as unknown as (violation: { message: string; enforcementLevel: "advisory" }) => void;
    withLevel({ message: `${description}\n${message}`, enforcementLevel: lowered });
  };
}

export function packPolicies(rules: Rule[], packStack?: PackStack): (ResourceValidationPolicy | StackValidationPolicy)[] {
  return rules.map((rule) => {
    const base = {
      name: rule.name,
      description: rule.description,
      enforcementLevel: rule.enforcementLevel,
      configSchema: configSchema(rule),
    };
    if (!rule.origins.includes("pulumi")) {
      return { ...base, validateResource: (args) => args.notApplicable("this rule checks the YAML in Git (npm run policy)") };
    }
    if (rule.kind === "stack") {
      return {
        ...base,
        validateStack: (args, report) =>
          rule.checkStack(
            args.resources.map((r) => fromPulumi(r, packStack)),
            rule.config.parse(args.getConfig()),
            reporter(report, rule.description),
          ),
      };
    }
    return {
      ...base,
      validateResource: (args, report) =>
        rule.check(fromPulumi(args, packStack), rule.config.parse(args.getConfig()), reporter(report, rule.description)),
    };
  });
}
