// Every container of every workload (hooks included) runs a pinned, released image: a tag other than
// `latest` or a digest, from no testing or staging registry. Istio's `image: auto` is replaced by
// istiod's injection webhook, so it is allowed only when istiod is in the view.
import type { ClusterView, Finding } from "../model.ts";
import { containersOf, finding, hasIstiod, isWorkload, objectsOf, podSpecOf } from "./common.ts";

export const NAME = "images";

/** Registries of pre-release builds: Istio's per-commit builds, Kubernetes' staging projects. */
export const TESTING_REGISTRIES: readonly RegExp[] = [
  /^gcr\.io\/istio-testing\//,
  /^(gcr\.io|us-docker\.pkg\.dev|[a-z-]*-docker\.pkg\.dev)\/k8s-staging-/,
  /^staging-k8s\.gcr\.io\//,
];

/** What is wrong with an image reference, or undefined when it is pinned. */
export function imageProblem(image: string): string | undefined {
  const testing = TESTING_REGISTRIES.find((r) => r.test(image));
  if (testing) return `comes from a testing registry (${testing.source.replace(/\\/g, "")})`;
  const at = image.indexOf("@");
  if (at >= 0) return /^sha256:[0-9a-f]{64}$/.test(image.slice(at + 1)) ? undefined : "has a malformed digest";
  const name = image.slice(image.lastIndexOf("/") + 1);
  const colon = name.indexOf(":");
  if (colon < 0) return "has neither tag nor digest (pulls :latest)";
  const tag = name.slice(colon + 1);
  if (tag === "") return "has an empty tag";
  if (tag === "latest") return "is :latest";
  return undefined;
}

export function images(view: ClusterView): Finding[] {
  const out: Finding[] = [];
  const istiod = hasIstiod(view);
  for (const o of objectsOf(view)) {
    if (!isWorkload(o.manifest)) continue;
    const pod = podSpecOf(o.manifest);
    if ("problem" in pod) {
      out.push(finding(NAME, o, pod.problem));
      continue;
    }
    const { containers, problems } = containersOf(pod.spec);
    for (const p of problems) out.push(finding(NAME, o, `${pod.path}.${p}, so its images cannot be told`));
    if (containers.length === 0 && problems.length === 0) out.push(finding(NAME, o, `${pod.path} has no containers`));
    for (const { where, container } of containers) {
      const image = container.image;
      const at = `${pod.path}.${where}`;
      if (typeof image !== "string" || image === "") {
        out.push(finding(NAME, o, `${at} has no image`));
        continue;
      }
      if (image === "auto") {
        if (!istiod)
          out.push(
            finding(NAME, o, `${at} has image "auto", which only Istio's injection webhook replaces, and istiod is not in the view`),
          );
        continue;
      }
      const problem = imageProblem(image);
      if (problem !== undefined) out.push(finding(NAME, o, `${at} image ${image} ${problem}`));
    }
  }
  return out;
}
