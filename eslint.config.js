// The lint step of .ci/run (`npm run lint`): a small, deliberate rule set over the TypeScript, each rule for a
// class of mistake the type checker lets through and that this code base has had. Type-aware (typescript-eslint's
// project service reads tsconfig.json). Unused locals and parameters are the type checker's (tsconfig.json), dead
// exports knip's (knip.json).
import tseslint from "typescript-eslint";

/** `if (c) X else X`, `c ? X : X`: both branches the same text, so the condition decides nothing. */
const noEqualBranches = {
  meta: { type: "problem", messages: { equal: "both branches are the same: the condition decides nothing" }, schema: [] },
  create(context) {
    const text = (node) => context.sourceCode.getText(node).replace(/\s+/g, " ");
    const check = (node) => {
      if (node.alternate && text(node.consequent) === text(node.alternate)) context.report({ node, messageId: "equal" });
    };
    return { IfStatement: check, ConditionalExpression: check };
  },
};

export default tseslint.config(
  { ignores: ["node_modules/**", ".tools/**", "cluster/**", "charts/**", "**/*.js", "**/*.cjs", "**/*.mjs"] },
  {
    files: ["**/*.ts"],
    languageOptions: { parser: tseslint.parser, parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    plugins: { "@typescript-eslint": tseslint.plugin, local: { rules: { "no-equal-branches": noEqualBranches } } },
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: {
      // Dead code: branches that decide nothing, code after a return, conditions that are always one way.
      "local/no-equal-branches": "error",
      "no-unreachable": "error",
      "no-constant-condition": ["error", { checkLoops: false }],
      "no-dupe-else-if": "error",
      "no-self-assign": "error",
      "no-useless-catch": "error",
      // Promises: one not awaited loses its error; one passed where a value is expected is always truthy.
      "@typescript-eslint/no-floating-promises": [
        "error",
        // node:test's test() and describe() return a promise the runner awaits itself.
        { allowForKnownSafeCalls: [{ from: "package", package: "node:test", name: ["test", "describe", "it", "suite"] }] },
      ],
      "@typescript-eslint/no-misused-promises": "error",
      "@typescript-eslint/await-thenable": "error",
      // A union switched over without a case for each member, when a member is added.
      "@typescript-eslint/switch-exhaustiveness-check": ["error", { considerDefaultExhaustiveForUnions: true }],
    },
  },
  {
    // The production code: a condition its types say is always one way is dead code (or a type that lies). Tests
    // check what hostile input does, against the types on purpose.
    files: ["infra/**/*.ts", "stacks/**/*.ts", "policies/**/*.ts", "plugin.ts"],
    rules: { "@typescript-eslint/no-unnecessary-condition": ["error", { allowConstantLoopConditions: true }] },
  },
);
