import { isPublicPkiEndpoint, plainHttpAllowedPath } from "./public-pki";
import { behavioursOf, DISTRIBUTION_TYPES, ResourceRule } from "./rule";

/** Viewer security policies of TLSv1.2_2021 or newer. */
export const MODERN_VIEWER_POLICIES = ["TLSv1.2_2021", "TLSv1.2_2025", "TLSv1.3_2025"];

/** Rule 5: modern viewer TLS, no plain HTTP, no HTTP/3 with viewer mTLS. */
export const cloudfrontViewerTls: ResourceRule = {
  kind: "resource",
  name: "cloudfront-viewer-tls",
  description: "Viewer TLS must be TLSv1.2_2021 or newer; no behaviour may allow plain HTTP; HTTP/3 must be off when viewer mTLS is on.",
  enforcementLevel: "mandatory",
  resourceTypes: DISTRIBUTION_TYPES,
  check(resource) {
    const p = resource.props;
    const problems: string[] = [];
    const certificate = p.viewerCertificate ?? {};
    if (certificate.cloudfrontDefaultCertificate === true) problems.push("the distribution uses the default *.cloudfront.net certificate, which allows TLSv1; use an ACM certificate with minimumProtocolVersion TLSv1.2_2021");
    else if (!MODERN_VIEWER_POLICIES.includes(certificate.minimumProtocolVersion)) {
      problems.push(`viewerCertificate.minimumProtocolVersion is ${JSON.stringify(certificate.minimumProtocolVersion ?? "(unset)")}; set TLSv1.2_2021 or newer`);
    }
    // The CA's public PKI endpoint may serve CRLs and DER certificates over plain HTTP, as relying parties fetch them (RFC 5280 §8).
    const publicPki = isPublicPkiEndpoint(p);
    for (const behaviour of behavioursOf(p)) {
      if (behaviour.viewerProtocolPolicy !== "allow-all") continue;
      if (publicPki && plainHttpAllowedPath(behaviour.pathPattern)) continue;
      problems.push(`behaviour ${behaviour.pathPattern ?? "(default)"} allows plain HTTP; set viewerProtocolPolicy "https-only" or "redirect-to-https"${publicPki ? " (a public PKI endpoint may allow it only on *.crl and *.crt)" : ""}`);
    }
    if (p.viewerMtlsConfig && typeof p.httpVersion === "string" && /3/.test(p.httpVersion)) problems.push(`httpVersion ${p.httpVersion} enables HTTP/3, which CloudFront does not allow with viewer mTLS; set "http2"`);
    return problems;
  },
};
