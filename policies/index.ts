// CrossGuard entry for `pulumi preview --policy-pack policies`. The only module that constructs the
// PolicyPack (which starts the analyzer gRPC server and prints its port); rules live in ./rules/.
import { PolicyPack } from "@pulumi/policy";
import { packPolicies, packStackFromEnv } from "./pack.ts";
import { rules } from "./rules/index.ts";

new PolicyPack("flux-gitops", { policies: packPolicies(rules, packStackFromEnv(process.env)) });
