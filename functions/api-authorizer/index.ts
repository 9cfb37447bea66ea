import { readVerifiedCrl, VerifiedCrl } from "../../pki/crl-reader";
import { AUTHORIZER_ENV } from "../shared/contract";
import { jsonLogger, Logger } from "../shared/log";
import { checkCrlNumber } from "../shared/crl-order";
import { S3ObjectReader } from "../shared/s3-get";

export { checkCrlNumber };

export { AUTHORIZER_ENV };
import { AuthorizerPolicy, authorizerResponse, decide, RevocationStatus, RevokedSerials } from "./decide";

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

/** What a CRL fetch returns: the bytes (optionally with their ETag), or "unchanged since `etag`". */
export type CrlFetchResult = Uint8Array | { readonly body: Uint8Array; readonly etag?: string } | { readonly notModified: true };

/** Fetches the CRL; given the ETag of the CRL in hand, it may answer "not modified". */
export type CrlFetch = (previous: { readonly etag?: string }) => Promise<CrlFetchResult>;

/** The part of a verified CRL the cache keeps. */
export type CrlContent = Pick<VerifiedCrl, "nextUpdate" | "crlNumber"> & { readonly revoked: RevokedSerials };

/** Options of {@link cachedCrl}. */
export interface CachedCrlOptions {
  /** Reads and verifies the CRL (default `readVerifiedCrl`); tests at scale inject a reader. */
  readonly read?: (crl: Uint8Array, issuerPem: string, now: Date) => CrlContent;
  /** First wait after a failed fetch or a refused CRL; doubles per failure. Default 5 s. */
  readonly retryAfterMs?: number;
  /** Longest wait between attempts after failures. Default: the TTL. */
  readonly maxRetryAfterMs?: number;
  /**
   * How long a request waits for a refresh while a CRL that is still valid is in hand; past it the
   * request is decided on that CRL and the refresh carries on. Default 1 s: S3 that does not answer
   * (10 s per attempt, three attempts) must not run the 10 s authorizer into its timeout, which
   * would reset the container and lose the CRL it holds.
   */
  readonly refreshWaitMs?: number;
  readonly log?: Logger;
}

/**
 * A CRL source that fetches, verifies and caches. A verified CRL is reused for `ttlMs`, then
 * revalidated (a conditional GET when the fetch supports it). If a refresh fails, or brings a CRL
 * older than one already accepted, the last good CRL is kept until its own nextUpdate, and the
 * failure is remembered with exponential backoff, so a broken or missing CRL does not cost a fetch
 * per request; so is an unchanged ('not modified') CRL past its nextUpdate. While a valid CRL is in
 * hand a request waits at most `refreshWaitMs` for a refresh. Without any valid CRL, revocation
 * status is unknown and every request is denied.
 */
