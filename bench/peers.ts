import { spawnSync } from "node:child_process";
import { join } from "node:path";

/**
 * Implementations nobody here wrote, run in the same sitting as ours: pyca/cryptography (through
 * bench/pyca_peer.py) and the openssl command line. A missing peer stops the bench with a message
 * saying what to install, rather than printing a figure without its peer.
 */

/** Runs a peer; returns stdout and stderr. */
function run(command: string, args: readonly string[], timeoutMs = 300_000): { stdout: string; stderr: string } {
  const result = spawnSync(command, args, { encoding: "utf8", timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 });
  if (result.error) throw new Error(`${command} could not run (${result.error.message}); install it to measure this peer`);
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed: ${result.stderr || result.stdout}`);
  return { stdout: result.stdout, stderr: result.stderr };
}

function pyca(args: readonly string[]): Record<string, number> {
  return JSON.parse(run("python3", [join(__dirname, "pyca_peer.py"), ...args]).stdout.trim().split("\n").pop()!);
}

/** Certificates per second pyca/cryptography issues with the bench's profile (P-256, distinct keys). */
export function pycaIssueRate(seconds: number): number {
  return pyca(["issue", String(seconds)]).certs_per_s!;
}

/** Milliseconds pyca/cryptography takes to build, sign and encode a CRL of `entries` entries. */
export function pycaCrlMs(entries: number): number {
  return pyca(["crl", String(entries), "1"]).median_ms!;
}

/** Wall time in ms of one `openssl crl -CAfile … -noout` on a DER CRL file (process start included). */
export function opensslVerifyCrlMs(crlFile: string, caFile: string): number {
  const start = performance.now();
  const { stderr } = run("openssl", ["crl", "-inform", "DER", "-in", crlFile, "-CAfile", caFile, "-noout"]);
  const ms = performance.now() - start;
  if (!/verify OK/.test(stderr)) throw new Error(`openssl crl did not verify ${crlFile}: ${stderr}`);
  return ms;
}

/** Medians of interleaved rounds: each round runs every operation once, so a busy spell hits all of them. */
export async function interleavedMedians<K extends string>(rounds: number, operations: Record<K, () => number | Promise<number>>): Promise<Record<K, number>> {
  const samples = Object.fromEntries(Object.keys(operations).map((k) => [k, [] as number[]])) as unknown as Record<K, number[]>;
  for (let round = 0; round < rounds; round++) {
    for (const key of Object.keys(operations) as K[]) samples[key].push(await operations[key]());
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  return Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v as number[])])) as Record<K, number>;
}
