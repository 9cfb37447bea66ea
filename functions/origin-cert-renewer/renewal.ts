import { X509Certificate } from "node:crypto";
import { inspectPublicKey } from "../../pki/key-algorithms";
import { caFingerprints } from "../../pki/origin-client-certificate";
import { normaliseSerial } from "../../pki/serial";

const DAY_MS = 86400_000;

/** The key types CloudFront accepts for origin mTLS. */
export type OriginKeyAlgorithm = "ecdsa-p256" | "rsa-2048";

/** The origin certificate as ACM holds it now, read from its PEMs. */
export interface CurrentCertificate {
  readonly serialHex: string;
  readonly notAfter: Date;
  /** The key type, which a re-import may not change (ACM: "The key type and size cannot be changed"). */
  readonly keyAlgorithm: OriginKeyAlgorithm;
  /** SHA-256 fingerprints of the chain ACM holds (issuing, root). */
  readonly chainSha256: readonly string[];
}

/** Why the renewal function renews, or that it does not. */
export type RenewalReason = "due" | "forced" | "other-ca" | "not-due";

/** Days until `notAfter`, to two decimals (negative once expired): the metric the expiry alarm watches. */
export function daysUntil(notAfter: Date, now: Date): number {
  return Math.round(((notAfter.getTime() - now.getTime()) / DAY_MS) * 100) / 100;
}

/**
 * Whether to renew now (pure): when fewer than `renewBeforeDays` days remain, when asked to
 * (`force`), or when the certificate in ACM was not issued by the CA this stack trusts (the CA
 * stack was replaced: the trust store already holds the new CA, so the old certificate must go).
 */
export function renewalDecision(current: CurrentCertificate, now: Date, options: { renewBeforeDays: number; force: boolean; trustedCaSha256: readonly string[] }): RenewalReason {
  if (options.force) return "forced";
  if (current.chainSha256.length === 0 || current.chainSha256.some((fp) => !options.trustedCaSha256.includes(fp))) return "other-ca";
  return current.notAfter.getTime() - now.getTime() < options.renewBeforeDays * DAY_MS ? "due" : "not-due";
}

/** Reads what the decision needs from the certificate and chain ACM returns (GetCertificate). */
export function describeCurrent(certificatePem: string, chainPem: string | undefined): CurrentCertificate {
  const x509 = new X509Certificate(certificatePem);
  const key = inspectPublicKey(new Uint8Array(x509.publicKey.export({ format: "der", type: "spki" })), "the certificate in ACM");
  if (key.algorithm.name !== "ecdsa-p256" && key.algorithm.name !== "rsa-2048") throw new Error(`the certificate in ACM has a ${key.algorithm.name} key; CloudFront origin mTLS needs ECDSA P-256 or RSA 2048`);
  return {
    serialHex: normaliseSerial(x509.serialNumber),
    notAfter: new Date(x509.validTo),
    keyAlgorithm: key.algorithm.name,
    chainSha256: chainPem && chainPem.trim() !== "" ? caFingerprints(chainPem) : [],
  };
}