export function cachedCrl(fetch: CrlFetch | (() => Promise<Uint8Array>), issuingCaPem: string, ttlMs: number, clock: () => Date, options: CachedCrlOptions = {}): () => Promise<RevocationStatus> {
  const read = options.read ?? ((crl: Uint8Array, issuer: string, now: Date) => readVerifiedCrl(crl, issuer, now));
  const firstRetryMs = options.retryAfterMs ?? 5_000;
  const maxRetryMs = options.maxRetryAfterMs ?? Math.max(ttlMs, firstRetryMs);
  const refreshWaitMs = options.refreshWaitMs ?? 1_000;
  let good: { crl: CrlContent; checkedAt: number; etag?: string } | undefined;
  // The newest CRL number accepted, for this container only. A new container trusts the current
  // object: S3 serves the latest successful write ("Amazon S3 data consistency model",
  // https://docs.aws.amazon.com/AmazonS3/latest/userguide/Welcome.html#ConsistencyModel), the CA
  // publishes conditionally on the number, and only a CA-account principal can make an older CRL
  // current ("Restoring previous versions",
  // https://docs.aws.amazon.com/AmazonS3/latest/userguide/RestoringPreviousVersions.html): the
  // CA's writer roles can sign a CRL anyway, and an accidental restore is replaced by the next
  // ca-crl run. The README's "What a revocation guarantees" has the reasoning; tests pin it.
  let newest: bigint | undefined;
  let failure: { reason: string; count: number; retryAt: number } | undefined;
  let inFlight: Promise<void> | undefined;

  const current = (now: number, fallbackReason: string): RevocationStatus =>
    good && now < good.crl.nextUpdate.getTime() ? { available: true, revokedSerials: good.crl.revoked } : { available: false, reason: fallbackReason };

  const refresh = async (now: Date): Promise<void> => {
    try {
      const fetched = await (fetch as CrlFetch)({ etag: good?.etag });
      if (!(fetched instanceof Uint8Array) && "notModified" in fetched) {
        if (!good) throw new Error("the CRL store answered 'not modified' but no CRL is cached");
        // The CA has not published since: a CRL past its nextUpdate is a failure like any other (backed off).
        if (now.getTime() >= good.crl.nextUpdate.getTime()) throw new Error(`the CRL in the store is unchanged and past its nextUpdate (${good.crl.nextUpdate.toISOString()}): the CA has not published a newer one`);
        good = { ...good, checkedAt: now.getTime() };
      } else {
        const body = fetched instanceof Uint8Array ? fetched : fetched.body;
        const crl = read(body, issuingCaPem, now);
        newest = checkCrlNumber(newest, crl.crlNumber);
        good = { crl, checkedAt: now.getTime(), etag: fetched instanceof Uint8Array ? undefined : fetched.etag };
      }
      failure = undefined;
    } catch (error) {
      const count = (failure?.count ?? 0) + 1;
      const wait = Math.min(maxRetryMs, firstRetryMs * 2 ** (count - 1));
      failure = { reason: (error as Error).message, count, retryAt: now.getTime() + wait };
      options.log?.error("authorizer.crl_refresh_failed", { reason: failure.reason, failures: count, retryInSeconds: Math.round(wait / 1000) });
    }
  };

  return async () => {
    const now = clock();
    const t = now.getTime();
    const fresh = good && t - good.checkedAt < ttlMs && t < good.crl.nextUpdate.getTime();
    const backingOff = failure && t < failure.retryAt;
    if (!fresh && !backingOff) {
      inFlight ??= refresh(now).finally(() => (inFlight = undefined));
      if (good && t < good.crl.nextUpdate.getTime()) await waitAtMost(inFlight, refreshWaitMs);
      else await inFlight;
    }
    return current(t, failure?.reason ?? "no CRL");
  };
}

/** Resolves when `promise` settles (it never rejects) or after `ms`, whichever comes first. */
function waitAtMost(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
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
  return { allowedSubjects: subjects, secretHeaderName: need(AUTHORIZER_ENV.secretHeaderName), secretValues: secrets, issuingCaPem: need(AUTHORIZER_ENV.issuingCaPem) };
}

/** The CRL from S3 through the light signed GET, revalidated with its ETag. */
export function s3CrlFetch(bucket: string, key: string, reader = new S3ObjectReader(bucket)): CrlFetch {
  return async ({ etag }) => {
    const result = await reader.get(key, { ifNoneMatch: etag });
    return result.notModified ? { notModified: true } : { body: result.body, etag: result.etag };
  };
}

let deps: AuthorizerDeps | undefined;

/** The Lambda entry point. */
export async function handler(event: unknown) {
  if (!deps) {
    const env = process.env;
    const clock = () => new Date();
    const log = jsonLogger();
    const policy = readAuthorizerPolicy(env);
    const fetch = s3CrlFetch(env[AUTHORIZER_ENV.crlBucket] ?? "", env[AUTHORIZER_ENV.crlKey] ?? "");
    deps = {
      policy,
      revocation: cachedCrl(fetch, policy.issuingCaPem, Number(env[AUTHORIZER_ENV.crlCacheSeconds] ?? 300) * 1000, clock, { log }),
      clock,
      log,
    };
  }
  return handle(event, deps);
}
