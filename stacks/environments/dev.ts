// What the dev environment deploys (Pulumi.dev.yaml → cluster/dev): the shared releases with these overrides.
import type { EnvironmentDefinition } from "../releases/index.ts";

export default {
  remlaRef: { branch: "main" },
  remla: {
    appService: { configData: { LOG_LEVEL: "debug" } },
    appIngress: { hostname: "dev.remla.local" },
  },
} satisfies EnvironmentDefinition;
