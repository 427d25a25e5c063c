// The mocks echo a resource's inputs back as its state, so a random.RandomPassword has no `result`.
// This gives it one — the value the test chooses — the way the random provider would generate it.
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks.js";
import { TYPES } from "./pulumi-mocks.ts";

let resultOf: ((name: string) => string) | undefined;
let patched = false;

/** From now on, every mocked RandomPassword named `name` gets `result(name)` as its result. */
export function mockRandomResults(result: (name: string) => string): void {
  resultOf = result;
  if (patched) return;
  patched = true;
  const register = MockMonitor.prototype.registerResource;
  MockMonitor.prototype.registerResource = function (this: any, req: any, callback: any) {
    if (!this.randomResultsWrapped) {
      const mocks = this.mocks;
      this.mocks = {
        call: (args: any) => mocks.call(args),
        async newResource(args: any) {
          const out = await mocks.newResource(args);
          if (args.type === TYPES.password && resultOf) out.state.result = resultOf(args.name);
          return out;
        },
      };
      this.randomResultsWrapped = true;
    }
    return register.call(this, req, callback);
  };
}
