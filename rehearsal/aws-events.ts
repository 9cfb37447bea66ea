import { X509Certificate } from "node:crypto";
import { AsnConvert } from "@peculiar/asn1-schema";
import { Certificate } from "@peculiar/asn1-x509";
import { formatAwsDate } from "../functions/api-authorizer/aws-format";
import { formatName } from "../pki/names";
import { readCertificatesPem, toPem } from "../pki/pem";
import { serialHexToDecimal } from "../pki/serial";

/** API Gateway's `clientCert` object for a client certificate (REST API mTLS). */
export function apiGatewayClientCert(certificate: string | Uint8Array) {
  const der = typeof certificate === "string" ? readCertificatesPem(certificate, "certificate")[0]! : certificate;
  const parsed = AsnConvert.parse(der, Certificate);
  const x509 = new X509Certificate(der);
  return {
    clientCertPem: toPem(der, "CERTIFICATE"),
    // API Gateway writes DNs in certificate order, comma-joined (see the how-to's access log).
    subjectDN: formatName(parsed.tbsCertificate.subject),
    issuerDN: formatName(parsed.tbsCertificate.issuer),
    serialNumber: x509.serialNumber.toLowerCase().match(/../g)!.join(":"),
    serialDecimal: serialHexToDecimal(x509.serialNumber),
    validity: { notBefore: formatAwsDate(new Date(x509.validFrom)), notAfter: formatAwsDate(new Date(x509.validTo)) },
  };
}

/** A REST API REQUEST authorizer event as API Gateway builds it for a request over mTLS. */
export function authorizerEvent(certificate: string | Uint8Array, headers: Record<string, string>, request: { method?: string; path?: string; requestId?: string; sourceIp?: string; methodArn?: string; resource?: string } = {}) {
  const { serialDecimal: _decimal, ...clientCert } = apiGatewayClientCert(certificate);
  const method = request.method ?? "POST";
  const path = request.path ?? "/api";
  return {
    type: "REQUEST",
    methodArn: request.methodArn ?? `arn:aws:execute-api:eu-west-2:222222222222:rehearsal/prod/${method}${path}`,
    resource: request.resource ?? path,
    path,
    httpMethod: method,
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
    requestContext: { requestId: request.requestId ?? "5e1564ef-43a9-4bfe-9748-d233c9cbd785", identity: { sourceIp: request.sourceIp ?? "3.172.1.201", clientCert } },
  };
}
