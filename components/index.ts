/**
 * edge-mtls's Pulumi components, for other Pulumi programs:
 *
 *   import { ServerlessCa, TrustStore, S3Origin, MtlsApi, OriginClientCertificate, OriginCertificateRenewer, ViewerRevocation, MtlsDistribution } from "edge-mtls/components";
 *
 * The Lambda functions they deploy come prebuilt with the package (dist/lambda/), so a program
 * needs neither the function sources nor esbuild. The CA stack and workload stack programs
 * (ca-stack/, workload-stack/) show how they fit together.
 */
export { ServerlessCa, DEFAULT_NAME_POLICIES } from "./serverless-ca";
export type { CaKeySpec, ServerlessCaArgs } from "./serverless-ca";
export { TrustStore } from "./trust-store";
export type { TrustStoreArgs } from "./trust-store";
export { S3Origin, s3OriginPolicy } from "./s3-origin";
export type { S3OriginArgs } from "./s3-origin";
export { MtlsApi } from "./mtls-api";
export type { MtlsApiArgs } from "./mtls-api";
export { OriginClientCertificate } from "./origin-client-certificate";
export type { OriginClientCertificateArgs } from "./origin-client-certificate";
export { ViewerRevocation } from "./viewer-revocation";
export type { ViewerRevocationArgs } from "./viewer-revocation";
export { MtlsDistribution } from "./mtls-distribution";
export { OriginCertificateRenewer } from "./origin-certificate-renewer";
export type { OriginCertificateRenewerArgs } from "./origin-certificate-renewer";
export { PublicPkiEndpoint } from "./public-pki-endpoint";
export type { PublicPkiEndpointArgs } from "./public-pki-endpoint";
export { validatedCertificate } from "./validated-certificate";
export type { MtlsDistributionArgs } from "./mtls-distribution";
export { OriginSmokeTest, SMOKE_TEST_SUBJECT } from "./origin-smoke-test";
export type { OriginSmokeTestArgs } from "./origin-smoke-test";
export { BundledFunction, functionErrorAlarm, lambdaRole } from "./bundled-function";
export type { BundledFunctionArgs } from "./bundled-function";
export { bundleFunction, lambdaFunctionNames } from "./lambda-bundle";
export type { LambdaBundle } from "./lambda-bundle";
export { ACCESS_LOG_FIELDS, FORWARDED_VIEWER_HEADERS, MANAGED_POLICIES, VIEWER_CERT_HEADERS, checkOriginClientCertificate, cloudFrontTrustBundle } from "./edge-rules";
export { ARTIFACT_KEYS } from "../functions/shared/contract";
