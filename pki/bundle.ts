import { createPrivateKey, X509Certificate } from "node:crypto";
import { PkiError } from "./errors";
import { readPemBlocks, toPem } from "./pem";

const PRIVATE_KEY_LABELS = new Set(["PRIVATE KEY", "EC PRIVATE KEY", "RSA PRIVATE KEY"]);

function certificate(der: Uint8Array, field: string): X509Certificate {
  try {
    return new X509Certificate(der);
  } catch (error) {
    throw new PkiError("PEM_INVALID", `${field}: not a readable certificate (${(error as Error).message})`, field);
  }
}

function singleCertificatePem(pem: string, field: string): { der: Uint8Array; parsed: X509Certificate } {
  const blocks = readPemBlocks(pem, field);
  if (blocks.length !== 1 || blocks[0]!.label !== "CERTIFICATE") {
    throw new PkiError("PEM_INVALID", `${field} must hold exactly one CERTIFICATE block; found ${blocks.map((b) => b.label).join(", ")}`, field);
  }
  return { der: blocks[0]!.der, parsed: certificate(blocks[0]!.der, field) };
}

/** True when `issuer` signed `subject` (names chain and the signature verifies). */
export function certifies(issuer: X509Certificate, subject: X509Certificate): boolean {
  return subject.checkIssued(issuer) && subject.verify(issuer.publicKey);
}

/**
 * The trust bundle CloudFront trust stores and API Gateway truststores read: the root, then the
 * issuing CA, PEM only, no blank lines and no comments (CloudFront refuses blank lines between
 * certificates). Checks that the issuing CA really is signed by the root and the root by itself.
 */
export function trustBundlePem(rootCaCertPem: string, issuingCaCertPem: string): string {
  const root = singleCertificatePem(rootCaCertPem, "rootCaCertPem");
  const issuing = singleCertificatePem(issuingCaCertPem, "issuingCaCertPem");
  if (!root.parsed.ca || !certifies(root.parsed, root.parsed)) {
    throw new PkiError("CHAIN_INVALID", "rootCaCertPem is not a self-signed CA certificate", "rootCaCertPem");
  }
  if (!issuing.parsed.ca || !certifies(root.parsed, issuing.parsed)) {
    throw new PkiError("CHAIN_INVALID", "issuingCaCertPem is not a CA certificate signed by the root", "issuingCaCertPem");
  }
  return toPem(root.der, "CERTIFICATE") + toPem(issuing.der, "CERTIFICATE");
}

/** The three ACM ImportCertificate inputs. */
export interface AcmImportParts {
  /** The leaf (ACM's "Certificate body"). */
  readonly certificatePem: string;
  /** Issuing CA then root (ACM's "Certificate chain"): each certifies the one before, root last. */
  readonly certificateChainPem: string;
  /** The unencrypted private key (ACM's "Certificate private key"). */
  readonly privateKeyPem: string;
}

/**
 * Splits the how-to's combined file (a key followed by leaf, issuing and root certificates, in any
 * block order as long as the certificates run leaf to root) into what ACM import takes — the step
 * the how-to does by copy-paste. Refuses a chain out of order or broken, a key that is not the
 * leaf's, an encrypted key, or a chain deeper than `maxDepth` certificates (CloudFront origin
 * mTLS: 3).
 */
export function splitForAcmImport(combinedPem: string, maxDepth = 3, field = "certificateFile"): AcmImportParts {
  const blocks = readPemBlocks(combinedPem, field);
  const keys = blocks.filter((b) => PRIVATE_KEY_LABELS.has(b.label));
  const certificates = blocks.filter((b) => b.label === "CERTIFICATE");
  const other = blocks.filter((b) => !PRIVATE_KEY_LABELS.has(b.label) && b.label !== "CERTIFICATE");
  if (other.length > 0) {
    throw new PkiError("PEM_INVALID", `${field} has a ${other[0]!.label} block; only an unencrypted private key and certificates are accepted (ACM cannot import encrypted keys)`, field);
  }
  if (keys.length !== 1) throw new PkiError("PEM_INVALID", `${field} must hold exactly one private key; found ${keys.length}`, field);
  if (certificates.length < 2) throw new PkiError("CHAIN_INVALID", `${field} must hold the leaf and its chain up to the root; found ${certificates.length} certificate(s)`, field);
  if (certificates.length > maxDepth) {
    throw new PkiError("CHAIN_INVALID", `${field} has a chain of ${certificates.length} certificates; at most ${maxDepth} (leaf, issuing, root) are accepted`, field);
  }
  const parsed = certificates.map((b, i) => certificate(b.der, `${field} certificate ${i + 1}`));
  for (let i = 0; i + 1 < parsed.length; i++) {
    if (!certifies(parsed[i + 1]!, parsed[i]!)) {
      throw new PkiError("CHAIN_INVALID", `${field}: certificate ${i + 2} (${parsed[i + 1]!.subject.replace(/\n/g, ", ")}) did not sign certificate ${i + 1}; the chain must run leaf, issuing CA, root`, field);
    }
  }
  const root = parsed[parsed.length - 1]!;
  if (!certifies(root, root)) throw new PkiError("CHAIN_INVALID", `${field}: the last certificate is not a self-signed root`, field);
  const keyPem = toPem(keys[0]!.der, keys[0]!.label);
  let privateKey;
  try {
    privateKey = createPrivateKey(keyPem);
  } catch (error) {
    throw new PkiError("PEM_INVALID", `${field}: the private key cannot be read (${(error as Error).message})`, field);
  }
  if (!parsed[0]!.checkPrivateKey(privateKey)) {
    throw new PkiError("CHAIN_INVALID", `${field}: the private key does not belong to the leaf certificate`, field);
  }
  return {
    certificatePem: toPem(certificates[0]!.der, "CERTIFICATE"),
    certificateChainPem: certificates.slice(1).map((b) => toPem(b.der, "CERTIFICATE")).join(""),
    privateKeyPem: keyPem,
  };
}
