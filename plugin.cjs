// The flux-gitops package's entry point (`main` in package.json). `pulumi package add` (PulumiPlugin.yaml,
// runtime nodejs) starts this directory through @pulumi/pulumi/cmd/run-plugin, which registers ts-node
// whatever the options say and then require()s the directory (@pulumi/pulumi 3.270 cmd/run-plugin/run.js).
// CommonJS, so that require() works on any Node: an older one gets one line saying what to install.
// The program's loader (index.js) and the policy pack's (policies/index.cjs) make the same check.
"use strict";
const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  console.error(
    `flux-gitops needs Node.js >= 22.18 (found v${process.versions.node}; Pulumi runs the first node on PATH): install Node 22.18+ or 24 (e.g. nvm install 24) and put it first on PATH`,
  );
  process.exit(1);
}

// run-plugin looks for the components in what require() returns, at once (no await), so the TypeScript is loaded
// synchronously: plugin.js is an ES module (no top-level await), which require() loads through Node's own ESM
// loader, type stripping included. require("./plugin.ts") would go to ts-node instead and fail (TS5097).
module.exports = require("./plugin.js");
