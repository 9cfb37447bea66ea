import { X509Certificate } from "node:crypto";
import { certifies } from "../../pki/bundle";
import { inspectPublicKey } from "../../pki/key-algorithms";
import { caFingerprints } from "../../pki/origin-client-certificate";
import { readPemBlocks } from "../../pki/pem";
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
  /** Where the chain ACM holds does not verify by signature (leaf ← issuing ← self-signed root); empty when it does. */
  readonly chainBreaks: readonly string[];
}

/** Why the renewal function renews, or that it does not. */
export type RenewalReason = "due" | "forced" | "other-ca" | "not-due";

/** Days until `notAfter`, to two decimals (negative once expired): the metric the expiry alarm watches. */
export function daysUntil(notAfter: Date, now: Date): number {
  return Math.round(((notAfter.getTime() - now.getTime()) / DAY_MS) * 100) / 100;
}

/**
 * Why the certificate in ACM does not chain to the trust bundle the function is configured with
 * (pure; undefined when it does): ACM must hold a chain, every certificate of it must be one of
 * the bundle's, and each must have signed the one before it, up to a self-signed root. Such a
 * certificate is refused by an API Gateway truststore holding only that bundle, whatever its
 * expiry date.
 */
export function untrustedChainReason(current: CurrentCertificate, trustedCaSha256: readonly string[]): string | undefined {
  if (current.chainSha256.length === 0) return "ACM holds no certificate chain for it";
  const foreign = current.chainSha256.map((fp, i) => ({ fp, position: i + 2 })).filter(({ fp }) => !trustedCaSha256.includes(fp));
  if (foreign.length > 0) return `chain ${foreign.map(({ fp, position }) => `certificate ${position} (SHA-256 ${fp})`).join(" and ")} ${foreign.length === 1 ? "is" : "are"} not in the trust bundle (the CA was re-created or its issuing CA rotated)`;
  if (current.chainBreaks.length > 0) return `its chain does not verify: ${current.chainBreaks.join("; ")}`;
  return undefined;
}

/**
 * Whether to renew now (pure): when asked to (`force`); at once, whatever the date, when the
 * certificate in ACM does not chain to the trust bundle ({@link untrustedChainReason}: the CA
 * stack was replaced or rotated its issuing CA, and API Gateway's truststore already holds the new
 * bundle, so the old certificate must go); when fewer than `renewBeforeDays` days remain.
 */
export function renewalDecision(current: CurrentCertificate, now: Date, options: { renewBeforeDays: number; force: boolean; trustedCaSha256: readonly string[] }): RenewalReason {
  if (options.force) return "forced";
  if (untrustedChainReason(current, options.trustedCaSha256) !== undefined) return "other-ca";
  return current.notAfter.getTime() - now.getTime() < options.renewBeforeDays * DAY_MS ? "due" : "not-due";
}

/** Reads what the decision needs from the certificate and chain ACM returns (GetCertificate). */
export function describeCurrent(certificatePem: string, chainPem: string | undefined): CurrentCertificate {
  const x509 = new X509Certificate(certificatePem);
  const key = inspectPublicKey(new Uint8Array(x509.publicKey.export({ format: "der", type: "spki" })), "the certificate in ACM");
  if (key.algorithm.name !== "ecdsa-p256" && key.algorithm.name !== "rsa-2048") throw new Error(`the certificate in ACM has a ${key.algorithm.name} key; CloudFront origin mTLS needs ECDSA P-256 or RSA 2048`);
  const hasChain = !!chainPem && chainPem.trim() !== "";
  const chain = hasChain ? readPemBlocks(chainPem, "the chain in ACM").map((b) => new X509Certificate(b.der)) : [];
  const chainBreaks: string[] = [];
  [x509, ...chain].forEach((certificate, i, all) => {
    const issuer = all[i + 1] ?? certificate;
    const last = i === all.length - 1;
    if (i === 0 && last) return;
    if (!certifies(issuer, certificate)) chainBreaks.push(last ? `certificate ${i + 1} (${nameOf(certificate)}) is not a self-signed root` : `certificate ${i + 2} (${nameOf(issuer)}) did not sign certificate ${i + 1} (${nameOf(certificate)})`);
  });
  return {
    serialHex: normaliseSerial(x509.serialNumber),
    notAfter: new Date(x509.validTo),
    keyAlgorithm: key.algorithm.name,
    chainSha256: hasChain ? caFingerprints(chainPem) : [],
    chainBreaks,
  };
}

const nameOf = (certificate: X509Certificate) => certificate.subject.replace(/\n/g, ", ");
