import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { readVerifiedCrl } from "../../pki/crl-reader";
import { AUTHORIZER_ENV } from "../shared/contract";
import { jsonLogger, Logger } from "../shared/log";

export { AUTHORIZER_ENV };
import { AuthorizerPolicy, authorizerResponse, decide, RevocationStatus } from "./decide";

/** What the authorizer needs; `handler` builds it from the environment. */
export interface AuthorizerDeps {
  readonly policy: AuthorizerPolicy;
  /** The CA's current CRL, verified; the handler caches it. */
  readonly revocation: () => Promise<RevocationStatus>;
  readonly clock: () => Date;
  readonly log: Logger;
}

/** Decides one request; logs the decision and its reason (never the secret or the PEM). */
export async function handle(event: unknown, deps: AuthorizerDeps) {
  const now = deps.clock();
  let revocation: RevocationStatus;
  try {
    revocation = await deps.revocation();
  } catch (error) {
    revocation = { available: false, reason: (error as Error).message };
  }
  const decision = decide(event, deps.policy, revocation, now);
  deps.log.info("authorizer.decision", { allow: decision.allow, reason: decision.reason, subject: decision.subject, serialNumber: decision.serialNumber });
  return authorizerResponse(decision, (event as { methodArn?: unknown } | null)?.methodArn);
}

/**
 * A CRL source that fetches, verifies and caches: a verified CRL is reused for `ttlMs` and, if a
 * refresh fails, for as long as it is itself valid; without any valid CRL, revocation status is
 * unknown and every request is denied (fail closed).
 */
export function cachedCrl(fetch: () => Promise<Uint8Array>, issuingCaPem: string, ttlMs: number, clock: () => Date): () => Promise<RevocationStatus> {
  let cached: { serials: ReadonlySet<string>; fetchedAt: number; nextUpdate: number } | undefined;
  return async () => {
    const now = clock();
    if (cached && now.getTime() - cached.fetchedAt < ttlMs && now.getTime() < cached.nextUpdate) return { available: true, revokedSerials: cached.serials };
    try {
      const crl = readVerifiedCrl(await fetch(), issuingCaPem, now);
      cached = { serials: new Set(crl.revoked.keys()), fetchedAt: now.getTime(), nextUpdate: crl.nextUpdate.getTime() };
      return { available: true, revokedSerials: cached.serials };
    } catch (error) {
      if (cached && now.getTime() < cached.nextUpdate) return { available: true, revokedSerials: cached.serials };
      return { available: false, reason: (error as Error).message };
    }
  };
}

/** Reads the authorizer's configuration from its environment (pure). */
export function readAuthorizerPolicy(env: Record<string, string | undefined>): AuthorizerPolicy {
  const need = (name: string) => {
    const value = env[name];
    if (!value) throw new Error(`environment ${name} is not set`);
    return value;
  };
  const subjects = JSON.parse(need(AUTHORIZER_ENV.allowedSubjects));
  const secrets = JSON.parse(need(AUTHORIZER_ENV.secretValues));
  if (!Array.isArray(secrets) || secrets.length === 0 || !secrets.every((s) => typeof s === "string" && s.length >= 32)) {
    throw new Error(`environment ${AUTHORIZER_ENV.secretValues} must be a JSON list of secrets of at least 32 characters`);
  }
  return { allowedSubjects: subjects, secretHeaderName: need(AUTHORIZER_ENV.secretHeaderName), secretValues: secrets };
}

let deps: AuthorizerDeps | undefined;

/** The Lambda entry point. */
export async function handler(event: unknown) {
  if (!deps) {
    const env = process.env;
    const s3 = new S3Client({});
    const clock = () => new Date();
    const fetch = async () => {
      const object = await s3.send(new GetObjectCommand({ Bucket: env[AUTHORIZER_ENV.crlBucket], Key: env[AUTHORIZER_ENV.crlKey] }));
      return object.Body!.transformToByteArray();
    };
    deps = {
      policy: readAuthorizerPolicy(env),
      revocation: cachedCrl(fetch, env[AUTHORIZER_ENV.issuingCaPem] ?? "", Number(env[AUTHORIZER_ENV.crlCacheSeconds] ?? 300) * 1000, clock),
      clock,
      log: jsonLogger(),
    };
  }
  return handle(event, deps);
}
