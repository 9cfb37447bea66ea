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

/** The time a fresh node process spends in `require(file)`, measured inside it (no process start-up noise). */
function requireMs(file: string): number {
  const script = `const t = performance.now(); const m = require(${JSON.stringify(file)}); const ms = performance.now() - t; if (typeof m.handler !== "function") process.exit(1); process.stdout.write(String(ms));`;
  const result = spawnSync(process.execPath, ["-e", script], { encoding: "utf8" });
  if (result.status !== 0) throw new Error(`loading ${file} failed: ${result.stderr}`);
  return Number(result.stdout);
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** Targets of the cold load beyond an empty process, per function (issue 12 sets the edge functions'). */
const LOAD_TARGETS: Record<string, string> = { "api-authorizer": "<= 50", "revocation-sync": "<= 50" };

/**
 * Size of each Lambda bundle and the time a fresh node process takes to load it (a cold-start
 * proxy): `require` timed inside the process, the functions taken in turn `runs` times so that
 * machine load falls on all alike; the empty process is measured in the same run for scale.
 */
export function bundleBenchmarks(runs = 9): BenchResult[] {
  const dir = mkdtempSync(join(tmpdir(), "edge-mtls-bundles-"));
  try {
    const emptyMs = processMs("", runs);
    const files = FUNCTIONS.map((fn) => {
      const bundle = bundleFunction(fn);
      const file = join(dir, `${fn}.js`);
      writeFileSync(file, bundle.code);
      return { fn, file, kb: Buffer.byteLength(bundle.code) / 1024, times: [] as number[] };
    });
    for (let i = 0; i < runs; i++) for (const entry of files) entry.times.push(requireMs(entry.file));
    const results: BenchResult[] = [];
    for (const { fn, kb, times } of files) {
      results.push({ name: `bundle.${fn}.kb`, value: kb, unit: "KiB", target: "<= 1024" });
      results.push({
        name: `bundle.${fn}.load_ms`,
        value: median(times),
        unit: "ms",
        target: LOAD_TARGETS[fn] ?? "<= 150",
        baseline: { name: "node.empty_process_ms", value: emptyMs, unit: "ms" },
        note: "require() of the bundle in a fresh node process, beyond the empty process (median of interleaved runs)",
      });
    }
    return results;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
