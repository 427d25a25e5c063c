// The policy pack's entry point (`main` in policies/package.json). The Pulumi CLI starts a Node.js pack
// through @pulumi/pulumi/cmd/run-policy-pack, which registers ts-node whatever PulumiPolicy.yaml says and
// then require()s this directory. CommonJS, so that require() works on any Node and ts-node never
// compiles our TypeScript: an older Node gets one line saying what to install, Node >= 22.18 imports
// the TypeScript entry through its own ESM loader (type stripping). See docs/runtime.md.
// The check is ../infra/node-version.cjs, shared with the program's and the package's loaders.
"use strict";
require("../infra/node-version.cjs").requireSupportedNode();

// run-policy-pack awaits what require() returns, so a failure while loading the pack reaches its error handler.
module.exports = import("./index.ts");
