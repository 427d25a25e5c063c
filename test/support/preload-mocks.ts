// Preload module (`node --import`) that installs Pulumi mocks before the entry point runs, the
// way the Pulumi CLI's language host would have connected the engine. Each finished registration
// is appended as one JSON line to $FLUX_GITOPS_MOCK_OUT.
import { appendFileSync, readFileSync } from "node:fs";
import yaml from "js-yaml";
import * as pulumi from "@pulumi/pulumi";
import { testStackFile } from "./stacks.ts";

const stack = process.env.FLUX_GITOPS_MOCK_STACK ?? "dev";
const out = process.env.FLUX_GITOPS_MOCK_OUT;
if (!out) throw new Error("FLUX_GITOPS_MOCK_OUT is not set");

await pulumi.runtime.setMocks(
  {
    newResource(args) {
      appendFileSync(out, JSON.stringify({ type: args.type, name: args.name }) + "\n");
      return { id: `${args.name}-id`, state: args.inputs };
    },
    call(args) {
      throw new Error(`unexpected invoke ${args.token}`);
    },
  },
  "flux-gitops",
  stack,
  false,
);
const doc = yaml.load(readFileSync(testStackFile(stack), "utf8")) as { config: Record<string, unknown> };
pulumi.runtime.setAllConfig(
  Object.fromEntries(Object.entries(doc.config).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)])),
);
