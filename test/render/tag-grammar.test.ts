// Image tags as Flux reads them (issue 23): differential cases against the upstream sources, each with
// the file and version it is taken from. No Go toolchain runs here, so the expectations are Go's own
// test tables and documented behaviour, cited case by case.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ownedValueProblem } from "../../infra/render/ownership.ts";
import { fluxSemver, goExpand, goParseFloat } from "../../infra/render/tag-grammar.ts";

test("goParseFloat follows Go's strconv.ParseFloat (src/strconv/atof.go, atof_test.go, Go 1.24)", () => {
  // [input, value Go returns, or undefined for an error]
  const cases: [string, number | undefined][] = [
    // Decimal, as in atof_test.go.
    ["1", 1],
    ["+1", 1],
    ["-1", -1],
    ["1.5", 1.5],
    ["1.", 1],
    [".5", 0.5],
    ["1e5", 1e5],
    ["1E-5", 1e-5],
    ["1e+308", 1e308],
    ["1700000000", 1700000000],
    ["0010", 10],
    ["1e", undefined],
    ["1e+", undefined],
    ["1.5.5", undefined],
    [".", undefined],
    ["", undefined], // an empty extract: Flux refuses the tag
    [" 1", undefined],
    ["1 ", undefined],
    ["1e400", undefined], // ErrRange
    ["-1e400", undefined],
    ["1e-400", 0], // underflow is 0, no error
    // Hexadecimal needs a p exponent (atof.go readFloat "Must have exponent"); no binary or octal floats.
    ["0x1p-2", 0.25],
    ["0X1P2", 4],
    ["0x1.8p1", 3],
    ["0x.8p1", 1],
    ["0x10", undefined],
    ["0x", undefined],
    ["0xp1", undefined],
    ["0x1p", undefined],
    ["0x1p1024", undefined], // ErrRange
    ["0x0p99999", 0],
    ["0b11", undefined],
    ["0o17", undefined],
    ["1f", undefined],
    // Underscores between digits, also in decimals (atof_test.go "1_23.50_0_0e+1_2" → 1.235e+14).
    ["1_23.50_0_0e+1_2", 1.235e14],
    ["1_000", 1000],
    ["0x_1_2.3_4_5p+1_2", 74565],
    ["_123.5e+12", undefined],
    ["1__23.5e+12", undefined],
    ["123_.5e+12", undefined],
    ["123._5e+12", undefined],
    ["123.5e+12_", undefined],
    ["-_0x12.345p+12", undefined],
    // special: inf, infinity, nan in any case; a sign on inf only.
    ["inf", Infinity],
    ["+Inf", Infinity],
    ["-infinity", -Infinity],
    ["INFINITY", Infinity],
    ["infin", undefined],
    ["nan", NaN],
    ["NaN", NaN],
    ["+nan", undefined],
  ];
  for (const [input, expected] of cases) assert.deepEqual(goParseFloat(input), expected, JSON.stringify(input));
});

