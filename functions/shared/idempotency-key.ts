import { createHmac } from "node:crypto";

/** ca-issuer takes idempotency keys of at most 128 characters. */
const MAX_KEY_LENGTH = 128;

/** What an idempotency key stands for: one certificate of one component of one stack in one period. */
export interface IdempotencyScope {
  readonly project: string;
  readonly stack: string;
  readonly component: string;
  /** The trust bundle, day or renewed serial, e.g. `b3f0c…` (bundle digest), `d20417`, `r1a2b…`. Never contains a dot. */
  readonly period: string;
}

/**
 * An idempotency key nobody without `secret` can compute ahead of time: a readable label (stack,
 * component, period) and an HMAC-SHA256, keyed by `secret`, over project, stack, component and
 * period. The same inputs give the same key, so a retried request within a period replays the
 * same certificate; another period, stack, component or secret gives another key.
 */
export function deriveIdempotencyKey(secret: string, scope: IdempotencyScope): string {
  const mac = createHmac("sha256", secret)
    .update(JSON.stringify(["edge-mtls idempotency key v1", scope.project, scope.stack, scope.component, scope.period]))
    .digest("base64url");
  const label = `${scope.stack}.${scope.component}.${scope.period}`.replace(/[^A-Za-z0-9._:/-]/g, "-").slice(0, MAX_KEY_LENGTH - mac.length - 1);
  return `${label}.${mac}`;
}

/**
 * The series an idempotency key of {@link deriveIdempotencyKey} belongs to: its label without the
 * period (`<stack>.<component>`), the same for every certificate one component of one stack has
 * had. Keys of another shape (the CLI's `cli-<uuid>`, a caller's own) have no series.
 */
export function idempotencySeries(idempotencyKey: string | undefined): string | undefined {
  if (!idempotencyKey) return undefined;
  const parts = idempotencyKey.split(".");
  // label segments (at least stack, component, period) then the 43-character base64url MAC
  if (parts.length < 4 || !/^[A-Za-z0-9_-]{43}$/.test(parts[parts.length - 1]!)) return undefined;
  const series = parts.slice(0, -2).join(".");
  return series.length > 0 ? series : undefined;
}
