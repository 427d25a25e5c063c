// A render in its own process, for tests that kill it part-way (with the kill-at.ts preload):
// `node --import ./kill-at.ts render-child.ts <root> old|new` writes environment "dev" of that variant.
import { writeEnvironments, type Environment, type RenderObject } from "../../infra/render/write.ts";

function configMap(name: string, data: Record<string, string>): RenderObject {
  const metadata = { name, namespace: "remla" };
  return { kind: "ConfigMap", metadata, validate() {}, toJSON: () => ({ apiVersion: "v1", kind: "ConfigMap", metadata, data }) };
}

/** Two versions of environment "dev": `new` changes one object, drops one and adds one. */
export function fixtureEnvironment(variant: "old" | "new"): Environment {
  const objects =
    variant === "old"
      ? [configMap("a", { v: "1" }), configMap("b", { v: "1" }), configMap("c", { v: "1" })]
      : [configMap("a", { v: "2" }), configMap("c", { v: "1" }), configMap("d", { v: "2" })];
  return { name: "dev", dir: "cluster/dev", objects };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [root, variant] = process.argv.slice(2);
  writeEnvironments(root!, [fixtureEnvironment(variant === "new" ? "new" : "old")]);
}
