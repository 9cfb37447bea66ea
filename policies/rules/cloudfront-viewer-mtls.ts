import { describe, hostOf } from "../normalise";
import { isPublicPkiEndpoint, PUBLIC_PKI_TAG, publicPkiShapeProblems, taggedPublicPki } from "./public-pki";
import { fieldsOf, PolicyResource, ResourceRule } from "./rule";

const DISTRIBUTION = "aws:cloudfront/distribution:Distribution";
const AMPLIFY_APP = "aws:amplify/app:App";

/**
 * Edge resources of @pulumi/aws 7 that serve viewers in front of an origin but have no setting
 * that makes viewers present a certificate: the pack cannot judge them, so each is a finding
 * (exempt it, with the reason, when it is meant to be public).
 */
export const EDGES_WITHOUT_VIEWER_MTLS: Readonly<Record<string, string>> = {
  "aws:cloudfront/multitenantDistribution:MultitenantDistribution":
    "a MultitenantDistribution has no viewerMtlsConfig in @pulumi/aws 7, so viewers reach its origins without a certificate; serve mTLS traffic from a Distribution with viewerMtlsConfig",
  "aws:cloudfront/distributionTenant:DistributionTenant":
    "a DistributionTenant serves its multi-tenant distribution's origins on its own domains, and neither has a viewer mTLS setting in @pulumi/aws 7; serve mTLS traffic from a Distribution with viewerMtlsConfig",
  "aws:lightsail/distribution:Distribution":
    "a Lightsail distribution has no viewer (or origin) client-certificate setting, so it cannot require mTLS; use a CloudFront Distribution with viewerMtlsConfig",
};

/** An Amplify app's rules that proxy to another host (a 200 rewrite, or 404-200, to an absolute URL): Amplify then fronts that origin. */
function amplifyProxyTargets(app: PolicyResource): string[] {
  return fieldsOf(app)
    .get("customRules")
    .items()
    .filter((rule) => rule.get("status").text()?.includes("200") === true)
    .map((rule) => rule.get("target").text() ?? "")
    .filter((target) => /^[a-z][a-z0-9+.-]*:\/\//i.test(target.trim()));
}

/** Rule 4: viewers must present a certificate from the trust store. */
export const cloudfrontViewerMtls: ResourceRule = {
  kind: "resource",
  name: "cloudfront-viewer-mtls",
  description:
    "Distributions must require viewer mTLS with a trust store (viewerMtlsConfig.mode: required). Edge resources that cannot require it (MultitenantDistribution, DistributionTenant, Lightsail distributions, Amplify apps that proxy to another origin) are findings unless exempted.",
  enforcementLevel: "mandatory",
  resourceTypes: [DISTRIBUTION, ...Object.keys(EDGES_WITHOUT_VIEWER_MTLS), AMPLIFY_APP],
  check(resource) {
    if (resource.type === AMPLIFY_APP) {
      const targets = amplifyProxyTargets(resource);
      if (targets.length === 0) return [];
      const hosts = [...new Set(targets.map((t) => describe(hostOf(t.trim()) ?? t, 80)))];
      return [`an Amplify app proxies to ${hosts.slice(0, 3).join(", ")}${hosts.length > 3 ? ", …" : ""} (customRules with status 200) and Amplify Hosting has no viewer mTLS; front the origin with a CloudFront Distribution with viewerMtlsConfig, or exempt the app`];
    }
    // The CA's public CRL/certificate endpoint serves relying parties that have no client certificate.
    if (resource.type === DISTRIBUTION && isPublicPkiEndpoint(resource)) return [];
    const shape = resource.type === DISTRIBUTION && taggedPublicPki(resource) ? [`it is tagged ${PUBLIC_PKI_TAG.key}=${PUBLIC_PKI_TAG.value} but is not a public PKI endpoint (${publicPkiShapeProblems(resource).join("; ")}): only S3 origins behind OAC, GET/HEAD behaviours and no edge functions may go without viewer mTLS`] : [];
    const unsupported = EDGES_WITHOUT_VIEWER_MTLS[resource.type];
    const config = fieldsOf(resource).get("viewerMtlsConfig");
    // A MultitenantDistribution is judged like a Distribution once a provider version can set viewerMtlsConfig on it.
    if (unsupported !== undefined && !(resource.type.endsWith(":MultitenantDistribution") && config.exists())) return [`${unsupported}; or exempt it if it is meant to be public`];
    if (!config.exists()) return [...shape, 'viewer mTLS is off: set viewerMtlsConfig { mode: "required", trustStoreConfig: { trustStoreId } } (TrustStore makes the trust store)'];
    const problems: string[] = [...shape];
    const mode = config.get("mode");
    if (mode.text() !== "required") problems.push(`viewerMtlsConfig.mode is ${mode.describe()}: viewers without a certificate get in; set "required"`);
    const trustStore = config.get("trustStoreConfig");
    if (trustStore.get("trustStoreId").text() === undefined) problems.push("viewerMtlsConfig has no trustStoreConfig.trustStoreId: set it to the CA's trust store");
    const ignoreExpiry = trustStore.get("ignoreCertificateExpiry").flag();
    if (ignoreExpiry !== undefined && ignoreExpiry !== false) problems.push("viewerMtlsConfig.trustStoreConfig.ignoreCertificateExpiry is true: expired certificates get in; remove it");
    return problems;
  },
};
