import { AsnConvert, OctetString } from "@peculiar/asn1-schema";
import {
  AccessDescription,
  AuthorityInfoAccessSyntax,
  AuthorityKeyIdentifier,
  BasicConstraints,
  CertificatePolicies,
  CRLDistributionPoints,
  DistributionPoint,
  DistributionPointName,
  ExtendedKeyUsage,
  Extension as AsnExtension,
  GeneralName,
  id_ad_caIssuers,
  id_ce_authorityKeyIdentifier,
  id_ce_basicConstraints,
  id_ce_certificatePolicies,
  id_ce_cRLDistributionPoints,
  id_ce_extKeyUsage,
  id_ce_keyUsage,
  id_ce_subjectAltName,
  id_pe_authorityInfoAccess,
  KeyIdentifier,
  KeyUsage,
  KeyUsageFlags,
  PolicyInformation,
  SubjectAlternativeName,
} from "@peculiar/asn1-x509";
import { encodeElement, TAG } from "./der";
import { parseIpAddress } from "./ip-address";
import type { CertificateProfile, KeyUsageName } from "./profiles";

/** A subject alternative name the CA certifies: DNS names and IP addresses. */
export interface SubjectAltName {
  readonly type: "dns" | "ip";
  readonly value: string;
}

const KEY_USAGE_FLAGS: Readonly<Record<KeyUsageName, number>> = {
  digitalSignature: KeyUsageFlags.digitalSignature,
  keyEncipherment: KeyUsageFlags.keyEncipherment,
  keyCertSign: KeyUsageFlags.keyCertSign,
  cRLSign: KeyUsageFlags.cRLSign,
};

/** The Extension object for `value` (any asn1-schema class), with its extnValue encoded. */
export function asnExtension(extnID: string, critical: boolean, value: unknown): AsnExtension {
  return new AsnExtension({ extnID, critical, extnValue: new OctetString(AsnConvert.serialize(value)) });
}

/** The DER of an Extension for `value`. */
export function encodeExtension(extnID: string, critical: boolean, value: unknown): Uint8Array {
  return new Uint8Array(AsnConvert.serialize(asnExtension(extnID, critical, value)));
}

const uri = (url: string) => new GeneralName({ uniformResourceIdentifier: url });

/**
 * The extensions a profile puts in every certificate it issues under one issuer: basicConstraints
 * and keyUsage (critical), EKU, AKI, CRL distribution points, AIA and certificate policies.
 * They do not change from one certificate to the next, so issuers encode them once.
 */
export function profileExtensions(profile: CertificateProfile, authorityKeyIdentifier: Uint8Array): Uint8Array[] {
  const { ca, pathLength } = profile.basicConstraints;
  const extensions = [
    encodeExtension(id_ce_basicConstraints, true, new BasicConstraints(pathLength === undefined ? { cA: ca } : { cA: ca, pathLenConstraint: pathLength })),
    encodeExtension(id_ce_keyUsage, true, new KeyUsage(profile.keyUsage.reduce((flags, usage) => flags | KEY_USAGE_FLAGS[usage], 0))),
  ];
  if (profile.extendedKeyUsage.length > 0) extensions.push(encodeExtension(id_ce_extKeyUsage, false, new ExtendedKeyUsage([...profile.extendedKeyUsage])));
  extensions.push(encodeExtension(id_ce_authorityKeyIdentifier, false, new AuthorityKeyIdentifier({ keyIdentifier: new KeyIdentifier(Uint8Array.from(authorityKeyIdentifier)) })));
  if (profile.crlUrls.length > 0) {
    const points = profile.crlUrls.map((url) => new DistributionPoint({ distributionPoint: new DistributionPointName({ fullName: [uri(url)] }) }));
    extensions.push(encodeExtension(id_ce_cRLDistributionPoints, false, new CRLDistributionPoints(points)));
  }
  if (profile.caIssuersUrls.length > 0) {
    const access = profile.caIssuersUrls.map((url) => new AccessDescription({ accessMethod: id_ad_caIssuers, accessLocation: uri(url) }));
    extensions.push(encodeExtension(id_pe_authorityInfoAccess, false, new AuthorityInfoAccessSyntax(access)));
  }
  if (profile.policyOids.length > 0) {
    extensions.push(encodeExtension(id_ce_certificatePolicies, false, new CertificatePolicies(profile.policyOids.map((oid) => new PolicyInformation({ policyIdentifier: oid })))));
  }
  return extensions;
}

/**
 * The subjectAltName extension for DNS names and IP addresses. IP addresses are parsed here
 * ({@link parseIpAddress}: zone ids and non-addresses throw SAN_INVALID) and handed to asn1-x509
 * as eight full groups: its own IPv6 reader mis-reads `::` next to an embedded IPv4 tail.
 */
export function subjectAltNameExtension(sans: readonly SubjectAltName[], critical: boolean): AsnExtension {
  const names = sans.map((s) => new GeneralName(s.type === "dns" ? { dNSName: s.value } : { iPAddress: ipForEncoder(s.value) }));
  return asnExtension(id_ce_subjectAltName, critical, new SubjectAlternativeName(names));
}

// asn1-x509 writes "a.b.c.d" as 4 octets and eight colon-separated hex groups as 16: give it exactly those.
function ipForEncoder(value: string): string {
  const { bytes } = parseIpAddress(value, "subjectAltName");
  if (bytes.length === 4) return Array.from(bytes).join(".");
  return Array.from({ length: 8 }, (_, i) => ((bytes[i * 2]! << 8) | bytes[i * 2 + 1]!).toString(16)).join(":");
}

const SKI_OID = Uint8Array.from([TAG.OID, 0x03, 0x55, 0x1d, 0x0e]); // 2.5.29.14

/** The extensions that differ per certificate: SKI (the subject's key id) and, when there are any, SANs. */
export function subjectExtensions(subjectKeyIdentifier: Uint8Array, sans: readonly SubjectAltName[], subjectIsEmpty: boolean): Uint8Array[] {
  // SKI written directly (it is encoded once per certificate); the same bytes as asn1-x509's.
  const extensions = [encodeElement(TAG.SEQUENCE, SKI_OID, encodeElement(TAG.OCTET_STRING, encodeElement(TAG.OCTET_STRING, subjectKeyIdentifier)))];
  // RFC 5280 §4.2.1.6: with an empty subject the SAN extension must be critical.
  if (sans.length > 0) extensions.push(new Uint8Array(AsnConvert.serialize(subjectAltNameExtension(sans, subjectIsEmpty))));
  return extensions;
}
