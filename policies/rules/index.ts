import { apigatewayDomainMtls } from "./apigateway-domain-mtls";
import { apigatewayExecuteApiDisabled } from "./apigateway-execute-api-disabled";
import { AWS_POLICY_RULES } from "./aws-rules";
import { cloudfrontOriginHttps } from "./cloudfront-origin-https";
import { cloudfrontOriginMtls } from "./cloudfront-origin-mtls";
import { cloudfrontS3Oac } from "./cloudfront-s3-oac";
import { cloudfrontViewerMtls } from "./cloudfront-viewer-mtls";
import { cloudfrontViewerTls } from "./cloudfront-viewer-tls";
import { noOpenOrigins } from "./no-open-origins";
import { originBucketPrivate } from "./origin-bucket-private";
import { originClientCertificate } from "./origin-client-certificate";
import { publicPkiBucket } from "./public-pki-bucket";
import type { EdgeRule } from "./rule";

/** Every rule of the edge-mtls-guard pack, in the order. */
export const RULES: readonly EdgeRule[] = [
  cloudfrontOriginMtls,
  cloudfrontOriginHttps,
  cloudfrontS3Oac,
  cloudfrontViewerMtls,
  cloudfrontViewerTls,
  apigatewayDomainMtls,
  apigatewayExecuteApiDisabled,
  originClientCertificate,
  originBucketPrivate,
  noOpenOrigins,
  publicPkiBucket,
  // AWS's control-plane rules, from the catalogue in offline/aws-rules.
  ...AWS_POLICY_RULES,
];
