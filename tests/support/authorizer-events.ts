import { X509Certificate } from "node:crypto";
import { formatAwsDate } from "../../functions/api-authorizer/aws-format";
import { formatName } from "../../pki/names";
import { readCertificatesPem } from "../../pki/pem";

export const SECRET_HEADER = "X-Edge-Mtls-Origin";
export const SECRET = "s3cr3t-value-that-cloudfront-adds-0123456789";

/**
 * A REST API REQUEST authorizer event as API Gateway builds it for a request over mTLS:
 * `requestContext.identity.clientCert` with the PEM, the DNs in API Gateway's form (certificate
 * order, comma-joined), the serial and the validity dates as `May 28 12:30:02 2019 GMT`.
 */
export function authorizerEvent(certificatePem: string, headers: Record<string, string> = { [SECRET_HEADER]: SECRET }) {
  const der = readCertificatesPem(certificatePem, "cert")[0]!;
  const cert = new X509Certificate(der);
  const { AsnConvert } = require("@peculiar/asn1-schema") as typeof import("@peculiar/asn1-schema");
  const { Certificate } = require("@peculiar/asn1-x509") as typeof import("@peculiar/asn1-x509");
  const parsed = AsnConvert.parse(der, Certificate);
  return {
    type: "REQUEST",
    methodArn: "arn:aws:execute-api:eu-west-2:222222222222:abc123/prod/POST/api",
    resource: "/api",
    path: "/api",
    httpMethod: "POST",
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
    requestContext: {
      requestId: "5e1564ef-43a9-4bfe-9748-d233c9cbd785",
      identity: {
        sourceIp: "3.172.1.201",
        clientCert: {
          clientCertPem: certificatePem,
          subjectDN: formatName(parsed.tbsCertificate.subject),
          issuerDN: formatName(parsed.tbsCertificate.issuer),
          serialNumber: cert.serialNumber.match(/../g)!.join(":"),
          validity: { notBefore: formatAwsDate(new Date(cert.validFrom)), notAfter: formatAwsDate(new Date(cert.validTo)) },
        },
      },
    },
  };
}
