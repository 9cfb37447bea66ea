import { X509Certificate } from "node:crypto";
import { inspectPublicKey } from "../../pki/key-algorithms";
import { EKU_OIDS } from "../../pki/profiles";
import { customConfigOf, DISTRIBUTION_TYPES, Finding, originsOf, PolicyResource, StackRule } from "./rule";

function arnOf(resource: PolicyResource): string | undefined {
  return resource.outputs?.arn ?? resource.outputs?.id ?? resource.props.arn;
}

function regionOf(resource: PolicyResource, arn: string | undefined): string | undefined {
  return resource.region ?? resource.props.region ?? arn?.split(":")[3];
}

/** Rule 8: a certificate CloudFront presents to an origin carries clientAuth, a usable key, and lives in us-east-1. */
export const originClientCertificate: StackRule = {
  kind: "stack",
  name: "origin-client-certificate",
  description: "A certificate used as a CloudFront origin client certificate must carry the clientAuth EKU, an RSA 2048 or ECDSA P-256 key, and be in us-east-1 (checked when its PEM is in the stack).",
  enforcementLevel: "mandatory",
  check(resources) {
    const used = new Set<string>();
    for (const distribution of resources.filter((r) => (DISTRIBUTION_TYPES as readonly string[]).includes(r.type))) {
      for (const origin of originsOf(distribution.props)) {
        const arn = customConfigOf(origin)?.originMtlsConfig?.clientCertificateArn;
        if (typeof arn === "string") used.add(arn);
      }
    }
    const findings: Finding[] = [];
    for (const certificate of resources.filter((r) => r.type === "aws:acm/certificate:Certificate")) {
      const arn = arnOf(certificate);
      if (!arn || !used.has(arn) || typeof certificate.props.certificateBody !== "string") continue;
      let x509: X509Certificate;
      try {
        x509 = new X509Certificate(certificate.props.certificateBody);
      } catch {
        findings.push({ resource: certificate, message: `${certificate.name}: the certificate body cannot be read` });
        continue;
      }
      if (!(x509.keyUsage ?? []).includes(EKU_OIDS.client_auth)) findings.push({ resource: certificate, message: `${certificate.name} is used for origin mTLS but lacks the clientAuth extended key usage; issue it with purpose client_auth (ACM-issued certificates never have it)` });
      const key = inspectPublicKey(new Uint8Array(x509.publicKey.export({ format: "der", type: "spki" })), certificate.name);
      if (key.algorithm.name !== "ecdsa-p256" && key.algorithm.name !== "rsa-2048") findings.push({ resource: certificate, message: `${certificate.name} has a ${key.algorithm.name} key; CloudFront origin mTLS accepts only RSA 2048 or ECDSA P-256` });
      const region = regionOf(certificate, arn);
      if (region !== "us-east-1") findings.push({ resource: certificate, message: `${certificate.name} is in ${region ?? "an unknown region"}; CloudFront reads certificates only from us-east-1: create it with a us-east-1 provider` });
    }
    return findings;
  },
};
