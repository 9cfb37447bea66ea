import { clip } from "../../policies/normalise";
import { AwsResourceRule, bytes, fieldsOf, label, unlessHidden } from "./rule";
import { SOURCES } from "./sources";

export const acmImportLimits: AwsResourceRule = {
  id: "acm-import-limits",
  service: "ACM",
  scope: "resource",
  kind: "hard",
  summary: "An imported certificate body is at most 32 KB, its chain at most 2 MB (CloudFront origin mTLS: 64 KB), its private key at most 5 KB and unencrypted.",
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

export const ACM_RULES = [acmImportLimits, acmRequestedCertificate];
