import { authorizerEvent as build } from "../../rehearsal/aws-events";

export const SECRET_HEADER = "X-Origin-Verify";
export const SECRET = "s3cr3t-value-that-cloudfront-adds-0123456789";

/** API Gateway's authorizer event for `certificatePem`, carrying the secret header unless told otherwise. */
export function authorizerEvent(certificatePem: string, headers: Record<string, string> = { [SECRET_HEADER]: SECRET }) {
  return build(certificatePem, headers);
}
