// Image automation in the rendered cluster: dev's image objects validate against the Flux models, each
// setter marker sits on the exact value it names (read back with a comment-preserving parser), prod
// has none, and a commit by the automation (a marked value changed in cluster/dev) keeps
// `render --check` green and survives `render`.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import jsYaml from "js-yaml";
import { parseDocument } from "yaml";
import { ImagePolicy, ImageRepository, ImageUpdateAutomation } from "@kubernetes-models/flux-cd/image.toolkit.fluxcd.io/v1";
import { markedScalars, markerOf, setterMarker, writeMarkers, type ValueMarker } from "../../infra/render/markers.ts";
import { keepOwnedValues, ownedValueProblem, sameText } from "../../infra/render/ownership.ts";
import { RenderError } from "../../infra/render/errors.ts";
import { main as render } from "../../stacks/render.ts";
import { runInProcess } from "../support/in-process.ts";
import { ROOT } from "../support/paths.ts";
import { copyOfRenderedRepo } from "../support/temp-repo.ts";

type Doc = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string }; spec: any };
const RELEASE = "apps/helmrelease_flux-system_remla-app.yaml";

function renderedDocs(env: string): { file: string; doc: Doc }[] {
  const dir = join(ROOT, "cluster", env);
  return (readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => f.endsWith(".yaml"))
    .map((file) => ({ file, doc: jsYaml.load(readFileSync(join(dir, file), "utf8")) as Doc }));
}

const MODELS: Record<string, (d: Doc) => { validate(): void }> = {
  ImageRepository: (d) => new ImageRepository(d as never),
  ImagePolicy: (d) => new ImagePolicy(d as never),
  ImageUpdateAutomation: (d) => new ImageUpdateAutomation(d as never),
};

test("dev has an ImageRepository and an ImagePolicy per remla image and one ImageUpdateAutomation, valid Flux v1 objects", () => {
  const image = renderedDocs("dev").filter(({ doc }) => doc.apiVersion?.startsWith("image.toolkit.fluxcd.io/"));
  assert.deepEqual(image.map(({ doc }) => `${doc.apiVersion} ${doc.kind} ${doc.metadata.namespace}/${doc.metadata.name}`).sort(), [
    "image.toolkit.fluxcd.io/v1 ImagePolicy flux-system/app-frontend",
    "image.toolkit.fluxcd.io/v1 ImagePolicy flux-system/app-service",
    "image.toolkit.fluxcd.io/v1 ImagePolicy flux-system/model-service",
    "image.toolkit.fluxcd.io/v1 ImageRepository flux-system/app-frontend",
    "image.toolkit.fluxcd.io/v1 ImageRepository flux-system/app-service",
    "image.toolkit.fluxcd.io/v1 ImageRepository flux-system/model-service",
    "image.toolkit.fluxcd.io/v1 ImageUpdateAutomation flux-system/dev",
  ]);
  for (const { file, doc } of image) {
    assert.ok(file.startsWith("automation/"), `${file} is in the image-automation layer`);
    MODELS[doc.kind]!(doc).validate();
  }
  const docs = Object.fromEntries(image.map(({ doc }) => [`${doc.kind}/${doc.metadata.name}`, doc]));
  for (const name of ["app-frontend", "app-service", "model-service"]) {
    assert.equal(docs[`ImageRepository/${name}`]!.spec.image, `ghcr.io/remla25-team3/${name}`);
    assert.deepEqual(docs[`ImagePolicy/${name}`]!.spec.imageRepositoryRef, { name, namespace: "flux-system" });
    assert.ok(docs[`ImagePolicy/${name}`]!.spec.policy.semver.range, `${name} has a semver range`);
  }
  const automation = docs["ImageUpdateAutomation/dev"]!.spec;
  assert.deepEqual(automation.sourceRef, { kind: "GitRepository", name: "flux-system-automation", namespace: "flux-system" });
  assert.deepEqual(automation.update, { path: "./cluster/dev", strategy: "Setters" });
  assert.deepEqual(automation.git.checkout, { ref: { branch: "main" } });
  assert.deepEqual(automation.git.push, { branch: "main" });
  assert.match(automation.git.commit.messageTemplate, /range \.Changed\.Changes/);
});

