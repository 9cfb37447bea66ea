import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { ClientIdentity, formatChecks, runChecks } from "../../rehearsal/checks";
import { Command, intFlag, UsageError } from "../command";

interface Flags {
  edge?: string;
  api?: string;
  cert?: string;
  key?: string;
  "ca-bundle"?: string;
  "foreign-cert"?: string;
  "foreign-key"?: string;
  timeout?: string;
  json?: boolean;
}

/** Environment variables that may carry the user identity instead of files (the post-deploy smoke test uses them). */
export const VERIFY_ENV = { certPem: "EDGE_MTLS_VERIFY_CERT_PEM", keyPem: "EDGE_MTLS_VERIFY_KEY_PEM" } as const;

function httpsUrl(value: string | undefined, flag: string): string | undefined {
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`--${flag} must be an https:// URL; got ${JSON.stringify(value)}`);
  }
  if (url.protocol !== "https:") throw new UsageError(`--${flag} must be an https:// URL; got ${JSON.stringify(value)}`);
  return url.toString().replace(/\/+$/, "");
}

function identity(cwd: string, certFile: string | undefined, keyFile: string | undefined, what: string, env: Record<string, string | undefined> = {}): ClientIdentity | undefined {
  if (certFile === undefined && keyFile === undefined) {
    const certPem = env[VERIFY_ENV.certPem];
    const keyPem = env[VERIFY_ENV.keyPem];
    return certPem && keyPem ? { certPem, keyPem } : undefined;
  }
  if (certFile === undefined || keyFile === undefined) throw new UsageError(`give both the ${what} certificate and its key`);
  return { certPem: readFileSync(resolve(cwd, certFile), "utf8"), keyPem: readFileSync(resolve(cwd, keyFile), "utf8") };
}

/** `edge-mtls verify`: the how-to's Test section against a real deployment, with node's HTTPS client. */
export const verifyCommand: Command<Flags> = {
  words: ["verify"],
  summary:
    "Check a deployment the way the how-to's Test section does: no certificate refused; GET / and POST /api with the user certificate succeed; with --api, the API refuses the user straight (no bypass); with --foreign-*, a foreign certificate is refused. Exit 0 only when all pass.",
  flags: {
    edge: { type: "string", required: true, description: "the distribution's URL, e.g. https://www.example.com" },
    api: { type: "string", description: "the API custom domain's URL, to check that CloudFront cannot be bypassed" },
    cert: { type: "string", description: `user certificate chain file (PEM); default $${VERIFY_ENV.certPem}` },
    key: { type: "string", description: `user private key file (PEM); default $${VERIFY_ENV.keyPem}` },
    "ca-bundle": { type: "string", description: "CA bundle for the servers' certificates", defaultText: "the system's" },
    "foreign-cert": { type: "string", description: "a certificate from another CA (must be refused)" },
    "foreign-key": { type: "string", description: "its private key" },
    timeout: { type: "string", description: "per-request timeout in ms", defaultText: "10000" },
    json: { type: "boolean", description: "print the result as one JSON object" },
  },
  async run(flags, _positionals, io) {
    const edgeUrl = httpsUrl(flags.edge, "edge")!;
    const apiUrl = httpsUrl(flags.api, "api");
    const user = identity(io.cwd, flags.cert, flags.key, "user", process.env);
    if (!user) throw new UsageError(`--cert and --key are required (or $${VERIFY_ENV.certPem} and $${VERIFY_ENV.keyPem})`);
    const foreign = identity(io.cwd, flags["foreign-cert"], flags["foreign-key"], "foreign");
    const results = await runChecks({
      edgeUrl,
      apiUrl,
      user,
      foreign,
      caPem: flags["ca-bundle"] ? readFileSync(resolve(io.cwd, flags["ca-bundle"]), "utf8") : undefined,
      timeoutMs: intFlag(flags.timeout, "timeout", 10_000),
    });
    const pass = results.every((r) => r.pass);
    if (flags.json) io.stdout.write(JSON.stringify({ pass, edgeUrl, apiUrl, checks: results }, null, 2) + "\n");
    else io.stdout.write(formatChecks(results) + `\n${pass ? "All checks passed." : "Some checks FAILED."}\n`);
    return pass ? 0 : 1;
  },
};
