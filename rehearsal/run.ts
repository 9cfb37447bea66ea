import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { startOrigin } from "./api-gateway";
import { prepareRehearsalPki, RehearsalPki } from "./certificates";
import { CheckResult, runChecks } from "./checks";
import { RehearsalAcm } from "./acm";
import { startEdge } from "./cloudfront";
import { rehearseRenewal } from "./renewal";
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
  /** The stand-in for the ACM certificate the edge presents to the origin. */
  readonly originCertificate: RehearsalAcm;
  /** Runs the how-to's Test section against the listeners. */
  check(): Promise<CheckResult[]>;
  /** Rehearses origin-cert-renewer on a short-lived origin certificate while viewers call the API (rehearsal/renewal.ts). */
  checkRenewal(): Promise<CheckResult>;
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
  const cloudfront = pki.certificates.cloudfront;
  const originCertificate = new RehearsalAcm("arn:aws:acm:us-east-1:000000000000:certificate/rehearsal-origin-client", { certificatePem: cloudfront.pem, chainPem: cloudfront.chainPem, privateKeyPem: cloudfront.keyPem });
  let edge: Listener;
  try {
    edge = await startEdge({ pki, port: options.edgePort, originPort: origin.port, secretHeaderName, secretValue, siteDir: REHEARSAL_SITE_DIR, log, mtlsOptional: options.faults?.edgeMtlsOptional, originCertificate: () => originCertificate.current() });
  } catch (error) {
    await origin.close();
    throw error;
  }
  const edgeUrl = `https://localhost:${edge.port}`;
  const originUrl = `https://localhost:${origin.port}`;
  const identity = (name: keyof RehearsalPki["certificates"]) => ({ certPem: readFileSync(pki.certificates[name].crt, "utf8"), keyPem: pki.certificates[name].keyPem });
  const accessLog = () => readFileSync(accessLogPath, "utf8").split("\n").filter(Boolean);
  // Connect by IP (listeners bind 127.0.0.1 only), verify the name "localhost".
  const byIp = { edgeUrl: `https://127.0.0.1:${edge.port}`, apiUrl: `https://127.0.0.1:${origin.port}`, servername: "localhost" };
  return {
    pki,
    edge,
    origin,
    edgeUrl,
    originUrl,
    accessLogPath,
    secretHeaderName,
    originCertificate,
    close: async () => {
      await edge.close();
      await origin.close();
    },
    check: () => runChecks({ ...byIp, caPem: pki.bundlePem, user: identity("user"), revoked: identity("revoked"), foreign: identity("foreign"), accessLog }),
    checkRenewal: () => rehearseRenewal({ ...byIp, pki, acm: originCertificate, user: identity("user"), accessLog, log }),
  };
}