test("prod renders no image automation object and no marker", () => {
  const prod = renderedDocs("prod");
  assert.ok(prod.length > 10);
  assert.deepEqual(
    prod.filter(({ doc }) => doc.apiVersion?.startsWith("image.toolkit.fluxcd.io/")),
    [],
  );
  const dir = join(ROOT, "cluster", "prod");
  for (const { file } of prod) assert.doesNotMatch(readFileSync(join(dir, file), "utf8"), /\$imagepolicy/, file);
});

test("each marker sits on the line of the tag it names, and names an ImagePolicy of that image", () => {
  const text = readFileSync(join(ROOT, "cluster", "dev", RELEASE), "utf8");
  const doc = parseDocument(text);
  const marked = markedScalars(doc).map(({ path, marker }) => [path.join("."), marker]);
  assert.deepEqual(marked, [
    ["spec.values.appFrontend.image.tag", '{"$imagepolicy": "flux-system:app-frontend:tag"}'],
    ["spec.values.appService.image.tag", '{"$imagepolicy": "flux-system:app-service:tag"}'],
    ["spec.values.modelService.image.tag", '{"$imagepolicy": "flux-system:model-service:tag"}'],
  ]);
  // The line itself: `tag: <value> # <marker>`, as Flux's setters look for it.
  for (const [key, marker] of marked) {
    const value = doc.getIn(key!.split("."));
    assert.ok(text.includes(`\n        tag: ${value} # ${marker}\n`), `${key} line`);
  }
  // The image beside each marked tag is the one its policy's ImageRepository scans.
  const policies = renderedDocs("dev").filter(({ doc }) => doc.kind === "ImageRepository");
  for (const [key, marker] of marked) {
    const policy = (JSON.parse(marker!) as { $imagepolicy: string }).$imagepolicy.split(":")[1];
    const repository = doc.getIn([...key!.split(".").slice(0, -1), "repository"]);
    assert.equal(policies.find(({ doc: d }) => d.metadata.name === policy)?.doc.spec.image, repository, key);
  }
});

test("setter markers have Flux's three forms", () => {
  assert.equal(setterMarker({ policy: "flux-system:app", holds: "tag" }), '{"$imagepolicy": "flux-system:app:tag"}');
  assert.equal(setterMarker({ policy: "flux-system:app", holds: "name" }), '{"$imagepolicy": "flux-system:app:name"}');
  assert.equal(setterMarker({ policy: "flux-system:app", holds: "reference" }), '{"$imagepolicy": "flux-system:app"}');
});

const SETTER = { policy: "ns:p", holds: "tag", image: "ghcr.io/team/app", accepts: { semver: ">=1.0.0 <2.0.0" } } as const;
const at = (...path: string[]): ValueMarker => ({ ...SETTER, path });

test("a marker on a value that is no one-line string is a render error, not a misplaced comment", () => {
  const text = "a:\n  n: 3\n  s: x\n";
  assert.throws(() => writeMarkers(text, [at("a", "n")], "here"), RenderError);
  assert.throws(() => writeMarkers(text, [at("a", "missing")], "here"), RenderError);
  assert.equal(writeMarkers(text, [at("a", "s")], "here"), 'a:\n  n: 3\n  s: x # {"$imagepolicy": "ns:p:tag"}\n');
});

const marked = (tag: string, replicas: string | number = 1) =>
  `# head\nv:\n  image:\n    tag: ${tag} # {"$imagepolicy": "ns:p:tag"}\n  replicas: ${replicas}\n  list:\n    - a\n`;
const TAG = [at("v", "image", "tag")];
const keep = (generated: string, onDisk: string, reset = false) =>
  keepOwnedValues(generated, onDisk, TAG, "f.yaml", { resetImageTags: reset });

