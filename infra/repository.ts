// Where this checkout is: the repository root (package.json, Pulumi.yaml, cluster/), which every CLI works on
// unless `--root` names another, and the folders below it the tools keep.
import { join } from "node:path";

/** The repository root: the folder that holds `infra/`. */
export const REPOSITORY_ROOT = join(import.meta.dirname, "..");
