// Preloaded (node -r) into a CLI process by the crash tests: counts the file-system steps the
// process takes under EDGE_MTLS_TEST_FS_ROOT (creating, writing, syncing, renaming, removing) and
// kills itself with SIGKILL just before step EDGE_MTLS_TEST_KILL_AT — a crash at exactly that
// point, with no cleanup code running. With EDGE_MTLS_TEST_COUNT_FILE it writes the step count on exit.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const root = path.resolve(process.env.EDGE_MTLS_TEST_FS_ROOT || "/nonexistent");
const killAt = Number(process.env.EDGE_MTLS_TEST_KILL_AT || 0);
const countFile = process.env.EDGE_MTLS_TEST_COUNT_FILE;
const writeFileSync = fs.writeFileSync;
const watchedFds = new Set();
let steps = 0;

const inRoot = (p) => typeof p === "string" && path.resolve(p).startsWith(root);
function step() {
  steps++;
  if (steps === killAt) process.kill(process.pid, "SIGKILL");
}
function wrap(name, applies) {
  const original = fs[name];
  fs[name] = function (...args) {
    const watched = applies(args);
    if (watched) step();
    const result = original.apply(this, args);
    if (name === "openSync" && watched) watchedFds.add(result);
    if (name === "closeSync" && watched) watchedFds.delete(args[0]);
    return result;
  };
}
for (const name of ["mkdirSync", "mkdtempSync", "chmodSync", "openSync", "rmSync"]) wrap(name, (args) => inRoot(args[0]));
wrap("renameSync", (args) => inRoot(args[0]) || inRoot(args[1]));
for (const name of ["writeSync", "fsyncSync", "closeSync"]) wrap(name, (args) => watchedFds.has(args[0]));

if (countFile) process.on("exit", () => writeFileSync(countFile, String(steps)));
