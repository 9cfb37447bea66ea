import * as pulumi from "@pulumi/pulumi";
import { deriveIdempotencyKey } from "../functions/shared/idempotency-key";

export { deriveIdempotencyKey, IdempotencyScope } from "../functions/shared/idempotency-key";

/**
 * {@link deriveIdempotencyKey} for a component of this stack, keyed by a secret only the stack
 * holds (the component's own private key). The key stays a Pulumi secret, so it is not shown in
 * previews (PR comments) or plain state before the request that uses it has run.
 */
export function stackIdempotencyKey(secret: pulumi.Input<string>, component: string, period: pulumi.Input<string>): pulumi.Output<string> {
  return pulumi.secret(pulumi.all([secret, period]).apply(([value, at]) => deriveIdempotencyKey(value, { project: pulumi.getProject(), stack: pulumi.getStack(), component, period: at })));
}
