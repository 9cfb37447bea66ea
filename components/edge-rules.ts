import { X509Certificate } from "node:crypto";
import { AsnConvert } from "@peculiar/asn1-schema";
import { Certificate } from "@peculiar/asn1-x509";
import { inspectPublicKey, SIGNATURE_ALGORITHM_HASHES } from "../pki/key-algorithms";
import { BACKEND_VIEWER_CERT_HEADERS } from "../functions/shared/contract";
import { readPemBlocks, toPem } from "../pki/pem";

/** CloudFront managed policy ids (AWS documentation). */
export const MANAGED_POLICIES = {
  cachingOptimized: "658327ea-f89d-4fab-a63d-7e88639e58f6",
  cachingDisabled: "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
  allViewerExceptHostHeader: "b689b0a8-53d0-40ab-baf2-68738e2966ac",
  allViewer: "216adef6-5c7f-47e4-b989-5492eafa07d3",
} as const;

/** The CloudFront-Viewer-Cert-* headers CloudFront can pass to the origin. */
export const VIEWER_CERT_HEADERS = [
  "CloudFront-Viewer-Cert-Present",
  "CloudFront-Viewer-Cert-Serial-Number",
  "CloudFront-Viewer-Cert-Subject",
  "CloudFront-Viewer-Cert-Issuer",
  "CloudFront-Viewer-Cert-Validity",
  "CloudFront-Viewer-Cert-Sha256",
  "CloudFront-Viewer-Cert-Pem",
] as const;

/**
 * Viewer headers the API receives besides the viewer-certificate ones: only what the backend
 * needs (Content-Type, to read the body); never Host. CloudFront adds User-Agent itself.
 */
export const FORWARDED_VIEWER_HEADERS = ["Content-Type"];

/**
 * The headers the `/api*` origin request policy forwards: the viewer headers above and the
 * CloudFront-Viewer-Cert-* headers api-backend reads (BACKEND_VIEWER_CERT_HEADERS), within
 * CloudFront's default quota of 10 headers per policy.
 */
export const API_ORIGIN_REQUEST_HEADERS: readonly string[] = [...FORWARDED_VIEWER_HEADERS, ...Object.values(BACKEND_VIEWER_CERT_HEADERS)];

/**
 * The API Gateway access-log record, as the how-to shows it: the client-certificate fields (which,
 * behind CloudFront, describe CloudFront's origin certificate) plus request and error fields.
 * Field name → `$context` variable.
 */
export const ACCESS_LOG_FIELDS: Readonly<Record<string, string>> = {
  certIssuerDN: "$context.identity.clientCert.issuerDN",
  certNotAfter: "$context.identity.clientCert.validity.notAfter",
  certNotBefore: "$context.identity.clientCert.validity.notBefore",
  certPEM: "$context.identity.clientCert.clientCertPem",
  certSerialNumber: "$context.identity.clientCert.serialNumber",
  certSubjectDN: "$context.identity.clientCert.subjectDN",
  errorMessage: "$context.error.message",
  errorResponseType: "$context.error.responseType",
  extendedRequestId: "$context.extendedRequestId",
  httpMethod: "$context.httpMethod",
  integrationError: "$context.integration.error",
  integrationStatus: "$context.integration.status",
  ip: "$context.identity.sourceIp",
  protocol: "$context.protocol",
  requestId: "$context.requestId",
  requestTime: "$context.requestTime",
  routeKey: "$context.routeKey",
  status: "$context.status",
};

/** The access-log format string for a stage: one JSON object per request. */
export function accessLogFormat(): string {
  return JSON.stringify(Object.fromEntries(Object.entries(ACCESS_LOG_FIELDS).map(([name, variable]) => [name, variable])));
}

/**
 * The trust bundle as CloudFront trust stores accept it: X.509v3 CA certificates only, PEM, no
 * blank lines or comments; RSA 2048/3072/4096 or ECDSA P-256/P-384 keys; SHA-256/384/512
 * signatures. Anything else is refused with the certificate and the reason.
 */
export function cloudFrontTrustBundle(bundlePem: string): string {
  const blocks = readPemBlocks(bundlePem, "trustBundlePem");
  if (blocks.some((b) => b.label !== "CERTIFICATE")) throw new Error("trustBundlePem must hold only CERTIFICATE blocks");
  for (const [index, block] of blocks.entries()) {
    const certificate = new X509Certificate(block.der);
    const where = `trustBundlePem certificate ${index + 1} (${certificate.subject.replace(/\n/g, ", ")})`;
    if (!certificate.ca) throw new Error(`${where} is not a CA certificate`);
    const key = inspectPublicKey(new Uint8Array(certificate.publicKey.export({ format: "der", type: "spki" })), where);
    if (key.algorithm.name === "ecdsa-p521") throw new Error(`${where} has a P-521 key, which CloudFront trust stores do not accept`);
    const signatureOid = AsnConvert.parse(block.der, Certificate).signatureAlgorithm.algorithm;
    if (!(signatureOid in SIGNATURE_ALGORITHM_HASHES)) throw new Error(`${where} is signed with ${signatureOid}; CloudFront accepts SHA-256/384/512 with RSA or ECDSA`);
  }
  return blocks.map((b) => toPem(b.der, "CERTIFICATE")).join("");
}

/** The origin client certificate check lives in pki/ (the renewal function runs it too); kept here for the component. */
export { checkOriginClientCertificate } from "../pki/origin-client-certificate";
