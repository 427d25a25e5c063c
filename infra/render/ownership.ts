// Which values of a generated file on disk belong to Flux image automation, and whether the rest of the
// file is still exactly what the definitions give.
//
// image-automation-controller v1.1.1 (Flux 2.8.5; internal/update/setters.go and filter.go, kyaml v0.21.1
// fieldmeta.FieldMeta.Read) treats a scalar as marked when its line comment OR its head comment holds
// `{"$imagepolicy": ...}`, and replaces the scalar's value with the policy's latest image, tag or name;
// it then writes the whole file back through kyaml (kio.LocalPackageWriter, sequence indentation
// preserved). So, comparing a generated file with the one on disk:
//   - a value is the automation's only where the definitions placed a marker, as a line comment, and the
//     file on disk carries that same marker on that value; its text on disk is kept, after checking it
//     is a value Flux's setter could have written for that policy (ownedValueProblem);
//   - everything else must be the same text: every scalar and key as written (no re-reading `010` as a
//     number), the same collections, and the same comments in the same order, so a `$imagepolicy`
//     comment the definitions did not place (above a value, on a key, anywhere) makes the file stale.
//     Only indentation and line layout may differ (kyaml rewrites the file).
//   - a value on disk that carries a marker while the definitions no longer mark it there (automation
//     turned off, a release or image renamed) is never replaced silently: render refuses, in one line,
//     unless told to reset (`--reset-image-tags`).
import yaml from "js-yaml";
import semver from "semver";
import { isAlias, isMap, isPair, isScalar, isSeq, Lexer, parseDocument, type Document } from "yaml";
import { RenderError } from "./errors.ts";
import type { TagPolicy } from "./images.ts";
import { markedScalars, markerOf, oneLine, parse, setterMarker, type ValueMarker } from "./markers.ts";
import { fluxSemver, goExpand, goParseFloat } from "./tag-grammar.ts";

/** A tag as a container registry accepts it (the OCI distribution spec's tag grammar). */
const TAG = /^[\w][\w.-]{0,127}$/;

