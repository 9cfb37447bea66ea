import { AsnConvert } from "@peculiar/asn1-schema";
import { AuthorityInfoAccessSyntax, Certificate, id_ad_ocsp, id_pe_authorityInfoAccess } from "@peculiar/asn1-x509";
import { clip } from "../../policies/normalise";
import { AwsResource, AwsResourceRule, bytes, fieldsOf, label, unlessHidden } from "./rule";
import { SOURCES } from "./sources";

export const acmImportLimits: AwsResourceRule = {
  id: "acm-import-limits",
  service: "ACM",
  scope: "resource",
  kind: "hard",
  summary: "An imported certificate body is at most 32 KB, its chain at most 2 MB (for CloudFront origin mTLS: 64 KB, see cloudfront-origin-client-certificate), its private key at most 5 KB and unencrypted.",
  awsError: "ValidationException (ImportCertificate)",
  sources: [SOURCES.acmImportApi, SOURCES.acmImport, SOURCES.cfOriginMtlsAcm],
  resourceTypes: ["aws:acm/certificate:Certificate"],
  check(resource) {
    const fields = fieldsOf(resource);
    const certificateBody = fields.get("certificateBody").text();
    const certificateChain = fields.get("certificateChain").text();
    const privateKey = unlessHidden(fields.get("privateKey"), (key) => key.text());
    const problems: string[] = [];
    if (certificateBody !== undefined && bytes(certificateBody) > 32768) problems.push(`${label(resource)}: certificateBody is ${bytes(certificateBody)} bytes; ACM accepts at most 32,768`);
    if (certificateChain !== undefined && bytes(certificateChain) > 2097152) problems.push(`${label(resource)}: certificateChain is ${bytes(certificateChain)} bytes; ACM accepts at most 2,097,152`);
    if (privateKey !== undefined) {
      if (bytes(privateKey) > 5120) problems.push(`${label(resource)}: privateKey is ${bytes(privateKey)} bytes; ACM accepts at most 5,120`);
      if (/ENCRYPTED/.test(privateKey)) problems.push(`${label(resource)}: the private key is encrypted; ACM imports only unencrypted keys`);
    }
    return problems;
  },
};

/** The key algorithms of a public certificate ACM issues. */
export const ACM_PUBLIC_KEY_ALGORITHMS = ["RSA_2048", "EC_prime256v1", "EC_secp384r1"] as const;

export const acmRequestedCertificate: AwsResourceRule = {
  id: "acm-requested-certificate",
  service: "ACM",
  scope: "resource",
  kind: "hard",
  summary: "A requested (public) certificate's domain name is at most 64 characters (the subject CN, RFC 5280) and a DNS name; its key RSA_2048, EC_prime256v1 or EC_secp384r1; its validation DNS or EMAIL.",
  awsError: "ValidationException / InvalidDomainValidationOptionsException (RequestCertificate)",
  sources: [SOURCES.acmRequestApi, SOURCES.acmPublic],
  resourceTypes: ["aws:acm/certificate:Certificate"],
  check(resource) {
    const fields = fieldsOf(resource);
    // An imported certificate (certificateBody) or a private one (certificateAuthorityArn) is not requested from ACM's public CA.
    if (fields.get("certificateBody").exists() || fields.get("certificateAuthorityArn").exists()) return [];
    const domain = fields.get("domainName").text();
    if (domain === undefined) return [];
    const problems: string[] = [];
    if (domain.length > 64) problems.push(`${label(resource)}: domainName ${clip(domain, 120)} has ${domain.length} characters; ACM puts it in the subject CN, at most 64 characters (RFC 5280)`);
    if (!/^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i.test(domain)) problems.push(`${label(resource)}: domainName ${clip(domain, 120)} is not a fully qualified DNS name`);
    const algorithm = fields.get("keyAlgorithm").text();
    if (algorithm !== undefined && !(ACM_PUBLIC_KEY_ALGORITHMS as readonly string[]).includes(algorithm)) problems.push(`${label(resource)}: keyAlgorithm ${clip(algorithm, 40)}; ACM issues public certificates with ${ACM_PUBLIC_KEY_ALGORITHMS.join(", ")}`);
    const method = fields.get("validationMethod").text();
    if (method !== undefined && method !== "DNS" && method !== "EMAIL") problems.push(`${label(resource)}: validationMethod ${clip(method, 40)}; ACM validates public certificates by DNS or EMAIL`);
    return problems;
  },
};

