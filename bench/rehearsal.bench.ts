import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BenchResult } from "./measure";

const REPO = join(__dirname, "..");
const BINARY = join(REPO, "bin", "edge-mtls.js");

/** Wall time of one fresh process running the installed binary with `args`; throws on a non-zero exit. */
function binaryMs(args: readonly string[]): number {
  const start = performance.now();
  const result = spawnSync(process.execPath, [BINARY, ...args], { cwd: REPO, encoding: "utf8" });
  const ms = performance.now() - start;
  if (result.status !== 0) throw new Error(`edge-mtls ${args.join(" ")} exited ${result.status}: ${(result.stderr || result.stdout).trim().split("\n").pop()}`);
  return ms;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/**
 * `npm start` as a newcomer runs it: the compiled binary (`npm ci` builds dist/), both stack
 * programs offline, the stand-ins and every check, as a whole process; `edge-mtls --help` in the
 * same sitting is the start-up baseline. Issue 14 sets the target (under 30 s on this machine).
 */
export function rehearsalBenchmarks(runs = 3): BenchResult[] {
  if (!existsSync(join(REPO, "dist", "cli", "main.js"))) throw new Error("dist/ is missing: run npm ci (or npm run build) before the rehearsal benchmark");
  const dir = mkdtempSync(join(tmpdir(), "edge-mtls-bench-rehearsal-"));
  try {
    const rehearse: number[] = [];
    const help: number[] = [];
    for (let i = 0; i < runs; i++) {
      help.push(binaryMs(["--help"]));
      rehearse.push(binaryMs(["rehearse", "--json", "--dir", dir]));
    }
    return [{ name: "rehearse.wall_ms", value: median(rehearse), unit: "ms", baseline: { name: "edge-mtls --help", value: median(help), unit: "ms" }, target: "< 30000", note: `median of ${runs} whole processes: both programs, the stand-ins, the 8 checks` }];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
