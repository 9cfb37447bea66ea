import { createHash, X509Certificate } from "node:crypto";
import { certifies } from "./bundle";
import { inspectPublicKey } from "./key-algorithms";
import { readPemBlocks } from "./pem";
import { EKU_OIDS } from "./profiles";

const sha256Hex = (der: Uint8Array): string => createHash("sha256").update(der).digest("hex");

/** What besides the certificate itself the origin-certificate check can be given. */
export interface OriginCertificateCheckOptions {
  /**
   * SHA-256 fingerprints (lower-case hex of the DER) of the CA's certificates, from
   * {@link caFingerprints}: when given, every certificate of the chain must be one of these, so
   * "chains to the CA" means this CA and no other.
   */
  readonly trustedCaSha256?: readonly string[];
  /** When given, the leaf must be valid at this time (ACM refuses to import one that is not). */
  readonly now?: Date;
}

/**
 * Checks a certificate for CloudFront origin mTLS before it is imported: the clientAuth EKU, an
 * RSA 2048 or ECDSA P-256 key, a chain of at most 3 certificates (leaf, issuing, root) of at most
 * 64 KB, each certifying the one before; with `trustedCaSha256`, a chain made only of that CA's
 * certificates; with `now`, a leaf valid at that time. Throws an Error naming what is wrong.
 * Shared by the Pulumi component (first import) and the renewal function (every re-import).
 */
export function checkOriginClientCertificate(certificatePem: string, chainPem: string, options: OriginCertificateCheckOptions = {}): void {
  const leaf = new X509Certificate(certificatePem);
  const chainBlocks = readPemBlocks(chainPem, "chainPem");
  const chain = chainBlocks.map((b) => new X509Certificate(b.der));
  if (1 + chain.length > 3) throw new Error(`the origin client certificate chain has ${1 + chain.length} certificates; CloudFront accepts at most 3`);
  if (Buffer.byteLength(certificatePem + chainPem) > 64 * 1024) throw new Error("the origin client certificate chain exceeds 64 KB");
  const key = inspectPublicKey(new Uint8Array(leaf.publicKey.export({ format: "der", type: "spki" })), "origin client certificate");
  if (key.algorithm.name !== "ecdsa-p256" && key.algorithm.name !== "rsa-2048") throw new Error(`the origin client certificate has a ${key.algorithm.name} key; CloudFront accepts only RSA 2048 or ECDSA P-256`);
  // node's X509Certificate.keyUsage lists the extended key usage OIDs.
  if (!(leaf.keyUsage ?? []).includes(EKU_OIDS.client_auth)) throw new Error("the origin client certificate lacks the clientAuth extended key usage");
  [leaf, ...chain].forEach((certificate, i, all) => {
    const issuer = all[i + 1];
    if (issuer && !certifies(issuer, certificate)) throw new Error(`origin client chain: certificate ${i + 2} did not sign certificate ${i + 1}`);
  });
  if (options.trustedCaSha256 !== undefined) {
    chain.forEach((certificate, i) => {
      if (!options.trustedCaSha256!.includes(sha256Hex(certificate.raw))) throw new Error(`origin client chain: certificate ${i + 2} (${certificate.subject.replace(/\n/g, ", ")}) is not one of the CA's certificates`);
    });
    const top = chain[chain.length - 1]!;
    if (!certifies(top, top)) throw new Error("origin client chain: it does not end in the CA's self-signed root");
  }
  if (options.now !== undefined) {
    const at = options.now.getTime();
    if (at < new Date(leaf.validFrom).getTime() || at > new Date(leaf.validTo).getTime()) {
      throw new Error(`the origin client certificate is not valid now (${options.now.toISOString()}); it is valid from ${new Date(leaf.validFrom).toISOString()} to ${new Date(leaf.validTo).toISOString()}`);
    }
  }
}


/** The SHA-256 fingerprints (lower-case hex of the DER) of every certificate of a PEM bundle: what {@link checkOriginClientCertificate} pins. */
export function caFingerprints(bundlePem: string): string[] {
  return readPemBlocks(bundlePem, "trustBundlePem").map((b) => sha256Hex(b.der));
}

/**
 * The digest of a trust bundle: SHA-256 over the DER of its certificates, in order (lower-case
 * hex). Two bundles with the same certificates in the same order have the same digest however
 * their PEM is laid out; a new root or issuing CA gives another one. The origin client
 * certificate's issuance is keyed on it, so a new bundle means a new certificate.
 */
export function trustBundleDigest(bundlePem: string): string {
  const hash = createHash("sha256");
  for (const block of readPemBlocks(bundlePem, "trustBundlePem")) hash.update(block.der);
  return hash.digest("hex");
}
