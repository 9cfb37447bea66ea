import { isPublicPkiEndpoint, plainHttpAllowedPath } from "./public-pki";
import { behavioursOf, DISTRIBUTION_TYPES, fieldsOf, ResourceRule } from "./rule";

/** Viewer security policies of TLSv1.2_2021 or newer. */
export const MODERN_VIEWER_POLICIES = ["TLSv1.2_2021", "TLSv1.2_2025", "TLSv1.3_2025"];

const VIEWER_PROTOCOLS = ["https-only", "redirect-to-https"];

/** Rule 5: modern viewer TLS, no plain HTTP, no HTTP/3 with viewer mTLS. */
export const cloudfrontViewerTls: ResourceRule = {
  kind: "resource",
  name: "cloudfront-viewer-tls",
  description: "Viewer TLS must be TLSv1.2_2021 or newer; no behaviour may allow plain HTTP; HTTP/3 must be off when viewer mTLS is on.",
  enforcementLevel: "mandatory",
  resourceTypes: DISTRIBUTION_TYPES,
  check(resource) {
    const p = fieldsOf(resource);
    const problems: string[] = [];
    const certificate = p.get("viewerCertificate");
    const minimum = certificate.get("minimumProtocolVersion");
    if (certificate.get("cloudfrontDefaultCertificate").flag() === true) problems.push("the distribution uses the default *.cloudfront.net certificate, which allows TLSv1; use an ACM certificate with minimumProtocolVersion TLSv1.2_2021");
    else if (!MODERN_VIEWER_POLICIES.includes(minimum.text() ?? "")) problems.push(`viewerCertificate.minimumProtocolVersion is ${minimum.describe()}; set TLSv1.2_2021 or newer`);
    // The CA's public PKI endpoint may serve CRLs and DER certificates over plain HTTP, as relying parties fetch them (RFC 5280 §8).
    const publicPki = resource.type === "aws:cloudfront/distribution:Distribution" && isPublicPkiEndpoint(resource);
    for (const behaviour of behavioursOf(resource)) {
      const policy = behaviour.get("viewerProtocolPolicy");
      if (publicPki && policy.text() === "allow-all" && plainHttpAllowedPath(behaviour)) continue;
      if (!VIEWER_PROTOCOLS.includes(policy.text() ?? "")) {
        problems.push(`behaviour ${(behaviour.get("pathPattern").text() ?? "(default)").slice(0, 80)} has viewerProtocolPolicy ${policy.describe()}, which allows plain HTTP; set "https-only" or "redirect-to-https"${publicPki ? " (a public PKI endpoint may allow it only on *.crl and *.crt)" : ""}`);
      }
    }
    const httpVersion = p.get("httpVersion").text();
    if (p.get("viewerMtlsConfig").exists() && httpVersion !== undefined && /3/.test(httpVersion)) problems.push(`httpVersion ${JSON.stringify(httpVersion.slice(0, 20))} enables HTTP/3, which CloudFront does not allow with viewer mTLS; set "http2"`);
    return problems;
  },
};
