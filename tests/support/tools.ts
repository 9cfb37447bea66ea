import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The outcome of an external tool run. */
export interface ToolResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly output: string;
}

/**
 * Runs an independent tool (openssl, certtool, curl, gnutls-cli). A missing tool fails the test:
 * `.ci/run` installs them, and a skipped check would hide a gap.
 */
export function tool(command: string, args: readonly string[], options: { input?: string | Uint8Array; timeoutMs?: number } = {}): ToolResult {
  const result = spawnSync(command, args, { input: options.input, encoding: "utf8", timeout: options.timeoutMs ?? 30_000 });
  if (result.error) throw new Error(`${command} could not run (${result.error.message}); install it (see .ci/run)`);
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, output: result.stdout + result.stderr };
}

/** A fresh temporary directory, removed by the returned cleanup. */
export function tempDir(prefix = "edge-mtls-test-"): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Writes `content` to `dir/name` and returns the path. */
export function put(dir: string, name: string, content: string | Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

/** `openssl verify -x509_strict` of `leafPem` against root + issuing, for a purpose; returns the tool result. */
export function opensslVerify(dir: string, rootPem: string, issuingPem: string, leafPem: string, purpose: "sslclient" | "sslserver", extra: string[] = []): ToolResult {
  const root = put(dir, "verify-root.pem", rootPem);
  const issuing = put(dir, "verify-issuing.pem", issuingPem);
  const leaf = put(dir, "verify-leaf.pem", leafPem);
  return tool("openssl", ["verify", "-x509_strict", "-purpose", purpose, ...extra, "-CAfile", root, "-untrusted", issuing, leaf]);
}

/** GnuTLS `certtool --verify` of leaf + issuing against the root, optionally for an EKU purpose OID. */
export function certtoolVerify(dir: string, rootPem: string, issuingPem: string, leafPem: string, purposeOid?: string): ToolResult {
  const root = put(dir, "certtool-root.pem", rootPem);
  const chain = put(dir, "certtool-chain.pem", leafPem + issuingPem);
  return tool("certtool", ["--verify", "--load-ca-certificate", root, "--infile", chain, ...(purposeOid ? ["--verify-purpose", purposeOid] : [])]);
}

/** Like {@link tool}, without blocking the event loop (for clients of a server in this process). */
export function toolAsync(command: string, args: readonly string[], options: { input?: string; timeoutMs?: number; holdStdinMs?: number } = {}): Promise<ToolResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 20_000);
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(new Error(`${command} could not run (${error.message}); install it (see .ci/run)`));
    });
    child.on("close", (status) => {
      clearTimeout(timer);
      resolvePromise({ status, stdout, stderr, output: stdout + stderr });
    });
    // Some clients (gnutls-cli) hang up when stdin ends: hold it open while the server answers.
    child.stdin.write(options.input ?? "");
    setTimeout(() => child.stdin.end(), options.holdStdinMs ?? 0);
  });
}
