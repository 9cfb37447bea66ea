import { describe } from "../normalise";
import { customConfigOf, DISTRIBUTION_TYPES, isS3Origin, originsOf, ResourceRule } from "./rule";

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
    for (const origin of originsOf(resource).filter((o) => !isS3Origin(o))) {
      const config = customConfigOf(resource, origin);
      const policy = config.get("originProtocolPolicy");
      if (policy.text() !== "https-only") problems.push(`${origin.label} uses originProtocolPolicy ${policy.describe()}; set "https-only"`);
      const protocols = config.get("originSslProtocols").texts();
      const weak = protocols.filter((p) => !ALLOWED.has(p));
      if (protocols.length === 0 || weak.length > 0) problems.push(`${origin.label} allows origin protocols ${protocols.length ? describe(weak, 120) : "(unset)"}; set originSslProtocols to ["TLSv1.2"]`);
    }
    return problems;
  },
};
