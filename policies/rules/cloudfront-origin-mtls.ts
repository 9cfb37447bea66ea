import { customConfigOf, DISTRIBUTION_TYPES, isS3Origin, originLabel, originsOf, ResourceRule } from "./rule";

/** Rule 1: every custom origin presents a client certificate (origin mTLS). */
export const cloudfrontOriginMtls: ResourceRule = {
  kind: "resource",
  name: "cloudfront-origin-mtls",
  description: "CloudFront custom origins must present a client certificate (origin mTLS).",
  enforcementLevel: "mandatory",
  resourceTypes: DISTRIBUTION_TYPES,
  check(resource) {
    return originsOf(resource.props)
      .filter((origin) => !isS3Origin(origin))
      .filter((origin) => {
        const mtls = customConfigOf(origin)?.originMtlsConfig;
        // The ARN itself may be unknown in a preview; the block must be there.
        return !mtls || (mtls.clientCertificateArn !== undefined && typeof mtls.clientCertificateArn !== "string") || mtls.clientCertificateArn === "";
      })
      .map((origin) => `${originLabel(origin)} has no origin mTLS: set customOriginConfig.originMtlsConfig.clientCertificateArn to a clientAuth certificate imported into ACM in us-east-1 (OriginClientCertificate makes one)`);
  },
};
