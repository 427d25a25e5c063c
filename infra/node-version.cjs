// The Node.js version flux-gitops needs, checked in one place by every entry point that any Node may start:
// the program's loader (index.js), the package's (plugin.cjs), the policy pack's (policies/index.cjs), and the
// shell scripts (.ci/node-env runs this file: exit 0 when the node running it is new enough). Node >= 22.18
// runs our TypeScript by stripping types (docs/runtime.md); package.json `engines` says the same, and a test
// holds the two together. CommonJS and plain JavaScript, so that any Node can read it.
"use strict";

/** The oldest Node.js that runs flux-gitops: [major, minor]. */
const MINIMUM = [22, 18];

/** The one line to show when `version` (default: this process's) is too old, else undefined. */
function nodeProblem(version = process.versions.node) {
  const [major, minor] = version.split(".").map(Number);
  if (major > MINIMUM[0] || (major === MINIMUM[0] && minor >= MINIMUM[1])) return undefined;
  return `flux-gitops needs Node.js >= ${MINIMUM.join(".")} (found v${version}; Pulumi runs the first node on PATH): install Node ${MINIMUM.join(".")}+ or 24 (e.g. nvm install 24) and put it first on PATH`;
}

/** Exits with the one line when this Node is too old. */
function requireSupportedNode() {
  const problem = nodeProblem();
  if (problem === undefined) return;
  console.error(problem);
  process.exit(1);
}

module.exports = { MINIMUM, nodeProblem, requireSupportedNode };

// Run as a script (.ci/node-env): the exit status says whether this node is new enough, silently.
if (require.main === module) process.exit(nodeProblem() === undefined ? 0 : 1);
