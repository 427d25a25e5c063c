// Preload (node --require) for machines without an old Node.js: process.versions.node reads 20.0.0, which
// is all the entry points' version check looks at. See old-node.ts.
"use strict";
Object.defineProperty(process.versions, "node", { value: "20.0.0" });
