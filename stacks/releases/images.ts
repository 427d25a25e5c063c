// Image automation declared beside the releases it drives: which value of a release holds an image tag
// (or name, or whole reference), which registry repository it comes from, and — per environment — which
// policy picks the next one. The renderer writes an ImageRepository and an ImagePolicy per automated
// image, Flux's setter marker on the value's line, and one ImageUpdateAutomation limited to the
// environment's folder (docs/image-automation.md).
import type { StackConfig } from "../../infra/config/index.ts";
import { AUTOMATION_NAME, IMAGE_REGISTRY_SECRET } from "../../infra/contract.ts";
import { RenderError } from "../../infra/render/errors.ts";
import { imagePolicy, imageRepository, imageUpdateAutomation, type TagPolicy } from "../../infra/render/images.ts";
import { markValue } from "../../infra/render/markers.ts";
import type { BuildContext, Duration, HelmRelease } from "../../infra/render/objects.ts";
import type { RenderObject } from "../../infra/render/write.ts";

export type { TagPolicy } from "../../infra/render/images.ts";

/** Every key path of `T` that leads to a string: `["appFrontend", "image", "tag"]`. */
export type StringPath<T> = {
  [K in keyof T & string]-?: NonNullable<T[K]> extends string
    ? [K]
    : NonNullable<T[K]> extends readonly unknown[]
      ? never
      : NonNullable<T[K]> extends object
        ? [K, ...StringPath<NonNullable<T[K]>>]
        : never;
}[keyof T & string];

/** One image a release runs, and the value of the release's Helm values that names it. */
export interface ImageSetter<V> {
  /** Registry and repository the value's images come from (no tag). */
  image: string;
  /** The value in the release's `spec.values`. */
  value: StringPath<V>;
  /** What the value holds: the tag (`v1.5.1`), the image name, or the whole reference (`repo:tag`). */
  holds: "tag" | "name" | "reference";
}

/** The value at `path` of `values`, when it is a string. */
export function valueAt(values: unknown, path: readonly string[]): string | undefined {
  let cur = values;
  for (const key of path) cur = typeof cur === "object" && cur !== null ? (cur as Record<string, unknown>)[key] : undefined;
  return typeof cur === "string" ? cur : undefined;
}

export interface AutomatedRelease<V, N extends string> {
  release: HelmRelease;
  /** The release's images by name (the name of their ImageRepository and ImagePolicy). */
  setters: Record<N, ImageSetter<V>>;
  /** The environment's policy per image; images without one stay as the definition pins them. */
  policies: Partial<Record<N, TagPolicy>>;
}

/**
 * The ImageRepository and ImagePolicy of each automated image of `target.release`, and the setter marker
 * on the value it drives (the release object itself is marked; its value in the definition is the start).
 */
export function automateImages<V, N extends string>(
  target: AutomatedRelease<V, N>,
  settings: { scanInterval: Duration; registrySecret: boolean },
  ctx: BuildContext,
): RenderObject[] {
  const objects: RenderObject[] = [];
  for (const [name, policy] of Object.entries(target.policies) as [N, TagPolicy | undefined][]) {
    if (policy === undefined) continue;
    const setter = target.setters[name];
    // A generic key path is too deep for the checker to compare; it is a list of keys either way.
    const value = setter.value as unknown as readonly string[];
    const path = ["spec", "values", ...value];
    if (valueAt(target.release.toJSON(), path) === undefined) {
      throw new RenderError(`image ${name}: release ${target.release.metadata?.name} has no value ${value.join(".")} to automate`);
    }
    const repository = imageRepository(
      {
        name,
        image: setter.image,
        interval: settings.scanInterval,
        secretName: settings.registrySecret ? IMAGE_REGISTRY_SECRET : undefined,
      },
      ctx,
    );
    const imagePolicyObject = imagePolicy({ name, repository, policy }, ctx);
    markValue(target.release, { path, policy: `${ctx.namespace}:${name}`, holds: setter.holds, image: setter.image, accepts: policy });
    objects.push(repository, imagePolicyObject);
  }
  return objects;
}

/** The environment's one ImageUpdateAutomation: it commits through the automation's GitRepository. */
export function updateAutomation(cfg: StackConfig, ctx: BuildContext): RenderObject {
  const { imageAutomation } = cfg;
  return imageUpdateAutomation(
    {
      name: cfg.stack,
      source: { metadata: { name: AUTOMATION_NAME, namespace: cfg.flux.namespace } },
      checkoutBranch: cfg.repository.branch,
      pushBranch: imageAutomation.pushBranch ?? cfg.repository.branch,
      author: imageAutomation.author,
      path: cfg.syncPath.flux,
      interval: imageAutomation.interval as Duration,
    },
    ctx,
  );
}
