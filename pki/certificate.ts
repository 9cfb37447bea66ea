import { AsnConvert, AsnIntegerArrayBufferConverter, AsnProp, AsnPropTypes } from "@peculiar/asn1-schema";
import { Validity } from "@peculiar/asn1-x509";
import { AlgorithmIdentifier } from "@peculiar/asn1-x509";
import { signatureAlgorithmIdentifier } from "./key-algorithms";
import { serialHexToBytes } from "./serial";
import { encodeSigned, PreEncodedConverter, PreEncodedSequenceConverter, toArrayBuffer } from "./signed-envelope";
import type { Signer } from "./signer";

/**
 * RFC 5280 TBSCertificate, with the parts that an issuer reuses from one certificate to the next
 * (signature algorithm, issuer name, profile extensions) and the subject's own DER (name, key)
 * carried as already-encoded values. Same bytes as @peculiar/asn1-x509's TBSCertificate (a test
 * pins that); only the per-certificate fields are encoded each time.
 */
class TbsCertificateDer {
  @AsnProp({ type: AsnPropTypes.Integer, context: 0 })
  version = 2; // v3

  @AsnProp({ type: AsnPropTypes.Integer, converter: AsnIntegerArrayBufferConverter })
  serialNumber = new ArrayBuffer(0);

  @AsnProp({ type: AsnPropTypes.Any, converter: PreEncodedConverter })
  signature = new ArrayBuffer(0);

  @AsnProp({ type: AsnPropTypes.Any, converter: PreEncodedConverter })
  issuer = new ArrayBuffer(0);

  @AsnProp({ type: Validity })
  validity = new Validity();

  @AsnProp({ type: AsnPropTypes.Any, converter: PreEncodedConverter })
  subject = new ArrayBuffer(0);

  @AsnProp({ type: AsnPropTypes.Any, converter: PreEncodedConverter })
  subjectPublicKeyInfo = new ArrayBuffer(0);

  @AsnProp({ type: AsnPropTypes.Any, converter: PreEncodedSequenceConverter, context: 3 })
  extensions: ArrayBuffer[] = [];
}

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

/** Encodes the tbsCertificate for `fields` with the given DER signature AlgorithmIdentifier. */
export function encodeTbsCertificate(fields: CertificateFields, signatureAlgorithmDer: Uint8Array): Uint8Array {
  const tbs = new TbsCertificateDer();
  tbs.serialNumber = serialHexToBytes(fields.serialHex);
  tbs.signature = toArrayBuffer(signatureAlgorithmDer);
  tbs.issuer = toArrayBuffer(fields.issuerDer);
  tbs.validity = new Validity({ notBefore: fields.notBefore, notAfter: fields.notAfter });
  tbs.subject = toArrayBuffer(fields.subjectDer);
  tbs.subjectPublicKeyInfo = toArrayBuffer(fields.subjectPublicKeyInfo);
  tbs.extensions = fields.extensions.map(toArrayBuffer);
  return new Uint8Array(AsnConvert.serialize(tbs));
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
  return encodeSigned(tbsDer, signatureAlgorithm.identifier, await signer.sign(tbsDer));
}
