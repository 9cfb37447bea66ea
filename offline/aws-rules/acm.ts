import { AwsResourceRule, bytes, label } from "./rule";
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
    const { certificateBody, certificateChain, privateKey } = resource.props;
    const problems: string[] = [];
    if (typeof certificateBody === "string" && bytes(certificateBody) > 32768) problems.push(`${label(resource)}: certificateBody is ${bytes(certificateBody)} bytes; ACM accepts at most 32,768`);
    if (typeof certificateChain === "string" && bytes(certificateChain) > 2097152) problems.push(`${label(resource)}: certificateChain is ${bytes(certificateChain)} bytes; ACM accepts at most 2,097,152`);
    if (typeof privateKey === "string") {
      if (bytes(privateKey) > 5120) problems.push(`${label(resource)}: privateKey is ${bytes(privateKey)} bytes; ACM accepts at most 5,120`);
      if (/ENCRYPTED/.test(privateKey)) problems.push(`${label(resource)}: the private key is encrypted; ACM imports only unencrypted keys`);
    }
    return problems;
  },
};

export const ACM_RULES = [acmImportLimits];
