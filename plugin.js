// The ES module plugin.cjs loads: it hands the TypeScript entry to Node's ESM loader (type stripping), never to
// the ts-node that cmd/run-plugin registers. package.json `exports` names it too, which is where Pulumi's analyzer
// finds the entry it reads the schema from (plugin.ts, the same path with .ts).
export * from "./plugin.ts";
