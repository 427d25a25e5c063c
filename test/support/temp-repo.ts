// A throw-away copy of what the render and promote CLIs read and write: the stack files and cluster/.
import { cpSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "./paths.ts";

/** A temporary folder with the repository's Pulumi.<env>.yaml files and cluster/, removed after the test. */
export function copyOfRenderedRepo(t: { after(fn: () => void): void }, prefix: string): string {
  const root = mkdtempSync(join(tmpdir(), `${prefix}-`));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  for (const f of readdirSync(ROOT).filter((f) => /^Pulumi\.[^.]+\.yaml$/.test(f) && f !== "Pulumi.yaml"))
    cpSync(join(ROOT, f), join(root, f));
  cpSync(join(ROOT, "cluster"), join(root, "cluster"), { recursive: true });
  return root;
}
