import { createPrivateKey, createPublicKey, X509Certificate } from "node:crypto";
import { ACMClient, GetCertificateCommand, ImportCertificateCommand } from "@aws-sdk/client-acm";
import { mockClient } from "aws-sdk-client-mock";
import { awsError } from "./kms-mock";

/** One certificate as the fake ACM holds it. */
export interface AcmEntry {
  certificatePem: string;
  chainPem: string;
  privateKeyPem: string;
}

const keyType = (pem: string) => {
  const details = new X509Certificate(pem).publicKey;
  return `${details.asymmetricKeyType}:${details.asymmetricKeyDetails?.namedCurve ?? details.asymmetricKeyDetails?.modulusLength}`;
};

/**
 * ACM's ImportCertificate and GetCertificate over a map, with the import rules the ACM API
 * reference and "Reimport a certificate" (ACM User Guide) state: the key must match the
 * certificate and be at most 5 KB, the certificate must be valid at import time, and a re-import
 * keeps the ARN, may not change the key type or size and may not drop extended key usages.
 * `failNextImport` makes the next import fail as ACM would with that error.
 */
export function memoryAcm(now: () => Date) {
  const certificates = new Map<string, AcmEntry>();
  const imports: string[] = [];
  let failure: Error | undefined;
  const acm = mockClient(ACMClient);
  acm.on(GetCertificateCommand).callsFake((input) => {
    const entry = certificates.get(input.CertificateArn!);
    if (!entry) throw awsError("ResourceNotFoundException", `Could not find certificate ${input.CertificateArn}`);
    return { Certificate: entry.certificatePem, CertificateChain: entry.chainPem };
  });
  acm.on(ImportCertificateCommand).callsFake((input) => {
    if (failure) {
      const error = failure;
      failure = undefined;
      throw error;
    }
    const text = (value: unknown) => Buffer.from(value as Uint8Array).toString("utf8");
    const entry: AcmEntry = { certificatePem: text(input.Certificate), chainPem: text(input.CertificateChain), privateKeyPem: text(input.PrivateKey) };
    const x509 = new X509Certificate(entry.certificatePem);
    if (Buffer.byteLength(entry.privateKeyPem) > 5120) throw awsError("ValidationException", "The private key length exceeds 5 KB");
    if (!x509.checkPrivateKey(createPrivateKey(entry.privateKeyPem))) throw awsError("ValidationException", "The private key is not supported or does not match the certificate");
    const at = now().getTime();
    if (at < new Date(x509.validFrom).getTime() || at > new Date(x509.validTo).getTime()) throw awsError("ValidationException", "The certificate is not valid at the current time");
    const arn = input.CertificateArn ?? `arn:aws:acm:us-east-1:222222222222:certificate/${certificates.size + 1}`;
    const previous = certificates.get(arn);
    if (input.CertificateArn && !previous) throw awsError("ResourceNotFoundException", `Could not find certificate ${arn}`);
    if (previous) {
      if (keyType(previous.certificatePem) !== keyType(entry.certificatePem)) throw awsError("ValidationException", "The key type and size cannot be changed when reimporting");
      const dropped = (new X509Certificate(previous.certificatePem).keyUsage ?? []).filter((oid) => !(x509.keyUsage ?? []).includes(oid));
      if (dropped.length) throw awsError("ValidationException", `Extended key usages cannot be removed on reimport: ${dropped.join(", ")}`);
    }
    certificates.set(arn, entry);
    imports.push(arn);
    return { CertificateArn: arn };
  });
  return {
    acm,
    certificates,
    /** ARNs of the successful imports, in order. */
    imports,
    failNextImport: (error: Error) => void (failure = error),
    /** True when the stored key is the private half of the stored certificate's public key. */
    keyMatches: (arn: string) => {
      const entry = certificates.get(arn)!;
      const fromKey = createPublicKey(createPrivateKey(entry.privateKeyPem)).export({ format: "der", type: "spki" });
      return Buffer.from(fromKey).equals(new X509Certificate(entry.certificatePem).publicKey.export({ format: "der", type: "spki" }));
    },
    restore: () => acm.restore(),
  };
}
