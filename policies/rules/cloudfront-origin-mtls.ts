import { customConfigOf, DISTRIBUTION_TYPES, isS3Origin, originsOf, ResourceRule } from "./rule";

/** Rule 1: every custom origin presents a client certificate (origin mTLS). */
export const cloudfrontOriginMtls: ResourceRule = {
  kind: "resource",
  name: "cloudfront-origin-mtls",
  description: "CloudFront custom origins (every origin whose domain is not an S3 bucket, whatever config block it carries) must present a client certificate (origin mTLS).",
  enforcementLevel: "mandatory",
  resourceTypes: DISTRIBUTION_TYPES,
  check(resource) {
    const problems: string[] = [];
    for (const origin of originsOf(resource).filter((o) => !isS3Origin(o))) {
      if (customConfigOf(resource, origin).get("originMtlsConfig").get("clientCertificateArn").text() !== undefined) continue;
      const disguise = origin.field.get("s3OriginConfig").exists() ? " (its s3OriginConfig does not make it an S3 origin: the domain is not an S3 bucket endpoint)" : "";
      problems.push(`${origin.label} has no origin mTLS${disguise}: set customOriginConfig.originMtlsConfig.clientCertificateArn to a clientAuth certificate imported into ACM in us-east-1 (OriginClientCertificate makes one)`);
    }
    return problems;
  },
};
