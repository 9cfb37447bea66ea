/** One benchmark result line: what was measured, its value, and the baseline measured in the same run. */
export interface BenchResult {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  readonly baseline?: { readonly name: string; readonly value: number; readonly unit: string };
  readonly target?: string;
  readonly note?: string;
}

/** Runs `op` repeatedly for about `seconds` after a warm-up and returns operations per second. */
export async function ratePerSecond(op: () => unknown | Promise<unknown>, seconds: number): Promise<number> {
  const warmUntil = performance.now() + Math.min(300, seconds * 250);
  while (performance.now() < warmUntil) await op();
  let count = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  while (performance.now() < end) {
    // Batches of 16 keep the clock reads out of the measurement.
    for (let i = 0; i < 16; i++) await op();
    count += 16;
  }
  return count / ((performance.now() - start) / 1000);
}

/** Median wall time in ms of `runs` runs of `op` (after one warm-up run). */
export async function medianMs(op: () => unknown | Promise<unknown>, runs: number): Promise<number> {
  await op();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await op();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

/** Prints one result as a JSON line. */
export function report(result: BenchResult): void {
  process.stdout.write(JSON.stringify({ ...result, value: Number(result.value.toFixed(result.value < 10 ? 3 : 1)) }) + "\n");
}
