import { AsnConvert, OctetString } from "@peculiar/asn1-schema";
import { Extension as AsnExtension, id_ce_subjectKeyIdentifier, SubjectKeyIdentifier } from "@peculiar/asn1-x509";
import type { CertificateProfile, KeyUsageName } from "./profiles";
import { x509 } from "./x509";

/** A subject alternative name the CA certifies: DNS names and IP addresses. */
export interface SubjectAltName {
  readonly type: "dns" | "ip";
  readonly value: string;
}

const KEY_USAGE_FLAGS: Readonly<Record<KeyUsageName, number>> = {
  digitalSignature: x509.KeyUsageFlags.digitalSignature,
  keyEncipherment: x509.KeyUsageFlags.keyEncipherment,
  keyCertSign: x509.KeyUsageFlags.keyCertSign,
  cRLSign: x509.KeyUsageFlags.cRLSign,
};

function der(extension: x509.Extension): Uint8Array {
  return new Uint8Array(extension.rawData);
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("hex");
}

/**
 * The extensions a profile puts in every certificate it issues under one issuer: basicConstraints
 * and keyUsage (critical), EKU, AKI, CRL distribution points, AIA and certificate policies.
 * They do not change from one certificate to the next, so issuers encode them once.
 */
export function profileExtensions(profile: CertificateProfile, authorityKeyIdentifier: Uint8Array): Uint8Array[] {
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(profile.basicConstraints.ca, profile.basicConstraints.pathLength, true),
    new x509.KeyUsagesExtension(profile.keyUsage.reduce((flags, usage) => flags | KEY_USAGE_FLAGS[usage], 0), true),
  ];
  if (profile.extendedKeyUsage.length > 0) extensions.push(new x509.ExtendedKeyUsageExtension([...profile.extendedKeyUsage], false));
  extensions.push(new x509.AuthorityKeyIdentifierExtension(hex(authorityKeyIdentifier), false));
  if (profile.crlUrls.length > 0) extensions.push(new x509.CRLDistributionPointsExtension([...profile.crlUrls], false));
  if (profile.caIssuersUrls.length > 0) {
    extensions.push(new x509.AuthorityInfoAccessExtension({ caIssuers: profile.caIssuersUrls.map((url) => new x509.GeneralName("url", url)) }, false));
  }
  if (profile.policyOids.length > 0) extensions.push(new x509.CertificatePolicyExtension([...profile.policyOids], false));
  return extensions.map(der);
}

/** The extensions that differ per certificate: SKI (the subject's key id) and, when there are any, SANs. */
export function subjectExtensions(subjectKeyIdentifier: Uint8Array, sans: readonly SubjectAltName[], subjectIsEmpty: boolean): Uint8Array[] {
  // Built from the asn1-x509 classes directly: this runs once per certificate, on the hot path.
  const ski = new AsnExtension({
    extnID: id_ce_subjectKeyIdentifier,
    critical: false,
    extnValue: new OctetString(AsnConvert.serialize(new SubjectKeyIdentifier(Uint8Array.from(subjectKeyIdentifier)))),
  });
  const extensions: Uint8Array[] = [new Uint8Array(AsnConvert.serialize(ski))];
  // RFC 5280 §4.2.1.6: with an empty subject the SAN extension must be critical.
  if (sans.length > 0) extensions.push(der(new x509.SubjectAlternativeNameExtension(sans.map((s) => ({ type: s.type, value: s.value })), subjectIsEmpty)));
  return extensions;
}
