import { DISTRIBUTION_TYPES, isS3Origin, originLabel, originsOf, ResourceRule, S3_WEBSITE_DOMAIN } from "./rule";

/** Rule 3: S3 origins use Origin Access Control (signing always, sigv4); no OAI, no website endpoints. */
export const cloudfrontS3Oac: ResourceRule = {
  kind: "resource",
  name: "cloudfront-s3-oac",
  description: "S3 origins must use Origin Access Control (no OAI, no website endpoint, no public bucket without OAC); the OAC must sign always with sigv4.",
  enforcementLevel: "mandatory",
  resourceTypes: [...DISTRIBUTION_TYPES, "aws:cloudfront/originAccessControl:OriginAccessControl"],
  check(resource) {
    if (resource.type === "aws:cloudfront/originAccessControl:OriginAccessControl") {
      const p = resource.props;
      if (p.originAccessControlOriginType !== undefined && p.originAccessControlOriginType !== "s3") return [];
      const problems: string[] = [];
      if (p.signingBehavior !== "always") problems.push(`Origin Access Control signs ${JSON.stringify(p.signingBehavior)}; set signingBehavior "always" so every request to S3 is signed`);
      if (p.signingProtocol !== "sigv4") problems.push(`Origin Access Control uses ${JSON.stringify(p.signingProtocol)}; set signingProtocol "sigv4"`);
      return problems;
    }
    const problems: string[] = [];
    for (const origin of originsOf(resource.props).filter(isS3Origin)) {
      if (typeof origin.domainName === "string" && S3_WEBSITE_DOMAIN.test(origin.domainName)) {
        problems.push(`${originLabel(origin)} is an S3 website endpoint, which cannot use Origin Access Control and must be public; use the bucket's REST endpoint (bucketRegionalDomainName) with an OAC`);
        continue;
      }
      const oai = origin.s3OriginConfig?.originAccessIdentity;
      if (typeof oai === "string" && oai !== "") problems.push(`${originLabel(origin)} uses an Origin Access Identity (legacy); use originAccessControlId with an Origin Access Control`);
      if (!("originAccessControlId" in origin) || origin.originAccessControlId === "" || origin.originAccessControlId === null) {
        problems.push(`${originLabel(origin)} has no Origin Access Control: the bucket would have to be readable without CloudFront; set originAccessControlId`);
      }
    }
    return problems;
  },
};