test("fluxSemver follows fluxcd/pkg/version v0.12.0 ParseVersion over Masterminds/semver v3.4.0 NewVersion", () => {
  const v = (major: number, minor: number, patch: number, prerelease = "") => ({
    major: BigInt(major),
    minor: BigInt(minor),
    patch: BigInt(patch),
    prerelease,
  });
  const cases: [string, ReturnType<typeof v> | undefined][] = [
    // fluxcd/pkg version/version_test.go v0.12.0 TestParseVersion
    ["v1.2.3", v(1, 2, 3)],
    ["v2025.07.03", v(2025, 7, 3)],
    ["v1.0", undefined],
    ["v1", undefined],
    ["v1.2.beta", undefined],
    ["v1.2-5", undefined],
    ["v1.2-beta5", undefined],
    ["\nv1.2", undefined],
    ["v1.2.3-rc1-with-hypen", v(1, 2, 3, "rc1-with-hypen")],
    ["v1.2.3.4", undefined],
    // Two parts are never a version for Flux (ParseVersion's SplitN check), though NewVersion alone coerces them.
    ["1.8", undefined],
    ["v1.8", undefined],
    ["1.2.3", v(1, 2, 3)],
    ["01.02.03", v(1, 2, 3)],
    // Three dot-separated parts with the dots in the prerelease: NewVersion's coercion reads 1.2.0-rc.1.
    ["1.2-rc.1", v(1, 2, 0, "rc.1")],
    // Masterminds version.go validatePrerelease: no leading zero in a numeric prerelease part.
    ["1.2.3-01", undefined],
    ["1.2.3-0", v(1, 2, 3, "0")],
    ["1.2.3-rc.01", undefined],
    ["1.2.3-", undefined],
    ["1.2.3_4", undefined],
    ["18446744073709551615.0.0", { major: 2n ** 64n - 1n, minor: 0n, patch: 0n, prerelease: "" }],
    ["18446744073709551616.0.0", undefined], // past uint64: strconv.ParseUint range error
  ];
  for (const [input, expected] of cases) assert.deepEqual(fluxSemver(input), expected, JSON.stringify(input));
});

test("goExpand follows Go's Regexp.ExpandString (src/regexp/regexp.go expand, extract)", () => {
  const match = /^(?<name>[a-z]+)-(?<ts>[0-9]+)-([a-z]+)$/.exec("main-1700-abc")!;
  const cases: [string, string][] = [
    ["$ts", "1700"],
    ["${ts}", "1700"],
    ["$1", "main"],
    ["${3}", "abc"],
    ["$01", ""], // leading zero: a name, not an index, and no group has it
    ["$tsx", ""], // the longest name: tsx, unknown
    ["${ts}x", "1700x"],
    ["$$ts", "$ts"],
    ["$", "$"],
    ["${ts", "${ts"],
    ["${}", "${}"],
    ["$9", ""],
    ["a-$name.$ts", "a-main.1700"],
  ];
  for (const [template, expected] of cases) assert.equal(goExpand(template, match), expected, template);
});

test("ownedValueProblem reads a tag as Flux does: numerical and semver differential cases", () => {
  const numerical = {
    holds: "tag",
    image: "ghcr.io/team/app",
    accepts: { numerical: "asc", filter: { pattern: "^build-(?P<n>.*)$", extract: "$n" } },
  } as const;
  for (const tag of ["build-0x10", "build-0b11", "build-", "build-0o7", "build-1e400", "build-1__0"]) {
    assert.match(ownedValueProblem(tag, numerical)!, /no number Flux reads/, tag);
  }
  for (const tag of ["build-17", "build-1.5", "build-0x1p-2", "build-1_000", "build-inf", "build-NaN"]) {
    assert.equal(ownedValueProblem(tag, numerical), undefined, tag);
  }
  // `$01` is no group index for Go: the extract is empty, so no number.
  assert.match(
    ownedValueProblem("build-7", { ...numerical, accepts: { ...numerical.accepts, filter: { pattern: "^build-(.*)$", extract: "$01" } } })!,
    /no number Flux reads/,
  );
  const ranged = { holds: "tag", image: "ghcr.io/team/app", accepts: { semver: ">=1.0.0 <2.0.0" } } as const;
  for (const tag of ["1.8", "v1.8", "v1", "1.2.3.4", "1.2.3-01"])
    assert.match(ownedValueProblem(tag, ranged)!, /no version Flux reads/, tag);
  for (const tag of ["v1.8.0", "1.08.0", "v01.2.3", "1.2.3"]) assert.equal(ownedValueProblem(tag, ranged), undefined, tag);
  assert.match(ownedValueProblem("v2.0.0", ranged)!, /outside the policy's semver range/);
  assert.match(ownedValueProblem("1.2-rc.1", ranged)!, /outside the policy's semver range/, "1.2.0-rc.1: a prerelease outside the range");
  assert.equal(ownedValueProblem("1.2-rc.1", { ...ranged, accepts: { semver: ">=1.2.0-0 <2.0.0" } }), undefined);
});
