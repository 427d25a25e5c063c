// The engine the entry-point tests start the program against is the production one (infra/preview/engine.ts,
// which `npm run preview` uses too); this adds the tests' defaults: the repository root and a stack's config
// with overrides.
import {
  RecordingEngine,
  programLocation as locate,
  readStackConfigEntries,
  runProgram,
  type CmdRunOptions,
  type CmdRunResult,
} from "../../infra/preview/engine.ts";
import { ROOT } from "./paths.ts";
import { testStackFile } from "./stacks.ts";

export { SECRET_SIG, SIG_KEY, isSecretValue, type EngineRegistration } from "../../infra/preview/engine.ts";
export type { CmdRunResult };
/** The engine under its tests' name. */
export const FakeEngine = RecordingEngine;
export type FakeEngine = RecordingEngine;

export function programLocation(root = ROOT) {
  return locate(root);
}

/** The tests' own config of `stack` (test/support/stacks.ts) with `overrides` laid over it (`{ secure: value }` for a secret; undefined deletes). */
export function stackConfig(stack: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...readStackConfigEntries(testStackFile(stack)), ...overrides };
}

/** Starts the repository's program through @pulumi/pulumi/cmd/run, as `pulumi preview`/`up` would. */
export function runUnderCmdRun(
  opts: Omit<CmdRunOptions, "root" | "config"> & {
    /** Config entries to add or override (`{ secure: value }` for a secret); undefined deletes. */
    config?: Record<string, unknown>;
    /** The whole stack config (full keys), instead of the tests' own Pulumi.<stack>.yaml. */
    replaceConfig?: Record<string, unknown>;
  },
): Promise<CmdRunResult> {
  const { replaceConfig, config, ...rest } = opts;
  const base = replaceConfig ?? stackConfig(opts.stack);
  return runProgram({ ...rest, root: ROOT, config: { ...base, ...config } });
}
