// The policy pack's entry point (`main` in policies/package.json). The Pulumi CLI starts a Node.js pack
// through @pulumi/pulumi/cmd/run-policy-pack, which registers ts-node whatever PulumiPolicy.yaml says and
// then require()s this directory. CommonJS, so that require() works on any Node and ts-node never
// compiles our TypeScript: an older Node gets one line saying what to install, Node >= 22.18 imports
// the TypeScript entry through its own ESM loader (type stripping). See docs/runtime.md.
// The program's loader (../index.js) makes the same check.
"use strict";
const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  console.error(
    `flux-gitops needs Node.js >= 22.18 (found v${process.versions.node}; Pulumi runs the first node on PATH): install Node 22.18+ or 24 (e.g. nvm install 24) and put it first on PATH`,
  );
  process.exit(1);
}

// run-policy-pack awaits what require() returns, so a failure while loading the pack reaches its error handler.
module.exports = import("./index.ts");
