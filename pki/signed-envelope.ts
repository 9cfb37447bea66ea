import { AsnAnyConverter, AsnConvert, AsnProp, AsnPropTypes, IAsnConverter } from "@peculiar/asn1-schema";
import { AlgorithmIdentifier } from "@peculiar/asn1-x509";
import * as asn1js from "asn1js";

/**
 * An asn1js node for bytes that are already DER. asn1-schema's own ANY converter re-parses the
 * bytes on every serialize (the bulk of the cost of a certificate), and asn1js's `RawData` ignores
 * the writer that constructed types pass to their children; this node writes its bytes into it.
 */
class PreEncodedNode extends asn1js.RawData {
  constructor(private readonly bytes: ArrayBuffer) {
    super({ data: bytes });
  }

  override toBER(_sizeOnly?: boolean, writer?: { write(buffer: ArrayBuffer): void }): ArrayBuffer {
    if (writer) {
      writer.write(this.bytes);
      return new ArrayBuffer(0);
    }
    return this.bytes;
  }
}

/** asn1-schema converter for `ANY` fields holding already-encoded DER: written as is, read as raw bytes. */
export const PreEncodedConverter: IAsnConverter<ArrayBuffer> = {
  fromASN: (value) => AsnAnyConverter.fromASN(value) as ArrayBuffer,
  toASN: (value) => new PreEncodedNode(value) as unknown as asn1js.BaseBlock,
};

/** asn1-schema converter for `SEQUENCE OF` already-encoded DER items (a certificate's extensions). */
export const PreEncodedSequenceConverter: IAsnConverter<ArrayBuffer[]> = {
  fromASN: (value) => (value as asn1js.Sequence).valueBlock.value.map((item) => AsnAnyConverter.fromASN(item) as ArrayBuffer),
  toASN: (items) => new asn1js.Sequence({ value: items.map((item) => new PreEncodedNode(item) as unknown as asn1js.BaseBlock) }),
};

/**
 * `SEQUENCE { tbs, signatureAlgorithm, signatureValue BIT STRING }`: the outer shape shared by
 * Certificate, CertificateList and CertificationRequest (RFC 5280, RFC 2986). The signed part is
 * carried as already-encoded DER, so what was signed is byte for byte what is published.
 */
export class SignedEnvelope {
  @AsnProp({ type: AsnPropTypes.Any, converter: PreEncodedConverter })
  tbs: ArrayBuffer = new ArrayBuffer(0);

  @AsnProp({ type: AlgorithmIdentifier })
  signatureAlgorithm: AlgorithmIdentifier = new AlgorithmIdentifier();

  @AsnProp({ type: AsnPropTypes.BitString })
  signature: ArrayBuffer = new ArrayBuffer(0);
}

/** Encodes `tbsDer` with its signature into the DER of the signed object. */
export function encodeSigned(tbsDer: Uint8Array, signatureAlgorithm: AlgorithmIdentifier, signature: Uint8Array): Uint8Array {
  const envelope = new SignedEnvelope();
  envelope.tbs = toArrayBuffer(tbsDer);
  envelope.signatureAlgorithm = signatureAlgorithm;
  envelope.signature = toArrayBuffer(signature);
  return new Uint8Array(AsnConvert.serialize(envelope));
}

/** A standalone ArrayBuffer holding exactly these bytes (asn1-schema wants ArrayBuffers). */
export function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
    ? (bytes.buffer as ArrayBuffer)
    : (bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
}
