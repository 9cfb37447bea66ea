import { X509Certificate } from "node:crypto";
import { PkiError } from "../../pki/errors";
import { inspectPublicKey } from "../../pki/key-algorithms";
import { EKU_OIDS } from "../../pki/profiles";
import { customConfigOf, fieldsOf, Finding, idsOf, isDistribution, originsOf, PolicyResource, StackRule } from "./rule";

function regionOf(resource: PolicyResource, arn: string): string | undefined {
  return resource.region ?? fieldsOf(resource).get("region").text() ?? arn.split(":")[3];
}

/** The key CloudFront accepts for origin mTLS, or why not. */
function keyProblem(certificate: PolicyResource, x509: X509Certificate): string | undefined {
  let name: string;
  try {
    name = inspectPublicKey(new Uint8Array(x509.publicKey.export({ format: "der", type: "spki" })), certificate.name).algorithm.name;
  } catch (error) {
    const why = error instanceof PkiError ? error.message : "its public key cannot be read";
    return `${certificate.name} has a key CloudFront refuses (${why}); CloudFront origin mTLS accepts only RSA 2048 or ECDSA P-256`;
  }
  return name === "ecdsa-p256" || name === "rsa-2048" ? undefined : `${certificate.name} has a ${name} key; CloudFront origin mTLS accepts only RSA 2048 or ECDSA P-256`;
}

/** Rule 8: a certificate CloudFront presents to an origin carries clientAuth, a usable key, and lives in us-east-1. */
export const originClientCertificate: StackRule = {
  kind: "stack",
  name: "origin-client-certificate",
  description: "A certificate used as a CloudFront origin client certificate must carry the clientAuth EKU, an RSA 2048 or ECDSA P-256 key, and be in us-east-1 (checked when its PEM is in the stack; an ACM-issued public certificate never carries clientAuth).",
  enforcementLevel: "mandatory",
  check(resources) {
    const used = new Set<string>();
    for (const distribution of resources.filter(isDistribution)) {
      for (const origin of originsOf(distribution)) {
        const arn = customConfigOf(distribution, origin).get("originMtlsConfig").get("clientCertificateArn").text();
        if (arn !== undefined) used.add(arn);
      }
    }
    const findings: Finding[] = [];
    for (const certificate of resources.filter((r) => r.type === "aws:acm/certificate:Certificate")) {
      const arn = idsOf(certificate).find((id) => used.has(id));
      if (arn === undefined) continue;
      const fields = fieldsOf(certificate);
      const body = fields.get("certificateBody").text();
      if (body === undefined) {
        // Requested from ACM rather than imported: since 11 June 2025 ACM's public certificates carry no clientAuth EKU.
        if (fields.get("certificateAuthorityArn").text() === undefined) findings.push({ resource: certificate, message: `${certificate.name} is used for origin mTLS but is a public certificate issued by ACM, which carries no clientAuth extended key usage; import a clientAuth certificate (OriginClientCertificate makes one)` });
        else findings.push({ resource: certificate, message: `${certificate.name} is issued by a private CA outside this stack: check that it carries clientAuth and an RSA 2048 or ECDSA P-256 key`, advisory: true });
        continue;
      }
      let x509: X509Certificate;
      try {
        x509 = new X509Certificate(body);
      } catch {
        findings.push({ resource: certificate, message: `${certificate.name}: the certificate body cannot be read as a PEM certificate; import the PEM of a clientAuth certificate` });
        continue;
      }
      if (!(x509.keyUsage ?? []).includes(EKU_OIDS.client_auth)) findings.push({ resource: certificate, message: `${certificate.name} is used for origin mTLS but lacks the clientAuth extended key usage; issue it with purpose client_auth (ACM-issued certificates never have it)` });
      const key = keyProblem(certificate, x509);
      if (key) findings.push({ resource: certificate, message: key });
      const region = regionOf(certificate, arn);
      if (region !== "us-east-1") findings.push({ resource: certificate, message: `${certificate.name} is in ${region?.slice(0, 40) ?? "an unknown region"}; CloudFront reads certificates only from us-east-1: create it with a us-east-1 provider` });
    }
    return findings;
  },
};
