// The flux-gitops package's entry point (`main` in package.json). `pulumi package add` (PulumiPlugin.yaml,
// runtime nodejs) starts this directory through @pulumi/pulumi/cmd/run-plugin, which registers ts-node
// whatever the options say and then require()s the directory (@pulumi/pulumi 3.270 cmd/run-plugin/run.js).
// CommonJS, so that require() works on any Node: an older one gets one line saying what to install.
// The check is infra/node-version.cjs, shared with the program's and the policy pack's loaders.
"use strict";
require("./infra/node-version.cjs").requireSupportedNode();

// run-plugin looks for the components in what require() returns, at once (no await), so the TypeScript is loaded
// synchronously: plugin.js is an ES module (no top-level await), which require() loads through Node's own ESM
// loader, type stripping included. require("./plugin.ts") would go to ts-node instead and fail (TS5097).
module.exports = require("./plugin.js");
