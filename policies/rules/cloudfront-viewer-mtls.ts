import { isPublicPkiEndpoint, PUBLIC_PKI_TAG, publicPkiShapeProblems, taggedPublicPki } from "./public-pki";
import { ResourceRule } from "./rule";

/** Rule 4: viewers must present a certificate from the trust store. */
export const cloudfrontViewerMtls: ResourceRule = {
  kind: "resource",
  name: "cloudfront-viewer-mtls",
  description: "Distributions must require viewer mTLS with a trust store (viewerMtlsConfig.mode: required).",
  enforcementLevel: "mandatory",
  // MultitenantDistribution has no viewerMtlsConfig in @pulumi/aws 7: nothing to require there.
  resourceTypes: ["aws:cloudfront/distribution:Distribution"],
  check(resource) {
    // The CA's public CRL/certificate endpoint serves relying parties that have no client certificate.
    if (isPublicPkiEndpoint(resource.props)) return [];
    const shape = taggedPublicPki(resource.props) ? [`it is tagged ${PUBLIC_PKI_TAG.key}=${PUBLIC_PKI_TAG.value} but is not a public PKI endpoint (${publicPkiShapeProblems(resource.props).join("; ")}): only S3 origins behind OAC and GET/HEAD behaviours may go without viewer mTLS`] : [];
    const config = resource.props.viewerMtlsConfig;
    if (!config) return [...shape, "viewer mTLS is off: set viewerMtlsConfig { mode: \"required\", trustStoreConfig: { trustStoreId } } (TrustStore makes the trust store)"];
    const problems: string[] = [...shape];
    if (config.mode !== "required") problems.push(`viewerMtlsConfig.mode is ${JSON.stringify(config.mode ?? "(unset)")}: viewers without a certificate get in; set "required"`);
    if (!config.trustStoreConfig || config.trustStoreConfig.trustStoreId === "") problems.push("viewerMtlsConfig has no trustStoreConfig.trustStoreId: set it to the CA's trust store");
    if (config.trustStoreConfig?.ignoreCertificateExpiry === true) problems.push("viewerMtlsConfig.trustStoreConfig.ignoreCertificateExpiry is true: expired certificates get in; remove it");
    return problems;
  },
};
