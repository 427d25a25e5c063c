// Which definition file built an object: the builders of infra/render (objects.ts, images.ts,
// metallb.ts) record the first file under stacks/ on the call stack when they build one, e.g.
// stacks/releases/remla.ts for the remla HelmRelease, stacks/releases/charts.ts for the chart sources.
// `render --check` names it beside each stale file, with the environment's definition
// (stacks/environments/<env>.ts), so the user knows which file to change.
import { join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { REPOSITORY_ROOT } from "../repository.ts";

const ORIGINS = new WeakMap<object, string>();
const STACKS = join(REPOSITORY_ROOT, "stacks") + sep;

/** Records the definition file that is building `obj` (the first stacks/ file on the call stack); returns `obj`. */
export function traced<T extends object>(obj: T): T {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 50;
  const stack = new Error().stack ?? "";
  Error.stackTraceLimit = limit;
  for (const [, url] of stack.matchAll(/(file:\/\/[^\s)]+?):\d+:\d+/g)) {
    const path = fileURLToPath(url!);
    if (path.startsWith(STACKS)) {
      ORIGINS.set(obj, relative(REPOSITORY_ROOT, path).split(sep).join("/"));
      break;
    }
  }
  return obj;
}

/** The definition file that built `obj`, relative to the repository root, if a builder recorded it. */
export function originOf(obj: object): string | undefined {
  return ORIGINS.get(obj);
}
