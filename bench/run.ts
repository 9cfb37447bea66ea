/**
 * `npm run bench`: prints one JSON object per line ({ name, value, unit, baseline, target }).
 * Every ratio is against a baseline measured in this same run, on this machine.
 * `--seconds N` sets how long each rate is measured (default 2).
 */
import { report } from "./measure";
import { bundleBenchmarks } from "./bundle.bench";
import { edgeBenchmarks } from "./edge.bench";
import { pkiBenchmarks } from "./pki.bench";
import { rehearsalBenchmarks } from "./rehearsal.bench";

async function run(): Promise<void> {
  const at = process.argv.indexOf("--seconds");
  const seconds = at > 0 ? Number(process.argv[at + 1]) : 2;
  if (!(seconds > 0)) throw new Error("--seconds must be a positive number");
  for (const result of bundleBenchmarks()) report(result);
  for (const result of await pkiBenchmarks(seconds)) report(result);
  for (const result of await edgeBenchmarks()) report(result);
  for (const result of rehearsalBenchmarks()) report(result);
}

run().catch((error) => {
  process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
