// The repository root, for tests that read the project's own files or start its CLIs.
import { join } from "node:path";

export const ROOT = join(import.meta.dirname, "..", "..");
