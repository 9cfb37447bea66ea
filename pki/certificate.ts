import { AsnConvert } from "@peculiar/asn1-schema";
import { AlgorithmIdentifier } from "@peculiar/asn1-x509";
import { headerLength, TAG, timeLength, writeHeader, writeTime } from "./der";
import { signatureAlgorithmIdentifier } from "./key-algorithms";
import { serialIntegerHex } from "./serial";
import { encodeSigned } from "./signed-envelope";
import type { Signer } from "./signer";

/** The fields of a certificate to be signed, each DER-encoded where it is a structure. */
export interface CertificateFields {
  /** Serial as hex (positive, as {@link randomSerialHex} makes it). */
  readonly serialHex: string;
  /** DER Name of the issuer (byte for byte the issuer certificate's subject). */
  readonly issuerDer: Uint8Array;
  /** DER Name of the subject. */
  readonly subjectDer: Uint8Array;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** DER SubjectPublicKeyInfo of the certified key. */
  readonly subjectPublicKeyInfo: Uint8Array;
  /** DER Extension items, in order. */
  readonly extensions: readonly Uint8Array[];
}

const VERSION_3 = Uint8Array.from([0xa0, 0x03, TAG.INTEGER, 0x01, 0x02]); // [0] EXPLICIT INTEGER 2

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.byteLength, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}

/**
 * An RFC 5280 TBSCertificate with what an issuer repeats from one certificate to the next (the
 * version, signature algorithm, issuer name and a profile's extensions) encoded once. Each
 * certificate then writes only its serial, validity, subject, key and own extensions (SKI, SANs)
 * around those bytes: same output as @peculiar/asn1-x509's TBSCertificate (a property test pins
 * it), without an ASN.1 object per certificate.
 */
export class CertificateTemplate {
  private readonly issuerPart: Uint8Array;
  private readonly profileExtensions: Uint8Array;

  constructor(signatureAlgorithmDer: Uint8Array, issuerDer: Uint8Array, profileExtensions: readonly Uint8Array[] = []) {
    this.issuerPart = concat([signatureAlgorithmDer, issuerDer]);
    this.profileExtensions = concat(profileExtensions);
  }

  /** The DER tbsCertificate; `extensions` follow the profile's. */
  encode(serialHex: string, notBefore: Date, notAfter: Date, subjectDer: Uint8Array, subjectPublicKeyInfo: Uint8Array, extensions: readonly Uint8Array[]): Uint8Array {
    const serial = serialIntegerHex(serialHex);
    const validityLength = timeLength(notBefore) + timeLength(notAfter);
    let extensionsLength = this.profileExtensions.byteLength;
    for (const extension of extensions) extensionsLength += extension.byteLength;
    const extensionsSequence = headerLength(extensionsLength) + extensionsLength;
    const length =
      VERSION_3.byteLength +
      2 + serial.length / 2 +
      this.issuerPart.byteLength +
      2 + validityLength +
      subjectDer.byteLength +
      subjectPublicKeyInfo.byteLength +
      headerLength(extensionsSequence) + extensionsSequence;
    const out = Buffer.allocUnsafeSlow(headerLength(length) + length);
    let offset = writeHeader(out, 0, TAG.SEQUENCE, length);
    out.set(VERSION_3, offset);
    offset += VERSION_3.byteLength;
    out[offset++] = TAG.INTEGER;
    out[offset++] = serial.length / 2;
    offset += out.write(serial, offset, "hex");
    out.set(this.issuerPart, offset);
    offset += this.issuerPart.byteLength;
    offset = writeHeader(out, offset, TAG.SEQUENCE, validityLength);
    offset = writeTime(out, offset, notBefore);
    offset = writeTime(out, offset, notAfter);
    out.set(subjectDer, offset);
    offset += subjectDer.byteLength;
    out.set(subjectPublicKeyInfo, offset);
    offset += subjectPublicKeyInfo.byteLength;
    offset = writeHeader(out, offset, 0xa3, extensionsSequence);
    offset = writeHeader(out, offset, TAG.SEQUENCE, extensionsLength);
    out.set(this.profileExtensions, offset);
    offset += this.profileExtensions.byteLength;
    for (const extension of extensions) {
      out.set(extension, offset);
      offset += extension.byteLength;
    }
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  }
}

/** Encodes the tbsCertificate for `fields` with the given DER signature AlgorithmIdentifier. */
export function encodeTbsCertificate(fields: CertificateFields, signatureAlgorithmDer: Uint8Array): Uint8Array {
  return new CertificateTemplate(signatureAlgorithmDer, fields.issuerDer).encode(
    fields.serialHex,
    fields.notBefore,
    fields.notAfter,
    fields.subjectDer,
    fields.subjectPublicKeyInfo,
    fields.extensions,
  );
}

/** The signature AlgorithmIdentifier of a signer's key, and its DER (encoded once per issuer). */
export interface SignatureAlgorithm {
  readonly identifier: AlgorithmIdentifier;
  readonly der: Uint8Array;
}

/** The signature algorithm `signer` signs with. */
export async function signatureAlgorithmOf(signer: Signer): Promise<SignatureAlgorithm> {
  const identifier = signatureAlgorithmIdentifier((await signer.publicKey()).algorithm);
  return { identifier, der: new Uint8Array(AsnConvert.serialize(identifier)) };
}

/** Signs a certificate with `signer` (exactly one signature) and returns its DER. */
export async function signCertificate(fields: CertificateFields, signer: Signer, algorithm?: SignatureAlgorithm): Promise<Uint8Array> {
  const signatureAlgorithm = algorithm ?? (await signatureAlgorithmOf(signer));
  const tbsDer = encodeTbsCertificate(fields, signatureAlgorithm.der);
  return encodeSigned(tbsDer, signatureAlgorithm.der, await signer.sign(tbsDer));
}