test("keepOwnedValues: the automation's value wins, every other change of the definition still lands", () => {
  assert.equal(keep(marked("v1.0.0"), marked("v1.2.0")), marked("v1.2.0"));
  // A new replica count from the definition, the automation's tag from disk.
  assert.equal(keep(marked("v1.0.0", 2), marked("v1.2.0", 1)), marked("v1.2.0", 2));
  // The automation may re-indent the file (kyaml writes sequences unindented): kept as it is.
  const reindented = marked("v1.2.0").replace("    - a", "  - a");
  assert.equal(keep(marked("v1.0.0"), reindented), reindented);
  // Quoted the way Flux's setter keeps a string that looks like a number: the text on disk is kept.
  assert.equal(keep(marked("v1.0.0"), marked("'1.10.0'")), marked("'1.10.0'"));
  // Tags Flux's semver policy picks (fluxcd/pkg/version v0.12.0 ParseVersion: leading zeros allowed) are kept
  // although npm's semver would not read them (issue 23: a genuine automation commit failed --check).
  for (const tag of ["1.08.0", "v01.2.3"]) assert.equal(keep(marked("v1.0.0"), marked(tag)), marked(tag), tag);
});

test("keepOwnedValues: only the marked value's text may differ (review finding 2)", () => {
  const generated = marked("v1.0.0");
  const stale = [
    // A marker the definitions did not place: above a value (Flux's setter reads head comments too,
    // kyaml fieldmeta.FieldMeta.Read), on a key, at the end of the file.
    marked("v1.2.0").replace("  replicas: 1", '  # {"$imagepolicy": "ns:p:tag"}\n  replicas: 1'),
    marked("v1.2.0").replace("  list:", '  list: # {"$imagepolicy": "ns:p:tag"}'),
    marked("v1.2.0").replace("    - a", '    - a # {"$imagepolicy": "ns:p:tag"}'),
    `${marked("v1.2.0")}# {"$imagepolicy": "ns:p:tag"}\n`,
    // The marker moved to the line above its value: the value is no longer the one the definitions mark.
    marked("v1.0.0").replace('    tag: v1.0.0 # {"$imagepolicy": "ns:p:tag"}', '    # {"$imagepolicy": "ns:p:tag"}\n    tag: v1.0.0'),
    // Numbers YAML 1.1 (Go, kustomize) and 1.2 read differently, or the same number in other words.
    marked("v1.2.0", "01"),
    marked("v1.2.0", "0x1"),
    marked("v1.2.0", "1.0e0"),
    // Any other comment, or another quoting of an unmarked value.
    marked("v1.2.0").replace("# head", "# head!"),
    marked("v1.2.0").replace("    - a", "    - 'a'"),
    marked("v1.2.0").replace("    - a", "    - [a]"),
    // The same words in another nesting: replicas moved into image.
    marked("v1.2.0").replace("  replicas: 1", "    replicas: 1"),
  ];
  for (const disk of stale) {
    const kept = keep(generated, disk);
    assert.notEqual(kept, disk, `must be stale:\n${disk}`);
    assert.equal(sameText(kept, disk), false);
  }
});

