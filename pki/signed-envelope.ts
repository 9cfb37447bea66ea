import { AsnConvert } from "@peculiar/asn1-schema";
import { AlgorithmIdentifier } from "@peculiar/asn1-x509";
import { headerLength, TAG, writeHeader } from "./der";

/**
 * Encodes `SEQUENCE { tbs, signatureAlgorithm, signatureValue BIT STRING }`: the outer shape shared
 * by Certificate, CertificateList and CertificationRequest (RFC 5280, RFC 2986). The signed part is
 * copied as is, so what was signed is byte for byte what is published; the algorithm is given as
 * DER (encoded once per issuer) or as an asn1-x509 AlgorithmIdentifier.
 */
export function encodeSigned(tbsDer: Uint8Array, signatureAlgorithm: AlgorithmIdentifier | Uint8Array, signature: Uint8Array): Uint8Array {
  const algorithmDer = signatureAlgorithm instanceof Uint8Array ? signatureAlgorithm : new Uint8Array(AsnConvert.serialize(signatureAlgorithm));
  const bitStringLength = signature.byteLength + 1; // the unused-bits octet, then the signature
  const length = tbsDer.byteLength + algorithmDer.byteLength + headerLength(bitStringLength) + bitStringLength;
  const out = new Uint8Array(headerLength(length) + length);
  let offset = writeHeader(out, 0, TAG.SEQUENCE, length);
  out.set(tbsDer, offset);
  offset += tbsDer.byteLength;
  out.set(algorithmDer, offset);
  offset += algorithmDer.byteLength;
  offset = writeHeader(out, offset, TAG.BIT_STRING, bitStringLength);
  out[offset++] = 0;
  out.set(signature, offset);
  return out;
}
