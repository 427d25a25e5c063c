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
import { keepOwnedValues, markedScalars, setterMarker, writeMarkers } from "../../infra/render/markers.ts";
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

test("a marker on a value that is no one-line string is a render error, not a misplaced comment", () => {
  const text = "a:\n  n: 3\n  s: x\n";
  assert.throws(() => writeMarkers(text, [{ path: ["a", "n"], policy: "ns:p", holds: "tag" }], "here"), RenderError);
  assert.throws(() => writeMarkers(text, [{ path: ["a", "missing"], policy: "ns:p", holds: "tag" }], "here"), RenderError);
  assert.equal(
    writeMarkers(text, [{ path: ["a", "s"], policy: "ns:p", holds: "tag" }], "here"),
    'a:\n  n: 3\n  s: x # {"$imagepolicy": "ns:p:tag"}\n',
  );
});

const marked = (tag: string, replicas = 1) =>
  `# head\nv:\n  image:\n    tag: ${tag} # {"$imagepolicy": "ns:p:tag"}\n  replicas: ${replicas}\n  list:\n    - a\n`;

test("keepOwnedValues: the automation's value wins, every other change of the definition still lands", () => {
  assert.equal(keepOwnedValues(marked("v1"), marked("v2")), marked("v2"));
  // A new replica count from the definition, the automation's tag from disk.
  assert.equal(keepOwnedValues(marked("v1", 2), marked("v2", 1)), marked("v2", 2));
  // The automation may re-indent the file (kyaml writes sequences unindented): kept as it is.
  const reindented = marked("v2").replace("    - a", "  - a");
  assert.equal(keepOwnedValues(marked("v1"), reindented), reindented);
  // A value without a marker never wins, nor one whose marker was edited to another policy.
  const unmarked = marked("v1").replace(/ # .*/, "");
  assert.equal(keepOwnedValues(unmarked, marked("v2")), unmarked);
  assert.equal(keepOwnedValues(marked("v1"), marked("v2").replace("ns:p:tag", "ns:q:tag")), marked("v1"));
  // A tag that YAML would read as a number is quoted like every rendered value.
  assert.equal(keepOwnedValues(marked("v1"), marked("'1.10'")), marked("'1.10'"));
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
