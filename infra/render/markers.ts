// Values owned by Flux image automation. A rendered value can carry Flux's setter marker, the comment
// `# {"$imagepolicy": "<namespace>:<policy>[:tag|:name]"}` on its line; image-automation-controller
// rewrites exactly that value when its policy picks a newer image, and commits the file.
//
// js-yaml (the renderer's serialiser) cannot write comments, so a marked object is first serialised as
// every other one, and the marker is then appended to the value's line, found with the `yaml` package's
// parser (its source ranges): everything else stays byte for byte what js-yaml wrote.
//
// When a generated file is compared with the one on disk (render and render --check), a marked value
// may differ: the value on disk is the automation's, and it wins, as long as it is a value Flux's setter
// could have written for that policy and everything else in the file is the same text (ownership.ts).
import { isMap, isPair, isScalar, isSeq, parseDocument, type Document, type Scalar } from "yaml";
import { RenderError } from "./errors.ts";
import type { TagPolicy } from "./images.ts";

/** A value of a rendered object that image automation rewrites. */
export interface ValueMarker {
  /** Key path of the value in the object, e.g. ["spec", "values", "appFrontend", "image", "tag"]. */
  path: readonly string[];
  /** `<namespace>:<policy>` of the ImagePolicy. */
  policy: string;
  /** What the value holds: the tag, the image name, or the whole reference (name:tag). */
  holds: "tag" | "name" | "reference";
  /** The image repository (no tag) the policy's ImageRepository scans. */
  image: string;
  /** Which tags the policy may pick. */
  accepts: TagPolicy;
}

const MARKED = new WeakMap<object, ValueMarker[]>();

/** Marks `path` of `obj` as a value image automation rewrites (the marker is written when the object is rendered). */
export function markValue(obj: object, marker: ValueMarker): void {
  MARKED.set(obj, [...(MARKED.get(obj) ?? []), marker]);
}

/** The markers of `obj`, in the order they were set. */
export function valueMarkers(obj: object): readonly ValueMarker[] {
  return MARKED.get(obj) ?? [];
}

/** Flux's setter marker (without `# `): `{"$imagepolicy": "flux-system:app:tag"}`. */
export function setterMarker({ policy, holds }: Pick<ValueMarker, "policy" | "holds">): string {
  return JSON.stringify({ $imagepolicy: holds === "reference" ? policy : `${policy}:${holds}` }).replace(":", ": ");
}

/** A marker comment as the `yaml` parser returns it (`node.comment`), or undefined when it is none. */
export function markerOf(comment: string | null | undefined): string | undefined {
  const text = comment?.trim();
  if (text === undefined || !text.startsWith("{")) return undefined;
  try {
    const parsed = JSON.parse(text) as unknown;
    return typeof parsed === "object" && parsed !== null && typeof (parsed as { $imagepolicy?: unknown }).$imagepolicy === "string"
      ? text
      : undefined;
  } catch {
    return undefined;
  }
}

/** A marked scalar of a parsed file: its key path, marker and node. */
export interface MarkedScalar {
  path: string[];
  marker: string;
  node: Scalar;
}

/** Every scalar that carries a `$imagepolicy` marker, with its key path (sequence indexes as strings). */
export function markedScalars(doc: Document): MarkedScalar[] {
  const found: MarkedScalar[] = [];
  const walk = (node: unknown, path: string[]): void => {
    if (isMap(node)) {
      for (const pair of node.items) {
        if (isPair(pair) && isScalar(pair.key)) walk(pair.value, [...path, String(pair.key.value)]);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => walk(item, [...path, String(i)]));
    } else if (isScalar(node)) {
      const marker = markerOf(node.comment);
      if (marker !== undefined) found.push({ path, marker, node });
    }
  };
  walk(doc.contents, []);
  return found;
}

/** Parses YAML keeping comments; undefined when it is not one clean document. */
export function parse(text: string): Document | undefined {
  const doc = parseDocument(text, { keepSourceTokens: false });
  return doc.errors.length === 0 ? doc : undefined;
}

/** A one-line scalar's [start, end) in `text`, or undefined when it spans lines. */
export function oneLine(text: string, node: Scalar): [number, number] | undefined {
  const [start, end] = node.range ?? [];
  if (start === undefined || end === undefined || text.slice(start, end).includes("\n")) return undefined;
  return [start, end];
}

/**
 * `text` (YAML the renderer wrote) with each marker appended to the line of the value it names.
 * Throws when a path names no one-line string value: a marker must sit on the exact line Flux rewrites.
 */
export function writeMarkers(text: string, markers: readonly ValueMarker[], where: string): string {
  if (markers.length === 0) return text;
  const doc = parse(text);
  const edits: [number, string][] = [];
  for (const marker of markers) {
    const node = doc?.getIn(marker.path, true);
    const range = isScalar(node) && typeof node.value === "string" ? oneLine(text, node) : undefined;
    if (range === undefined) {
      throw new RenderError(`${where}: image automation marks ${marker.path.join(".")}, which is not a one-line string value`);
    }
    const lineEnd = text.indexOf("\n", range[1]);
    if (text.slice(range[1], lineEnd === -1 ? undefined : lineEnd).trim() !== "") {
      throw new RenderError(`${where}: ${marker.path.join(".")} already has a comment; it cannot carry a second marker`);
    }
    edits.push([range[1], ` # ${setterMarker(marker)}`]);
  }
  let out = text;
  for (const [at, insert] of edits.sort((a, b) => b[0] - a[0])) out = out.slice(0, at) + insert + out.slice(at);
  return out;
}
