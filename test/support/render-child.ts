// A render in its own process, for tests that kill it part-way (with the kill-at.ts preload):
// `node --import ./kill-at.ts render-child.ts <root> <variant>` writes environment "dev" of that variant
// (old, new, layered-old, layered-new).
import { writeEnvironments, type Environment, type RenderObject } from "../../infra/render/write.ts";

function configMap(name: string, data: Record<string, string>): RenderObject {
  const metadata = { name, namespace: "remla" };
  return { kind: "ConfigMap", metadata, validate() {}, toJSON: () => ({ apiVersion: "v1", kind: "ConfigMap", metadata, data }) };
}

export type Variant = "old" | "new" | "layered-old" | "layered-new";

/**
 * Versions of environment "dev": `new` changes one object, drops one and adds one. The layered ones
 * have subfolders as the real environments do: `layered-new` changes a file in one layer, drops a whole
 * nested layer and adds another.
 */
export function fixtureEnvironment(variant: Variant): Environment {
  const env = { name: "dev", dir: "cluster/dev" };
  switch (variant) {
    case "old":
      return { ...env, objects: [configMap("a", { v: "1" }), configMap("b", { v: "1" }), configMap("c", { v: "1" })] };
    case "new":
      return { ...env, objects: [configMap("a", { v: "2" }), configMap("c", { v: "1" }), configMap("d", { v: "2" })] };
    case "layered-old":
      return {
        ...env,
        objects: [configMap("layers", { v: "1" })],
        layers: [
          { path: "infrastructure/controllers", objects: [configMap("nginx", { v: "1" }), configMap("metallb", { v: "1" })] },
          { path: "infrastructure/configs", objects: [configMap("pool", { v: "1" })] },
          { path: "apps", objects: [configMap("remla", { v: "1" })] },
        ],
      };
    case "layered-new":
      return {
        ...env,
        objects: [configMap("layers", { v: "2" })],
        layers: [
          { path: "infrastructure/controllers", objects: [configMap("nginx", { v: "2" })] },
          { path: "apps", objects: [configMap("remla", { v: "1" }), configMap("web", { v: "1" })] },
          { path: "automation", objects: [configMap("images", { v: "1" })] },
        ],
      };
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [root, variant] = process.argv.slice(2);
  writeEnvironments(root!, [fixtureEnvironment(variant as Variant)]);
}
