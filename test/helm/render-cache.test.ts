// The Helm render cache (infra/helm/render-cache.ts): off unless FLUX_GITOPS_HELM_RENDER_CACHE names a folder (so no
// planted file stands in for a render in `npm run verify` or `npm run policy`); keyed by every input of the render.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cachedRender, keepRender, renderKey } from "../../infra/helm/render-cache.ts";

function withCache(t: { after(fn: () => void): void }, dir: string | undefined): string {
  const work = mkdtempSync(join(tmpdir(), "render-cache-"));
  const before = process.env.FLUX_GITOPS_HELM_RENDER_CACHE;
  if (dir === undefined) delete process.env.FLUX_GITOPS_HELM_RENDER_CACHE;
  else process.env.FLUX_GITOPS_HELM_RENDER_CACHE = join(work, dir);
  t.after(() => {
    if (before === undefined) delete process.env.FLUX_GITOPS_HELM_RENDER_CACHE;
    else process.env.FLUX_GITOPS_HELM_RENDER_CACHE = before;
    rmSync(work, { recursive: true, force: true });
  });
  writeFileSync(join(work, "chart.tgz"), "archive bytes");
  return work;
}

test("off without FLUX_GITOPS_HELM_RENDER_CACHE: no key, nothing kept or read", (t) => {
  const work = withCache(t, undefined);
  assert.equal(renderKey("/helm", join(work, "chart.tgz"), ["template", "x"], "{}"), undefined);
  keepRender(undefined, [{ kind: "ConfigMap" }]);
  assert.equal(cachedRender(undefined), undefined);
});

test("on: a kept render is read back; every input changes the key; a folder chart has none", (t) => {
  const work = withCache(t, "cache");
  const chart = join(work, "chart.tgz");
  const key = renderKey("/helm/v4.1.4/helm", chart, ["template", "x"], '{"a":1}')!;
  assert.match(key, /^[0-9a-f]{64}$/);
  assert.equal(cachedRender(key), undefined);
  keepRender(key, [{ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "a" } }]);
  assert.deepEqual(cachedRender(key), [{ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "a" } }]);
  const others = [
    renderKey("/helm/v3.17.2/helm", chart, ["template", "x"], '{"a":1}'),
    renderKey("/helm/v4.1.4/helm", chart, ["template", "y"], '{"a":1}'),
    renderKey("/helm/v4.1.4/helm", chart, ["template", "x"], '{"a":2}'),
  ];
  writeFileSync(chart, "other archive bytes");
  others.push(renderKey("/helm/v4.1.4/helm", chart, ["template", "x"], '{"a":1}'));
  assert.equal(new Set([key, ...others]).size, 5);
  assert.equal(renderKey("/helm/v4.1.4/helm", work, ["template", "x"], '{"a":1}'), undefined, "a chart folder is always rendered");
});
