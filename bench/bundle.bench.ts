import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bundleFunction } from "../components/lambda-bundle";
import { BenchResult } from "./measure";

const FUNCTIONS = ["ca-admin", "ca-issuer", "ca-revoker", "ca-crl", "api-authorizer", "api-backend", "revocation-sync", "ca-inventory", "ca-reminders", "origin-cert-renewer"];

/** Median wall time of `runs` fresh node processes running `script`. */
function processMs(script: string, runs: number): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    const result = spawnSync(process.execPath, ["-e", script], { encoding: "utf8" });
    if (result.status !== 0) throw new Error(`node -e failed: ${result.stderr}`);
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

/**
 * Size of each Lambda bundle and the time a fresh node process takes to load it (a cold-start
 * proxy), against an empty node process measured in the same run.
 */
export function bundleBenchmarks(runs = 7): BenchResult[] {
  const dir = mkdtempSync(join(tmpdir(), "edge-mtls-bundles-"));
  try {
    const emptyMs = processMs("", runs);
    const results: BenchResult[] = [];
    for (const fn of FUNCTIONS) {
      const bundle = bundleFunction(fn);
      const file = join(dir, `${fn}.js`);
      writeFileSync(file, bundle.code);
      const loadMs = processMs(`const m = require(${JSON.stringify(file)}); if (typeof m.handler !== "function") process.exit(1);`, runs);
      results.push({ name: `bundle.${fn}.kb`, value: Buffer.byteLength(bundle.code) / 1024, unit: "KiB", target: "<= 1024" });
      results.push({ name: `bundle.${fn}.load_ms`, value: loadMs - emptyMs, unit: "ms", target: "<= 150", baseline: { name: "node.empty_process_ms", value: emptyMs, unit: "ms" }, note: "load time beyond an empty node process" });
    }
    return results;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