/** Go's RE2 named group `(?P<name>…)` in JavaScript's form. */
const jsPattern = (pattern: string) => pattern.replace(/\(\?P</g, "(?<");

/** What a policy orders by: the tag, or what `extract` takes of it (`$ts`, `${ts}`). */
function orderedPart(tag: string, accepts: TagPolicy): { value?: string; problem?: string } {
  const filter = accepts.filter;
  if (filter === undefined) return { value: tag };
  let match: RegExpExecArray | null;
  try {
    match = new RegExp(jsPattern(filter.pattern)).exec(tag);
  } catch {
    return { problem: `the policy's filter pattern ${JSON.stringify(filter.pattern)} cannot be checked here` };
  }
  if (match === null) return { problem: `it does not match the policy's filter pattern ${JSON.stringify(filter.pattern)}` };
  // image-reflector-controller filter.go: an empty extract keeps the tag, else Regexp.ExpandString.
  if (filter.extract === undefined || filter.extract === "") return { value: tag };
  return { value: goExpand(filter.extract, match) };
}

/** Why `tag` is not one the policy could pick, or undefined. */
function tagProblem(tag: string, accepts: TagPolicy): string | undefined {
  if (!TAG.test(tag)) return "it is not an image tag";
  const { value, problem } = orderedPart(tag, accepts);
  if (problem !== undefined) return problem;
  if ("semver" in accepts) {
    if (semver.validRange(accepts.semver) === null)
      return `the policy's semver range ${JSON.stringify(accepts.semver)} cannot be checked here`;
    // Read as Flux reads it (fluxcd/pkg/version ParseVersion, Masterminds semver), then compared in the
    // canonical form npm's semver takes: `v1.2.3` and `1.02.3` are 1.2.3, `1.8` is no version for Flux.
    const version = fluxSemver(value!);
    if (version === undefined) return "the policy orders by semver, and its value is no version Flux reads (major.minor.patch)";
    const { major, minor, patch, prerelease } = version;
    if ([major, minor, patch].some((n) => n > BigInt(Number.MAX_SAFE_INTEGER)))
      return "its version numbers are too large to be checked here";
    const canonical = `${major}.${minor}.${patch}${prerelease === "" ? "" : `-${prerelease}`}`;
    if (!semver.satisfies(canonical, accepts.semver)) return `it is outside the policy's semver range ${JSON.stringify(accepts.semver)}`;
  } else if ("numerical" in accepts && goParseFloat(value!) === undefined) {
    // image-reflector-controller numerical.go: strconv.ParseFloat, whose grammar goParseFloat follows.
    return "the policy orders numerically, and its value is no number Flux reads (Go strconv.ParseFloat)";
  }
  return undefined;
}

/**
 * Why `value` cannot be what Flux's setter wrote for `marker`, or undefined: a tag must be a tag the
 * policy allows, a name the policy's image, a reference `<image>:<tag>` with such a tag.
 */
export function ownedValueProblem(value: string, marker: Pick<ValueMarker, "holds" | "image" | "accepts">): string | undefined {
  switch (marker.holds) {
    case "name":
      return value === marker.image ? undefined : `it is not the image ${marker.image}`;
    case "tag":
      return tagProblem(value, marker.accepts);
    case "reference":
      return value.startsWith(`${marker.image}:`)
        ? tagProblem(value.slice(marker.image.length + 1), marker.accepts)
        : `it is not ${marker.image}:<tag>`;
  }
}

/** A one-line scalar's text read as a string the same way by YAML 1.1 (Go, js-yaml) and 1.2 readers, else undefined. */
function unambiguousString(source: string): string | undefined {
  const read = [parseDocument(source, { version: "1.1" }), parseDocument(source, { version: "1.2" })].map((d) =>
    d.errors.length === 0 ? (d.toJS() as unknown) : undefined,
  );
  let js: unknown;
  try {
    js = yaml.load(source);
  } catch {
    return undefined;
  }
  return typeof js === "string" && read.every((v) => v === js) ? js : undefined;
}

/**
 * A YAML text's tokens without the spaces and line breaks between them: every comment (head, line, key
 * and trailing comments alike), indicator and scalar, in order, so a comment that moves is a change.
 */
function tokens(text: string): string[] {
  return [...new Lexer().lex(text)].filter((token) => token.trim() !== "");
}

/** The same nesting of collections and scalars (what indentation says; the tokens say the rest). */
function sameShape(a: unknown, b: unknown): boolean {
  if (a === null || b === null) return a === b;
  if (isPair(a) && isPair(b)) return sameShape(a.key, b.key) && sameShape(a.value, b.value);
  if ((isMap(a) && isMap(b)) || (isSeq(a) && isSeq(b))) {
    return a.items.length === b.items.length && a.items.every((item, i) => sameShape(item, (b.items as unknown[])[i]));
  }
  return (isScalar(a) && isScalar(b)) || (isAlias(a) && isAlias(b));
}

/**
 * Whether two YAML texts say the same thing in the same words: the same tokens (every scalar, key,
 * quote, tag, anchor, indicator and comment, as written) in the same nesting; only indentation and line
 * layout may differ.
 */
export function sameText(a: string, b: string): boolean {
  if (a === b) return true;
  const da = parse(a);
  const db = parse(b);
  if (da === undefined || db === undefined) return false;
  const ca = tokens(a);
  const cb = tokens(b);
  return ca.length === cb.length && ca.every((c, i) => c === cb[i]) && sameShape(da.contents, db.contents);
}

/** Options of render for values the automation owns. */
export interface OwnedValueOptions {
  /** Replace automation-owned values the definitions no longer mark with the definitions' values. */
  resetImageTags?: boolean;
}

const RESET_HINT = "set that value in the definitions, or run npm run render -- --reset-image-tags to reset it";

/**
 * Refuses to drop a value the automation owns on disk (a line marker on it) that `planned` (the planned
 * content of the same file, undefined when the file goes away) no longer marks the same way, unless the
 * planned value is the same.
 */
export function refuseDroppedOwnedValues(where: string, onDisk: string, planned: Document | undefined, options: OwnedValueOptions): void {
  if (options.resetImageTags || !onDisk.includes("$imagepolicy")) return;
  const disk = parse(onDisk);
  if (disk === undefined) return;
  const kept = new Map((planned === undefined ? [] : markedScalars(planned)).map((m) => [JSON.stringify(m.path), m.marker]));
  for (const { path, marker, node } of markedScalars(disk)) {
    if (kept.get(JSON.stringify(path)) === marker) continue;
    const plannedValue = planned?.getIn(path);
    if (plannedValue === node.value) continue;
    throw new RenderError(
      `${where}: ${path.join(".")} holds ${JSON.stringify(node.value)}, set by image automation (${marker}), which the definitions no ` +
        `longer mark there; render would ${plannedValue === undefined ? "drop it" : `replace it with ${JSON.stringify(plannedValue)}`}: ${RESET_HINT}`,
    );
  }
}

/**
 * What to write for a generated file given the same file on disk. Each value the definitions mark keeps
 * its text from disk when the disk carries the same marker on it (the automation owns it), after checking
 * it (a value Flux could not have written is refused, in one line, naming the file and key). When the
 * result says the same as the disk in the same words (sameText), the disk's text is kept as it is; else
 * the result is written (or, under --check, the file is stale).
 */
export function keepOwnedValues(
  generated: string,
  onDisk: string,
  markers: readonly ValueMarker[],
  where: string,
  options: OwnedValueOptions = {},
): string {
  if (markers.length === 0 && !onDisk.includes("$imagepolicy")) return generated;
  const genDoc = parse(generated);
  if (genDoc === undefined) return generated;
  refuseDroppedOwnedValues(where, onDisk, genDoc, options);
  const diskDoc = parse(onDisk);
  if (diskDoc === undefined) return generated;
  const edits: [number, number, string][] = [];
  for (const marker of markers) {
    const genNode = genDoc.getIn(marker.path, true);
    const diskNode = diskDoc.getIn(marker.path, true);
    if (!isScalar(genNode) || !isScalar(diskNode) || markerOf(diskNode.comment) !== setterMarker(marker)) continue;
    const genRange = oneLine(generated, genNode);
    const diskRange = oneLine(onDisk, diskNode);
    const key = `${where}: ${marker.path.join(".")}`;
    if (genRange === undefined) continue;
    if (diskRange === undefined) throw new RenderError(`${key} is marked for image automation but spans lines on disk; ${RESET_HINT}`);
    const text = onDisk.slice(...diskRange);
    if (text === generated.slice(...genRange)) continue;
    const value = unambiguousString(text);
    if (value === undefined) {
      throw new RenderError(`${key} holds ${text}, which YAML readers do not all read as the same string; quote it or ${RESET_HINT}`);
    }
    const problem = ownedValueProblem(value, marker);
    if (problem !== undefined) {
      throw new RenderError(
        `${key} holds ${JSON.stringify(value)}, which image automation (${setterMarker(marker)}) cannot have written: ${problem}; ` +
          `fix or revert that commit, or ${RESET_HINT}`,
      );
    }
    edits.push([genRange[0], genRange[1], text]);
  }
  let kept = generated;
  for (const [start, end, text] of edits.sort((a, b) => b[0] - a[0])) kept = kept.slice(0, start) + text + kept.slice(end);
  return sameText(kept, onDisk) ? onDisk : kept;
}