test("ownedValueProblem: a tag Flux could pick for the policy, the exact image, or image:tag", () => {
  const tag = { holds: "tag", image: "ghcr.io/team/app", accepts: { semver: ">=1.6.0 <2.0.0" } } as const;
  assert.equal(ownedValueProblem("v1.7.2", tag), undefined);
  assert.equal(ownedValueProblem("1.7.2", tag), undefined);
  assert.match(ownedValueProblem("v2.0.0", tag)!, /outside the policy's semver range/);
  assert.match(ownedValueProblem("v1.7.2-rc.1", tag)!, /outside/);
  assert.match(ownedValueProblem("v1.7.2 # x", tag)!, /not an image tag/);
  assert.match(ownedValueProblem(".v1.7.2", tag)!, /not an image tag/);
  assert.match(ownedValueProblem("a".repeat(129), tag)!, /not an image tag/);
  assert.match(ownedValueProblem("v1.7.2", { ...tag, accepts: { semver: ">=1.0, <2.0" } })!, /cannot be checked here/);
  const build = { ...tag, accepts: { numerical: "asc", filter: { pattern: "^main-[a-f0-9]+-(?P<ts>[0-9]+)$", extract: "$ts" } } } as const;
  assert.equal(ownedValueProblem("main-abc123-1700000000", build), undefined);
  assert.match(ownedValueProblem("dev-abc123-1700000000", build)!, /filter pattern/);
  const ranged = { ...tag, accepts: { semver: ">=1.0.0", filter: { pattern: "^v(?P<v>.*)-linux$", extract: "${v}" } } } as const;
  assert.equal(ownedValueProblem("v1.2.3-linux", ranged), undefined);
  assert.match(ownedValueProblem("v0.2.3-linux", ranged)!, /outside/);
  const name = { ...tag, holds: "name" } as const;
  assert.equal(ownedValueProblem("ghcr.io/team/app", name), undefined);
  assert.match(ownedValueProblem("ghcr.io/evil/app", name)!, /not the image ghcr\.io\/team\/app/);
  const reference = { ...tag, holds: "reference" } as const;
  assert.equal(ownedValueProblem("ghcr.io/team/app:v1.7.2", reference), undefined);
  assert.match(ownedValueProblem("ghcr.io/evil/app:v1.7.2", reference)!, /not ghcr\.io\/team\/app:<tag>/);
  assert.match(ownedValueProblem("ghcr.io/team/app:v3.0.0", reference)!, /outside/);
});

test("keepOwnedValues: a marked value Flux could not have written is refused in one line (review finding 4)", () => {
  for (const [tag, why] of [
    ["v9.9.9", /outside the policy's semver range/],
    ["'latest'", /no version Flux reads/],
    ["'v1.2.0;rm'", /not an image tag/],
    ["1.10", /do not all read as the same string/],
    ["010", /do not all read as the same string/],
    ["1_000", /do not all read as the same string/],
  ] as const) {
    assert.throws(
      () => keep(marked("v1.0.0"), marked(tag)),
      (e: Error) =>
        e instanceof RenderError && /^f\.yaml: v\.image\.tag holds /.test(e.message) && why.test(e.message) && !e.message.includes("\n"),
      tag,
    );
  }
});

test("keepOwnedValues: a value the automation owned is not rolled back silently when the definitions stop marking it (review finding 5)", () => {
  const unmarked = marked("v1.0.0").replace(/ # .*/, "");
  // Automation turned off: the plan has no marker, the disk carries the automation's v1.2.0.
  assert.throws(
    () => keepOwnedValues(unmarked, marked("v1.2.0"), [], "f.yaml"),
    /^RenderError: f\.yaml: v\.image\.tag holds "v1\.2\.0", set by image automation/,
  );
  assert.throws(() => keepOwnedValues(unmarked, marked("v1.2.0"), [], "f.yaml"), {
    message: /replace it with "v1\.0\.0".*--reset-image-tags/,
  });
  // Renamed policy: another marker planned on the same value.
  assert.throws(() => keep(marked("v1.0.0"), marked("v1.2.0").replace("ns:p:tag", "ns:q:tag")), /set by image automation/);
  // With the flag, or when the definitions already hold the automation's value, the plan is written.
  assert.equal(keepOwnedValues(unmarked, marked("v1.2.0"), [], "f.yaml", { resetImageTags: true }), unmarked);
  assert.equal(keepOwnedValues(unmarked, marked("v1.0.0"), [], "f.yaml"), unmarked);
});

test("an automation commit keeps render --check green and survives render; a hand edit elsewhere does not", async (t) => {
  const root = copyOfRenderedRepo(t, "image-automation");
  const file = join(root, "cluster", "dev", RELEASE);
  const original = readFileSync(file, "utf8");
  // What image-automation-controller commits: the marked value changed, the marker kept.
  const committed = original.replace("tag: v1.6.0 #", "tag: v1.7.2 #");
  assert.notEqual(committed, original);
  writeFileSync(file, committed);
  let r = await runInProcess(render, ["--check", "--root", root]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  r = await runInProcess(render, ["--root", root]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(readFileSync(file, "utf8"), committed, "render keeps the automation's tag");
  assert.match(r.stdout, /0 written, 0 removed/);

  // The same file with an unmarked value edited by hand is stale, and render puts it back (tag kept).
  writeFileSync(file, committed.replace("replicas: 1", "replicas: 4"));
  r = await runInProcess(render, ["--check", "--root", root]);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /stale: cluster\/dev\/apps\/helmrelease_flux-system_remla-app\.yaml/);
  await runInProcess(render, ["--root", root]);
  assert.equal(readFileSync(file, "utf8"), committed);

  // A marker removed by hand makes the value the definition's again.
  writeFileSync(file, committed.replace(' # {"$imagepolicy": "flux-system:app-service:tag"}', ""));
  r = await runInProcess(render, ["--check", "--root", root]);
  assert.equal(r.code, 1);
  await runInProcess(render, ["--root", root]);
  assert.equal(readFileSync(file, "utf8"), original);
});

test("render --check and render on the real cluster/dev: a hand-added marker, a number in other words, a tag Flux could not pick", async (t) => {
  const root = copyOfRenderedRepo(t, "image-automation");
  const file = join(root, "cluster", "dev", RELEASE);
  const original = readFileSync(file, "utf8");
  const committed = original.replace("tag: v1.6.0 #", "tag: v1.7.2 #");
  // Stale (the renderer rewrites them, keeping the automation's tag): a marker above an unmarked value,
  // which Flux's setter would rewrite, and `replicas: 01`, which YAML 1.2 reads as 1.
  const replicas = /^( +)replicas: 1$/m.exec(committed)!;
  for (const edited of [
    committed.replace(replicas[0], `${replicas[1]}# {"$imagepolicy": "flux-system:app-service:tag"}\n${replicas[0]}`),
    committed.replace(replicas[0], `${replicas[1]}replicas: 01`),
  ]) {
    writeFileSync(file, edited);
    const check = await runInProcess(render, ["--check", "--root", root]);
    assert.equal(check.code, 1, edited);
    assert.match(check.stdout, /stale: cluster\/dev\/apps\/helmrelease_flux-system_remla-app\.yaml/);
    assert.equal((await runInProcess(render, ["--root", root])).code, 0);
    assert.equal(readFileSync(file, "utf8"), committed);
  }
  // Refused, by check and render alike, in one line naming the file and key; the file is left as it is.
  for (const tag of ["v2.0.0", "latest", '"v1.7.2 || true"']) {
    const edited = original.replace("tag: v1.6.0 #", `tag: ${tag} #`);
    writeFileSync(file, edited);
    for (const args of [["--check"], []]) {
      const r = await runInProcess(render, [...args, "--root", root]);
      assert.equal(r.code, 1, `${tag} ${args.join(" ")}`);
      assert.match(
        r.stderr,
        /^render: cluster\/dev\/apps\/helmrelease_flux-system_remla-app\.yaml: spec\.values\.appService\.image\.tag holds /,
      );
      assert.equal(r.stderr.trimEnd().split("\n").length, 1, r.stderr);
      assert.equal(readFileSync(file, "utf8"), edited);
    }
  }
});

test("turning image automation off does not roll an automation commit back silently (review finding 5)", async (t) => {
  const root = copyOfRenderedRepo(t, "image-automation");
  const stackFile = join(root, "Pulumi.dev.yaml");
  writeFileSync(stackFile, readFileSync(stackFile, "utf8").replace(/(imageAutomation:\n\s+enabled:) true/, "$1 false"));
  const file = join(root, "cluster", "dev", RELEASE);
  const original = readFileSync(file, "utf8");
  writeFileSync(file, original.replace("tag: v1.6.0 #", "tag: v1.7.2 #"));
  for (const args of [["--check"], []]) {
    const r = await runInProcess(render, [...args, "--root", root]);
    assert.equal(r.code, 1, args.join(" "));
    assert.match(
      r.stderr,
      /^render: cluster\/dev\/apps\/helmrelease_flux-system_remla-app\.yaml: spec\.values\.appService\.image\.tag holds "v1\.7\.2", set by image automation .* replace it with "v1\.6\.0": set that value in the definitions, or run npm run render -- --reset-image-tags/,
    );
  }
  assert.match(readFileSync(file, "utf8"), /tag: v1\.7\.2 #/, "nothing written");
  // Explicitly reset: the definitions' values, no markers, no image objects.
  const r = await runInProcess(render, ["--reset-image-tags", "--root", root]);
  assert.equal(r.code, 0, r.stderr);
  const now = readFileSync(file, "utf8");
  assert.doesNotMatch(now, /\$imagepolicy/);
  assert.match(now, /tag: v1\.6\.0$/m);
  assert.equal((await runInProcess(render, ["--check", "--root", root])).code, 0);
});

// Each side of the guards in ownership.ts and markers.ts on its own (the guard mutator of test/mutation/guards.ts
// drops one side at a time; docs/testing.md lists the sides that cannot change an answer).
test("guards, each side on its own: alphabetical tags, unparsable layouts, aliases, a missing value, marker shapes, complex keys, multi-line values", () => {
  // An alphabetical policy orders any tag: only a numerical one needs a number.
  const alphabetical = { holds: "tag", image: "ghcr.io/team/app", accepts: { alphabetical: "asc", filter: { pattern: ".*" } } } as const;
  assert.equal(ownedValueProblem("main-abc", alphabetical), undefined);
  assert.match(
    ownedValueProblem("main-abc", { ...alphabetical, accepts: { numerical: "asc", filter: { pattern: ".*" } } }) ?? "",
    /no number/,
  );
  // The same tokens in a layout that does not parse (either side) are not the same text.
  assert.equal(sameText("a:\n  - x\n  - y\n", "a:\n  - x\n- y\n"), false);
  assert.equal(sameText("a:\n  - x\n- y\n", "a:\n  - x\n  - y\n"), false);
  // Nor are the same tokens nested otherwise.
  assert.equal(sameText("x:\n  a: 1\n  b: 2\n", "x:\n  a: 1\nb: 2\n"), false);
  // An alias is the same as an alias spaced otherwise.
  assert.equal(sameText("a: &x 1\nb: *x\n", "a: &x 1\nb:    *x\n"), true);
  // A file on disk without the marked value: the planned file as it is.
  const noTag = "# head\nv:\n  replicas: 1\n  list:\n    - a\n";
  assert.equal(keep(marked("v1.0.0"), noTag), marked("v1.0.0"));
  // A marker is an object naming an image policy, nothing else in braces.
  assert.equal(markerOf('{"$imagepolicy": "ns:p:tag"}'), '{"$imagepolicy": "ns:p:tag"}');
  assert.equal(markerOf('{"a": "ns:p:tag"}'), undefined);
  assert.equal(markerOf('{"$imagepolicy": 1}'), undefined);
  // A value under a complex key has no key path Flux's setter could name: never a marked scalar.
  const complex = parseDocument('? [a]\n: x # {"$imagepolicy": "ns:p:tag"}\nb: y # {"$imagepolicy": "ns:p:tag"}\n');
  assert.deepEqual(
    markedScalars(complex).map((m) => m.path),
    [["b"]],
  );
  // A marker goes on a one-line value only: a plain scalar folded over two lines is refused.
  assert.throws(() => writeMarkers("a:\n  s: x\n    y\n", [at("a", "s")], "here"), {
    message: "here: image automation marks a.s, which is not a one-line string value",
  });
});
