import { verify, X509Certificate } from "node:crypto";
import { AsnConvert } from "@peculiar/asn1-schema";
import { Certificate, CertificateList, CRLNumber, id_ce_cRLNumber } from "@peculiar/asn1-x509";
import { PkiError } from "./errors";
import { SIGNATURE_ALGORITHM_HASHES } from "./key-algorithms";
import { looksLikePem, readPemBlocks } from "./pem";
import { normaliseSerial } from "./serial";

/** A CRL whose signature, issuer and freshness were checked. */
export interface VerifiedCrl {
  /** Revoked serials, normalised (lowercase hex, no leading zeros), with their revocation date. */
  readonly revoked: ReadonlyMap<string, Date>;
  readonly thisUpdate: Date;
  readonly nextUpdate: Date;
  readonly crlNumber?: number;
}

/**
 * Reads a CRL (DER or PEM) and accepts it only if the issuing CA signed it, it names that CA as
 * its issuer, and it is current at `now` (thisUpdate ≤ now < nextUpdate). Relying parties must
 * never act on an unverified or stale CRL: CRL_INVALID / CRL_STALE otherwise.
 */
export function readVerifiedCrl(crl: Uint8Array | string, issuerCertificatePem: string, now: Date): VerifiedCrl {
  const der = typeof crl === "string" || looksLikePem(crl) ? readPemBlocks(typeof crl === "string" ? crl : Buffer.from(crl).toString("utf8"), "crl").find((b) => b.label === "X509 CRL")?.der : crl;
  if (!der) throw new PkiError("CRL_INVALID", "no X509 CRL block found", "crl");
  let list: CertificateList;
  try {
    list = AsnConvert.parse(der, CertificateList);
  } catch (error) {
    throw new PkiError("CRL_INVALID", `the CRL cannot be read: ${(error as Error).message}`, "crl");
  }
  const issuer = new X509Certificate(issuerCertificatePem);
  const hash = SIGNATURE_ALGORITHM_HASHES[list.signatureAlgorithm.algorithm];
  const signed = list.tbsCertListRaw;
  let valid = false;
  try {
    valid = !!hash && !!signed && verify(hash, new Uint8Array(signed), issuer.publicKey, new Uint8Array(list.signature));
  } catch {
    valid = false;
  }
  if (!valid) throw new PkiError("CRL_INVALID", "the CRL's signature does not verify with the issuing CA's key", "crl");
  const issuerNameDer = new Uint8Array(AsnConvert.serialize(AsnConvert.parse(issuer.raw, Certificate).tbsCertificate.subject));
  const crlIssuerDer = new Uint8Array(AsnConvert.serialize(list.tbsCertList.issuer));
  if (!Buffer.from(issuerNameDer).equals(Buffer.from(crlIssuerDer))) throw new PkiError("CRL_INVALID", "the CRL names another issuer than the issuing CA", "crl");
  const thisUpdate = list.tbsCertList.thisUpdate.getTime();
  const nextUpdate = list.tbsCertList.nextUpdate?.getTime();
  if (!nextUpdate) throw new PkiError("CRL_INVALID", "the CRL has no nextUpdate", "crl");
  if (now.getTime() < thisUpdate.getTime() - 5 * 60_000 || now.getTime() >= nextUpdate.getTime()) {
    throw new PkiError("CRL_STALE", `the CRL is valid from ${thisUpdate.toISOString()} to ${nextUpdate.toISOString()}, not at ${now.toISOString()}`, "crl");
  }
  const revoked = new Map<string, Date>();
  for (const entry of list.tbsCertList.revokedCertificates ?? []) {
    revoked.set(normaliseSerial(Buffer.from(entry.userCertificate).toString("hex")), entry.revocationDate.getTime());
  }
  const numberExtension = list.tbsCertList.crlExtensions?.find((e) => e.extnID === id_ce_cRLNumber);
  return { revoked, thisUpdate, nextUpdate, crlNumber: numberExtension ? AsnConvert.parse(numberExtension.extnValue, CRLNumber).value : undefined };
}
