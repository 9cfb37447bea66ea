import { createHmac } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";

/** ca-issuer takes idempotency keys of at most 128 characters. */
const MAX_KEY_LENGTH = 128;

/** What an idempotency key stands for: one certificate of one component of one stack in one period. */
export interface IdempotencyScope {
  readonly project: string;
  readonly stack: string;
  readonly component: string;
  /** The renewal window or day, e.g. `w347`. */
  readonly period: string;
}

/**
 * An idempotency key nobody without `secret` can compute ahead of time: a readable label (stack,
 * component, period) and an HMAC-SHA256, keyed by `secret`, over project, stack, component and
 * period. The same inputs give the same key, so a retried `pulumi up` within a period replays the
 * same certificate and shows no diff; another period, stack, component or secret gives another key.
 */
export function deriveIdempotencyKey(secret: string, scope: IdempotencyScope): string {
  const mac = createHmac("sha256", secret)
    .update(JSON.stringify(["edge-mtls idempotency key v1", scope.project, scope.stack, scope.component, scope.period]))
    .digest("base64url");
  const label = `${scope.stack}.${scope.component}.${scope.period}`.replace(/[^A-Za-z0-9._:/-]/g, "-").slice(0, MAX_KEY_LENGTH - mac.length - 1);
  return `${label}.${mac}`;
}

/**
 * {@link deriveIdempotencyKey} for a component of this stack, keyed by a secret only the stack
 * holds (the component's own private key). The key stays a Pulumi secret, so it is not shown in
 * previews (PR comments) or plain state before the request that uses it has run.
 */
export function stackIdempotencyKey(secret: pulumi.Input<string>, component: string, period: string): pulumi.Output<string> {
  return pulumi.secret(pulumi.output(secret).apply((value) => deriveIdempotencyKey(value, { project: pulumi.getProject(), stack: pulumi.getStack(), component, period })));
}
