// The Pulumi program's entry point (`main` in Pulumi.yaml). Pulumi starts it through
// @pulumi/pulumi/cmd/run with whatever `node` is first on PATH, from this directory (the project
// root, so the CLI finds node_modules here). Plain JavaScript, so that any Node can read it: an
// older one gets one line saying what to install instead of ERR_UNKNOWN_FILE_EXTENSION ".ts".
// Node >= 22.18 then runs the TypeScript entry itself by stripping types (no ts-node). See docs/runtime.md.
// The check is infra/node-version.cjs, shared with the package's and the policy pack's loaders.
import { createRequire } from "node:module";

createRequire(import.meta.url)("./infra/node-version.cjs").requireSupportedNode();

// cmd/run takes a lone default export as the program's exports: the stack outputs.
export default await import("./stacks/program.ts");
