import { PUBLIC_PKI_PLAIN_HTTP_PATHS, PUBLIC_PKI_TAG } from "../../functions/shared/contract";
import { behavioursOf, isS3Origin, originLabel, originsOf } from "./rule";

// The pack tells the CA's public PKI endpoint from the mTLS edge by PUBLIC_PKI_TAG (the
// PublicPkiEndpoint component sets it) and by its shape. Relying parties fetch CRLs and CA
// certificates without a client certificate and over plain HTTP (RFC 5280 §4.2.1.13, §4.2.2.1,
// §8), so such a distribution is exempt from viewer mTLS and may allow plain HTTP on CRL and
// certificate paths only. The tag alone is not enough.
export { PUBLIC_PKI_TAG };

/** True when a behaviour's path pattern is one a public PKI endpoint may serve over plain HTTP (CRLs, DER certificates). */
export function plainHttpAllowedPath(pathPattern: unknown): boolean {
  return typeof pathPattern === "string" && (PUBLIC_PKI_PLAIN_HTTP_PATHS as readonly string[]).includes(pathPattern.replace(/^\//, ""));
}

/** True when the distribution carries the public PKI tag (inputs `tags`, or `tagsAll` in an export). */
export function taggedPublicPki(props: Record<string, any>): boolean {
  const tags = props.tags ?? props.tagsAll ?? {};
  return tags?.[PUBLIC_PKI_TAG.key] === PUBLIC_PKI_TAG.value;
}

/**
 * Why a tagged distribution does not have a public PKI endpoint's shape (empty when it has it):
 * only S3 origins, each behind an Origin Access Control, and only GET/HEAD behaviours — nothing
 * the tag could smuggle past the rules (no API origin, no writes).
 */
export function publicPkiShapeProblems(props: Record<string, any>): string[] {
  const problems: string[] = [];
  for (const origin of originsOf(props)) {
    if (!isS3Origin(origin)) problems.push(`${originLabel(origin)} is not an S3 origin`);
    else if (!origin.originAccessControlId) problems.push(`${originLabel(origin)} has no Origin Access Control`);
  }
  for (const behaviour of behavioursOf(props)) {
    const methods: unknown[] = Array.isArray(behaviour.allowedMethods) ? behaviour.allowedMethods : [];
    if (methods.some((m) => m !== "GET" && m !== "HEAD")) problems.push(`behaviour ${behaviour.pathPattern ?? "(default)"} allows ${methods.join(", ")}`);
  }
  return problems;
}

/** True when the distribution is tagged as the public PKI endpoint and has its shape: the mTLS rules do not apply to it. */
export function isPublicPkiEndpoint(props: Record<string, any>): boolean {
  return taggedPublicPki(props) && publicPkiShapeProblems(props).length === 0;
}
