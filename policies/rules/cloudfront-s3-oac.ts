import { DISTRIBUTION_TYPES, fieldsOf, isS3Origin, originsOf, ResourceRule } from "./rule";

const OAC = "aws:cloudfront/originAccessControl:OriginAccessControl";

/** Rule 3: S3 origins use Origin Access Control (signing always, sigv4); no OAI, no website endpoints. */
export const cloudfrontS3Oac: ResourceRule = {
  kind: "resource",
  name: "cloudfront-s3-oac",
  description: "S3 origins must use Origin Access Control (no OAI, no website endpoint, no public bucket without OAC); the OAC must sign always with sigv4.",
  enforcementLevel: "mandatory",
  resourceTypes: [...DISTRIBUTION_TYPES, OAC],
  check(resource) {
    if (resource.type === OAC) {
      const p = fieldsOf(resource);
      const originType = p.get("originAccessControlOriginType").text();
      if (originType !== undefined && originType.toLowerCase() !== "s3") return [];
      const problems: string[] = [];
      const signing = p.get("signingBehavior");
      if (signing.text() !== "always") problems.push(`Origin Access Control signs ${signing.describe()}; set signingBehavior "always" so every request to S3 is signed`);
      const protocol = p.get("signingProtocol");
      if (protocol.text() !== "sigv4") problems.push(`Origin Access Control uses ${protocol.describe()}; set signingProtocol "sigv4"`);
      return problems;
    }
    const problems: string[] = [];
    for (const origin of originsOf(resource).filter(isS3Origin)) {
      if (origin.target.kind === "s3-website") {
        problems.push(`${origin.label} is an S3 website endpoint, which cannot use Origin Access Control and must be public; use the bucket's REST endpoint (bucketRegionalDomainName) with an OAC`);
        continue;
      }
      if (origin.field.get("s3OriginConfig").get("originAccessIdentity").text() !== undefined) problems.push(`${origin.label} uses an Origin Access Identity (legacy); use originAccessControlId with an Origin Access Control`);
      if (origin.field.get("originAccessControlId").text() === undefined) problems.push(`${origin.label} has no Origin Access Control: the bucket would have to be readable without CloudFront; set originAccessControlId`);
    }
    return problems;
  },
};
