import { customConfigOf, DISTRIBUTION_TYPES, isS3Origin, originLabel, originsOf, ResourceRule } from "./rule";

const ALLOWED = new Set(["TLSv1.2", "TLSv1.3"]);

/** Rule 2: custom origins are reached over HTTPS only, TLS 1.2 or newer. */
export const cloudfrontOriginHttps: ResourceRule = {
  kind: "resource",
  name: "cloudfront-origin-https",
  description: "CloudFront custom origins must be https-only with only TLSv1.2 (or newer) origin protocols.",
  enforcementLevel: "mandatory",
  resourceTypes: DISTRIBUTION_TYPES,
  check(resource) {
    const problems: string[] = [];
    for (const origin of originsOf(resource.props).filter((o) => !isS3Origin(o))) {
      const config = customConfigOf(origin) ?? {};
      if (config.originProtocolPolicy !== "https-only") {
        problems.push(`${originLabel(origin)} uses originProtocolPolicy ${JSON.stringify(config.originProtocolPolicy ?? "(unset)")}; set "https-only"`);
      }
      const protocols: unknown[] = Array.isArray(config.originSslProtocols) ? config.originSslProtocols : [];
      const weak = protocols.filter((p) => typeof p === "string" && !ALLOWED.has(p));
      if (protocols.length === 0 || weak.length > 0) {
        problems.push(`${originLabel(origin)} allows origin protocols ${JSON.stringify(weak.length ? weak : protocols)}; set originSslProtocols to ["TLSv1.2"]`);
      }
    }
    return problems;
  },
};
