#!/usr/bin/env node
// The edge-mtls command: runs the TypeScript sources through ts-node (type checking is `npm test`'s job).
"use strict";
const path = require("node:path");
require("ts-node").register({ transpileOnly: true, project: path.join(__dirname, "..", "tsconfig.json") });
const { main } = require("../cli/main.ts");
main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd() }).then((code) => {
  process.exitCode = code;
});
