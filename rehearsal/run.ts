import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { startOrigin } from "./api-gateway";
import { prepareRehearsalPki, RehearsalPki } from "./certificates";
import { CheckResult, runChecks } from "./checks";
import { startEdge } from "./cloudfront";
import type { Listener } from "./api-gateway";
import { DEFAULT_SECRET_HEADER_NAME } from "../workload-stack/config";

/** Options of a rehearsal. */
export interface RehearsalOptions {
  /** Where certificates, the CA and logs go; created if missing. */
  readonly dir: string;
  /** Ports of the two listeners; 0 = any free port. */
  readonly edgePort: number;
  readonly originPort: number;
  /** Log lines of the listeners (refusals, decisions). */
  readonly log?: (line: string) => void;
  /** Deliberate faults, to show that the checks catch them. */
  readonly faults?: { readonly edgeMtlsOptional?: boolean; readonly originAllowsEveryone?: boolean };
}

/** A running rehearsal: the listeners, the certificates, the URLs. */
export interface Rehearsal {
  readonly pki: RehearsalPki;
  readonly edge: Listener;
  readonly origin: Listener;
  readonly edgeUrl: string;
  readonly originUrl: string;
  readonly accessLogPath: string;
  readonly secretHeaderName: string;
  close(): Promise<void>;
  /** Runs the how-to's Test section against the listeners. */
  check(): Promise<CheckResult[]>;
}

export const REHEARSAL_SITE_DIR = join(__dirname, "site");

/**
 * Starts the whole chain on 127.0.0.1: the certificates from the local CA, the origin (API
 * Gateway with the real authorizer and backend) and the edge (CloudFront with viewer mTLS and the
 * real connection function), each with real TLS.
 */
export async function startRehearsal(options: RehearsalOptions): Promise<Rehearsal> {
  const dir = resolve(options.dir);
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, ".write-test"), "");
    rmSync(join(dir, ".write-test"));
  } catch (error) {
    throw new Error(`cannot write to --dir ${dir}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}; choose a writable directory`);
  }
  const log = options.log ?? (() => undefined);
  const pki = await prepareRehearsalPki(dir);
  const secretHeaderName = DEFAULT_SECRET_HEADER_NAME;
  const secretValue = randomBytes(32).toString("base64url");
  const accessLogPath = join(dir, "api-gateway-access.log");
  writeFileSync(accessLogPath, "");
  const origin = await startOrigin({ pki, port: options.originPort, secretHeaderName, secretValue, accessLogPath, log, allowEveryone: options.faults?.originAllowsEveryone });
  let edge: Listener;
  try {
    edge = await startEdge({ pki, port: options.edgePort, originPort: origin.port, secretHeaderName, secretValue, siteDir: REHEARSAL_SITE_DIR, log, mtlsOptional: options.faults?.edgeMtlsOptional });
  } catch (error) {
    await origin.close();
    throw error;
  }
  const edgeUrl = `https://localhost:${edge.port}`;
  const originUrl = `https://localhost:${origin.port}`;
  const identity = (name: keyof RehearsalPki["certificates"]) => ({ certPem: readFileSync(pki.certificates[name].crt, "utf8"), keyPem: pki.certificates[name].keyPem });
  return {
    pki,
    edge,
    origin,
    edgeUrl,
    originUrl,
    accessLogPath,
    secretHeaderName,
    close: async () => {
      await edge.close();
      await origin.close();
    },
    check: () =>
      runChecks({
        // Connect by IP (listeners bind 127.0.0.1 only), verify the name "localhost".
        edgeUrl: `https://127.0.0.1:${edge.port}`,
        apiUrl: `https://127.0.0.1:${origin.port}`,
        servername: "localhost",
        caPem: pki.bundlePem,
        user: identity("user"),
        revoked: identity("revoked"),
        foreign: identity("foreign"),
        accessLog: () => readFileSync(accessLogPath, "utf8").split("\n").filter(Boolean),
      }),
  };
}
