// Typed builders for Flux image automation (image.toolkit.fluxcd.io/v1, what Flux 2.8 serves and
// stores: image-reflector-controller and image-automation-controller v1.1.x): an ImageRepository scans a
// registry, an ImagePolicy picks the newest tag it allows, and an ImageUpdateAutomation commits that tag
// to every value marked with the policy's setter marker (markers.ts) under its update path.
import { ImagePolicy } from "@kubernetes-models/flux-cd/image.toolkit.fluxcd.io/v1/ImagePolicy";
import { ImageRepository } from "@kubernetes-models/flux-cd/image.toolkit.fluxcd.io/v1/ImageRepository";
import { ImageUpdateAutomation } from "@kubernetes-models/flux-cd/image.toolkit.fluxcd.io/v1/ImageUpdateAutomation";
import { RenderError } from "./errors.ts";
import { DEFAULT_CONTEXT, DEFAULT_INTERVAL, objectMeta, type Duration, type Named, type ObjectInput } from "./objects.ts";
import { traced } from "./origin.ts";

export { ImagePolicy, ImageRepository, ImageUpdateAutomation };

/** Which tags a policy may pick, and how: `pattern` keeps matching tags, `extract` (e.g. `$ts`) the part to order by. */
export interface TagFilter {
  pattern: string;
  extract?: string;
}

/**
 * How an ImagePolicy picks the newest tag: the highest within a semver range, or (for build numbers or
 * timestamps in the tag) numerical or alphabetical order of the filtered tags.
 */
export type TagPolicy =
  | { semver: string; filter?: TagFilter }
  | { numerical: "asc" | "desc"; filter: TagFilter }
  | { alphabetical: "asc" | "desc"; filter: TagFilter };

function nameOf(obj: Named, what: string): { name: string; namespace?: string } {
  const name = obj.metadata?.name;
  if (!name) throw new RenderError(`the ${what} an image automation object refers to has no metadata.name`);
  return { name, namespace: obj.metadata?.namespace };
}

export function imageRepository(
  input: ObjectInput & {
    /** Registry and repository, no tag: `ghcr.io/remla25-team3/app-frontend`. */
    image: string;
    /** docker-registry Secret in the same namespace, for private images. */
    secretName?: string;
  },
  ctx = DEFAULT_CONTEXT,
): ImageRepository {
  if (/[:@]/.test(input.image.split("/").pop() ?? "")) {
    throw new RenderError(`ImageRepository ${input.name}: image ${input.image} must name a repository without a tag or digest`);
  }
  return traced(
    new ImageRepository({
      metadata: objectMeta(input, ctx),
      spec: {
        image: input.image,
        interval: input.interval ?? DEFAULT_INTERVAL,
        ...(input.secretName !== undefined && { secretRef: { name: input.secretName } }),
      },
    }),
  );
}

export function imagePolicy(
  input: Omit<ObjectInput, "interval"> & { repository: ImageRepository; policy: TagPolicy },
  ctx = DEFAULT_CONTEXT,
) {
  const { policy } = input;
  const choice =
    "semver" in policy
      ? { semver: { range: policy.semver } }
      : "numerical" in policy
        ? { numerical: { order: policy.numerical } }
        : { alphabetical: { order: policy.alphabetical } };
  return traced(
    new ImagePolicy({
      metadata: objectMeta(input, ctx),
      spec: {
        imageRepositoryRef: nameOf(input.repository, "ImageRepository"),
        policy: choice,
        ...(policy.filter !== undefined && { filterTags: { ...policy.filter } }),
      },
    }),
  );
}

/** The commit message: which automation, and every value it changed (old → new). */
export const COMMIT_MESSAGE_TEMPLATE = `{{ .AutomationObject }}: update images

{{ range .Changed.Changes -}}
- {{ .OldValue }} -> {{ .NewValue }}
{{ end -}}
`;

export function imageUpdateAutomation(
  input: ObjectInput & {
    /** The GitRepository it clones and pushes through (one whose Secret may push). */
    source: Named;
    /** Branch to check out (the sync branch). */
    checkoutBranch: string;
    /** Branch to push to: the checkout branch (straight to what Flux syncs) or another one (then a pull request). */
    pushBranch: string;
    author: { name: string; email: string };
    /** Only markers under this folder are updated: `./cluster/dev`. */
    path: string;
    /** Policies whose markers it updates; default all in its namespace. */
    policySelector?: Record<string, string>;
  },
  ctx = DEFAULT_CONTEXT,
): ImageUpdateAutomation {
  return traced(
    new ImageUpdateAutomation({
      metadata: objectMeta(input, ctx),
      spec: {
        interval: (input.interval ?? DEFAULT_INTERVAL) satisfies Duration,
        sourceRef: { kind: "GitRepository", ...nameOf(input.source, "GitRepository") },
        git: {
          checkout: { ref: { branch: input.checkoutBranch } },
          commit: { author: { ...input.author }, messageTemplate: COMMIT_MESSAGE_TEMPLATE },
          push: { branch: input.pushBranch },
        },
        update: { strategy: "Setters", path: input.path },
        ...(input.policySelector !== undefined && { policySelector: { matchLabels: { ...input.policySelector } } }),
      },
    }),
  );
}
