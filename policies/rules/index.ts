// The one rule set both front ends run: the CrossGuard pack (policies/index.ts) and the YAML checker (policies/cli.ts).
import { gitSourceAllowed } from "./git-source-allowed.ts";
import { chartVersionPinned, gitRefPinned, helmReleaseGitSourced } from "./sources.ts";
import { deployKeyReadOnly, noDirectHelm, noDirectWorkloads, oneWriteKey, singleFluxInstall } from "./stack.ts";
import {
  contentVerified,
  helmReleaseRemediation,
  intervalBounds,
  noPlaintextSecrets,
  syncNotInGit,
  syncPathMatchesEnv,
  syncPrunes,
} from "./reconcile.ts";
import type { Rule } from "./model.ts";

export const rules: Rule[] = [
  noDirectHelm,
  noDirectWorkloads,
  helmReleaseGitSourced,
  gitSourceAllowed,
  gitRefPinned,
  chartVersionPinned,
  syncPathMatchesEnv,
  syncPrunes,
  deployKeyReadOnly,
  oneWriteKey,
  intervalBounds,
  noPlaintextSecrets,
  helmReleaseRemediation,
  singleFluxInstall,
  syncNotInGit,
  contentVerified,
];
