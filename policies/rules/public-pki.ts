import { PUBLIC_PKI_PLAIN_HTTP_PATHS, PUBLIC_PKI_TAG } from "../../functions/shared/contract";
import type { Field } from "../normalise";
import { behavioursOf, fieldsOf, isS3Origin, originsOf, PolicyResource } from "./rule";

// The pack tells the CA's public PKI endpoint from the mTLS edge by PUBLIC_PKI_TAG (the
// PublicPkiEndpoint component sets it) and by its shape. Relying parties fetch CRLs and CA
// certificates without a client certificate and over plain HTTP (RFC 5280 §4.2.1.13, §4.2.2.1,
// §8), so such a distribution is exempt from viewer mTLS and may allow plain HTTP on CRL and
// certificate paths only. The tag alone is not enough.
export { PUBLIC_PKI_TAG };

/** True when a behaviour's path pattern is one a public PKI endpoint may serve over plain HTTP (CRLs, DER certificates). */
export function plainHttpAllowedPath(behaviour: Field): boolean {
  const pattern = behaviour.get("pathPattern").text();
  return pattern !== undefined && (PUBLIC_PKI_PLAIN_HTTP_PATHS as readonly string[]).includes(pattern.replace(/^\//, ""));
}

/** True when the distribution carries the public PKI tag (inputs `tags`, or `tagsAll` in an export). */
export function taggedPublicPki(resource: PolicyResource): boolean {
  const fields = fieldsOf(resource);
  const tags = fields.get("tags").exists() ? fields.get("tags") : fields.get("tagsAll");
  return tags.get(PUBLIC_PKI_TAG.key).text() === PUBLIC_PKI_TAG.value;
}

/**
 * Edge code a behaviour can run that may send a request to another origin than the declared ones:
 * a viewer-request CloudFront Function (`cf.updateRequestOrigin`) or an origin-request Lambda@Edge
 * function ("Helper methods for origin modification",
 * https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/helper-functions-origin-modification.html).
 */
const EDGE_CODE = { functionAssociations: "a CloudFront Function", lambdaFunctionAssociations: "Lambda@Edge" } as const;

/**
 * Why a tagged distribution does not have a public PKI endpoint's shape (empty when it has it):
 * only S3 REST origins, each behind an Origin Access Control, only GET/HEAD behaviours and no
 * edge code — nothing the tag could smuggle past the rules (no API origin, no writes, no function
 * that changes the origin).
 */
export function publicPkiShapeProblems(resource: PolicyResource): string[] {
  const problems: string[] = [];
  for (const origin of originsOf(resource)) {
    if (!isS3Origin(origin) || origin.target.kind !== "s3-rest") problems.push(`${origin.label} is not an S3 REST origin`);
    else if (origin.field.get("originAccessControlId").text() === undefined) problems.push(`${origin.label} has no Origin Access Control`);
  }
  for (const behaviour of behavioursOf(resource)) {
    const methods = behaviour.get("allowedMethods").texts();
    if (methods.some((m) => m !== "GET" && m !== "HEAD")) problems.push(`behaviour ${behaviour.get("pathPattern").text() ?? "(default)"} allows ${methods.join(", ")}`);
    for (const [key, what] of Object.entries(EDGE_CODE)) {
      if (behaviour.get(key).exists()) problems.push(`behaviour ${behaviour.get("pathPattern").text() ?? "(default)"} runs ${what} (${key}), which can send requests to another origin`);
    }
  }
  return problems;
}

/** True when the distribution is tagged as the public PKI endpoint and has its shape: the mTLS rules do not apply to it. */
export function isPublicPkiEndpoint(resource: PolicyResource): boolean {
  return taggedPublicPki(resource) && publicPkiShapeProblems(resource).length === 0;
}
