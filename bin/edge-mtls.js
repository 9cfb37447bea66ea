#!/usr/bin/env node
// The edge-mtls command: the compiled CLI under dist/ (built by `npm run build`, which `npm ci` and `npm pack` run).
"use strict";
let cli;
try {
  cli = require("../dist/cli/main.js");
} catch (error) {
  if (error && error.code === "MODULE_NOT_FOUND" && /dist[\\/]cli[\\/]main\.js/.test(error.message)) {
    process.stderr.write("edge-mtls: error NOT_BUILT: the CLI is not compiled (no dist/cli/main.js): run 'npm run build' in the edge-mtls package\n");
    process.exit(1);
  }
  throw error;
}
cli.main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd(), columns: process.stdout.columns }).then((code) => {
  process.exitCode = code;
});