/** Longest OCSP URL (authority information access) ACM imports, in characters. */
export const MAX_OCSP_URL_LENGTH = 1000;

/** The first certificate of a PEM text, parsed (undefined: none readable). */
function firstCertificate(pem: string): Certificate | undefined {
  const match = /-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]+)-----END CERTIFICATE-----/.exec(pem);
  if (!match) return undefined;
  try {
    return AsnConvert.parse(Buffer.from(match[1]!.replace(/\s+/g, ""), "base64"), Certificate);
  } catch {
    return undefined;
  }
}

/** The OCSP URLs of a certificate's authority information access extension; undefined when it is not readable DER. */
function ocspUrls(certificate: Certificate): string[] | undefined {
  const extension = certificate.tbsCertificate.extensions?.find((e) => e.extnID === id_pe_authorityInfoAccess);
  if (!extension) return [];
  try {
    return AsnConvert.parse(extension.extnValue.buffer, AuthorityInfoAccessSyntax)
      .filter((access) => access.accessMethod === id_ad_ocsp)
      .flatMap((access) => (access.accessLocation.uniformResourceIdentifier === undefined ? [] : [access.accessLocation.uniformResourceIdentifier]));
  } catch {
    return undefined;
  }
}

/**
 * What ACM checks in the certificate it imports, `now` being the import. A certificate past its
 * notAfter is refused only where the props describe a fresh import (the offline mocks): a stack
 * export or a preview carries the body imported when the resource was created, and the renewer
 * re-imports renewed certificates outside Pulumi, so an old recorded body says nothing of ACM's.
 */
export function importedCertificateProblems(resource: AwsResource, body: string, now: Date): string[] {
  const certificate = firstCertificate(body);
  if (certificate === undefined) return [`${label(resource)}: certificateBody holds no readable PEM X.509 certificate`];
  const problems: string[] = [];
  const { notBefore, notAfter } = certificate.tbsCertificate.validity;
  const [from, until] = [notBefore.getTime(), notAfter.getTime()]; // Dates
  if (from.getTime() > now.getTime()) problems.push(`${label(resource)}: the certificate is not valid before ${from.toISOString()}; ACM imports a certificate only between its Not Before and Not After`);
  if (resource.declaredOnly && until.getTime() < now.getTime()) problems.push(`${label(resource)}: the certificate expired on ${until.toISOString()}; ACM imports a certificate only between its Not Before and Not After`);
  if (certificate.tbsCertificate.issuer.length === 0) problems.push(`${label(resource)}: the certificate's Issuer field is empty; ACM requires one`);
  const urls = ocspUrls(certificate);
  if (urls === undefined) problems.push(`${label(resource)}: the certificate's authority information access extension is not readable DER`);
  for (const url of urls ?? []) {
    if (url.length > MAX_OCSP_URL_LENGTH) problems.push(`${label(resource)}: its OCSP URL has ${url.length} characters; ACM imports at most ${MAX_OCSP_URL_LENGTH.toLocaleString("en-US")}`);
  }
  return problems;
}

export const acmImportedCertificate: AwsResourceRule = {
  id: "acm-import-certificate-fields",
  service: "ACM",
  scope: "resource",
  kind: "hard",
  summary: "An imported certificate is valid at import (Not Before ≤ now ≤ Not After), has a non-empty Issuer, and an OCSP URL (if any) of at most 1,000 characters; a re-import under the same ARN keeps the key type and size.",
  awsError: "ValidationException (ImportCertificate)",
  sources: [SOURCES.acmImportApi, SOURCES.acmImport, SOURCES.acmReimport],
  notOffline:
    "An expired certificate is refused where a deployment imports it (the offline mocks); the pack and policy:check --state read the body recorded when the resource was created (the renewer re-imports renewed certificates outside Pulumi), so they flag only a certificate not yet valid, an empty Issuer and a long OCSP URL. The key type kept across a re-import is known only against the deployed certificate: OriginClientCertificate replaces the ACM certificate when its private key changes (replaceOnChanges), and the renewer keeps the configured key algorithm.",
  resourceTypes: ["aws:acm/certificate:Certificate"],
  check(resource) {
    const body = fieldsOf(resource).get("certificateBody").text();
    return body === undefined ? [] : importedCertificateProblems(resource, body, new Date());
  },
};

export const ACM_RULES = [acmImportLimits, acmImportedCertificate, acmRequestedCertificate];
