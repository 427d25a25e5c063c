// The Pulumi program's entry point (`main` in Pulumi.yaml). Pulumi starts it through
// @pulumi/pulumi/cmd/run with whatever `node` is first on PATH, from this directory (the project
// root, so the CLI finds node_modules here). Plain JavaScript, so that any Node can read it: an
// older one gets one line saying what to install instead of ERR_UNKNOWN_FILE_EXTENSION ".ts".
// Node >= 22.18 then runs the TypeScript entry itself by stripping types (no ts-node). See docs/runtime.md.
// The policy pack's loader (policies/index.cjs) makes the same check.
const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  console.error(
    `flux-gitops needs Node.js >= 22.18 (found v${process.versions.node}; Pulumi runs the first node on PATH): install Node 22.18+ or 24 (e.g. nvm install 24) and put it first on PATH`,
  );
  process.exit(1);
}

// cmd/run takes a lone default export as the program's exports: the stack outputs.
export default await import("./stacks/program.ts");
