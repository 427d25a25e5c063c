// node infra/launch.mjs <script.ts> [args…] — runs a command-line tool of this project (the npm scripts
// `render` and `policy` go through it) with Node's module compile cache turned on. Node strips the types
// of every .ts file it loads, and the first .ts file costs ~100 ms of start-up to load the stripper; the
// compile cache keeps the stripped and compiled code of every module between runs (keyed by the file's
// content and the Node version, so an edit or a Node upgrade is never served stale), so a repeated run
// skips both. Plain JavaScript on purpose: a .ts launcher would pay that cost before it could help.
// The cache lives where NODE_COMPILE_CACHE says, else in the OS temp folder; NODE_DISABLE_COMPILE_CACHE=1
// turns it off. Nothing else changes: the script sees the same argv, stdio and exit code as under `node`.
import { enableCompileCache } from "node:module";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

const script = process.argv[2];
if (script === undefined) {
  process.stderr.write("usage: node infra/launch.mjs <script.ts> [args...]\n");
  process.exit(2);
}
enableCompileCache();
// The script finds out it is the one node was started with from process.argv[1] (see isMain in infra/cli.ts).
process.argv.splice(1, 2, resolve(script));
await import(pathToFileURL(resolve(script)).href);
