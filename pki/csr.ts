import { createPublicKey, KeyObject, sign, verify } from "node:crypto";
import { Attributes, CertificationRequest, CertificationRequestInfo } from "@peculiar/asn1-csr";
import { AsnArray, AsnConvert, AsnPropTypes, AsnType, AsnTypeTypes } from "@peculiar/asn1-schema";
import {
  Attribute,
  BasicConstraints,
  Extension as AsnExtension,
  Extensions,
  id_ce_basicConstraints,
  id_ce_subjectAltName,
  Name as AsnName,
  SubjectPublicKeyInfo,
} from "@peculiar/asn1-x509";
import { readElement } from "./der";
import { PkiError } from "./errors";
import { SubjectAltName, subjectAltNameExtension } from "./extensions";
import { ipAddressFromBytes } from "./ip-address";
import { inspectPublicKey, InspectedPublicKey, signatureAlgorithmIdentifier, signatureHashOf } from "./key-algorithms";
import { checkNameCharacters, nameToSubject, SubjectFields, subjectToNameDer } from "./names";
import { looksLikePem, readPemBlocks, toPem } from "./pem";
import { encodeSigned } from "./signed-envelope";

/** Largest CSR accepted, PEM or DER: real ones are 300–2000 bytes. */
export const MAX_CSR_BYTES = 16 * 1024;

const OID_EXTENSION_REQUEST = "1.2.840.113549.1.9.14";
const CSR_LABELS = new Set(["CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST"]);

/** What the CA takes from a CSR, after checking its signature (proof of possession). */
export interface ParsedCsr {
  readonly subject: SubjectFields;
  readonly sans: readonly SubjectAltName[];
  readonly publicKey: InspectedPublicKey;
}

/**
 * Parses a PKCS#10 CSR (PEM or DER) and verifies its signature with the key it carries. Refuses
 * oversized or damaged input, weak or unsupported keys, SHA-1/MD5 signatures, requests for CA
 * certificates and SAN types other than DNS and IP — each with its own code, naming `field`.
 */
export function parseCsr(input: string | Uint8Array, field = "csrPem"): ParsedCsr {
  const size = typeof input === "string" ? Buffer.byteLength(input) : input.byteLength;
  if (size > MAX_CSR_BYTES) {
    throw new PkiError("CSR_TOO_LARGE", `${field} is ${size} bytes; at most ${MAX_CSR_BYTES} are accepted`, field);
  }
  const der = csrDer(input, field);
  let csr: CertificationRequest;
  try {
    csr = AsnConvert.parse(der, CertificationRequest);
  } catch (error) {
    throw new PkiError("CSR_MALFORMED", `${field} is not a valid PKCS#10 request: ${(error as Error).message}`, field);
  }
  // asn1-schema ignores trailing bytes and reads BER lengths; a CSR with data after it, or that is
  // not DER, has been tampered with or mangled. The same walk finds the signed subject and key.
  const infoRaw = csr.certificationRequestInfoRaw;
  const signed = infoRaw && isOneElement(der) ? signedParts(new Uint8Array(infoRaw)) : undefined;
  if (!infoRaw || !signed) {
    throw new PkiError("CSR_MALFORMED", `${field} has data beyond the PKCS#10 request, or lengths that are not DER`, field);
  }
  const hash = signatureHashOf(csr.signatureAlgorithm.algorithm);
  if (!hash) {
    throw new PkiError(
      "CSR_UNSUPPORTED_SIGNATURE_ALGORITHM",
      `${field} is signed with ${csr.signatureAlgorithm.algorithm}; sign it with ECDSA or RSA PKCS#1 v1.5 over SHA-256, SHA-384 or SHA-512`,
      field,
    );
  }
  const info = csr.certificationRequestInfo;
  if (info.version !== 0) throw new PkiError("CSR_MALFORMED", `${field} has version ${info.version}; PKCS#10 requests are version 1 (0)`, field);
  const publicKey = inspectPublicKey(signed.subjectPublicKeyInfo, field);
  if (!verifySignature(hash, infoRaw, publicKey.keyObject, csr.signature)) {
    throw new PkiError("CSR_BAD_SIGNATURE", `${field} signature does not verify with its own public key: the requester has not proven possession of the private key, or the CSR was altered`, field);
  }
  const extensions = requestedExtensions(info, field);
  const basicConstraints = extensions.get(id_ce_basicConstraints);
  if (basicConstraints && parseExtension(basicConstraints, BasicConstraints, `${field}.extensionRequest.basicConstraints`).cA) {
    throw new PkiError("CSR_REQUESTS_CA", `${field} asks for a CA certificate (basicConstraints CA:TRUE); this CA issues only leaf certificates`, field);
  }
  const sanExtension = extensions.get(id_ce_subjectAltName);
  const sans = sanExtension ? readSans(parseExtension(sanExtension, RawGeneralNames, `${field}.extensionRequest.subjectAltName`), `${field}.subjectAltName`) : [];
  // The subject is decoded from the bytes that were signed, not from a lenient decoder's reading of them.
  return { subject: nameToSubject(signed.subject, `${field}.subject`), sans, publicKey };
}

/** GeneralNames with each name kept as its DER, so iPAddress octets and dNSName bytes are read exactly. */
@AsnType({ type: AsnTypeTypes.Sequence, itemType: AsnPropTypes.Any })
class RawGeneralNames extends AsnArray<ArrayBuffer> {}

/** An extension's value parsed with `schema`; anything unreadable, or followed by other bytes, is CSR_MALFORMED naming `field`. */
function parseExtension<T>(extension: AsnExtension, schema: new () => T, field: string): T {
  const bytes = new Uint8Array(extension.extnValue.buffer);
  try {
    const value = AsnConvert.parse(bytes, schema);
    // From the header, not by re-encoding: a BER-style `cA FALSE` written out is still readable.
    if (isOneElement(bytes)) return value;
  } catch {
    // reported below
  }
  throw new PkiError("CSR_MALFORMED", `${field}: the requested extension's value cannot be read`, field);
}

/** True when `der` is one DER element (definite, minimal length header) and nothing after it. */
function isOneElement(der: Uint8Array): boolean {
  try {
    return readElement(der, 0, der.byteLength).end === der.byteLength;
  } catch {
    return false;
  }
}

/**
 * The subject and subjectPKInfo bytes as the requester signed them (not re-encoded), found with one
 * DER walk: info is `SEQUENCE { version, subject, subjectPKInfo, attributes }`.
 */
function signedParts(info: Uint8Array): { subject: Uint8Array; subjectPublicKeyInfo: Uint8Array } | undefined {
  try {
    const sequence = readElement(info, 0, info.byteLength);
    const subject = readElement(info, readElement(info, sequence.contentStart, sequence.end).end, sequence.end);
    const spki = readElement(info, subject.end, sequence.end);
    return { subject: info.subarray(subject.start, subject.end), subjectPublicKeyInfo: info.subarray(spki.start, spki.end) };
  } catch {
    return undefined;
  }
}

function csrDer(input: string | Uint8Array, field: string): Uint8Array {
  if (!looksLikePem(input)) {
    if (typeof input === "string") {
      throw new PkiError("CSR_MALFORMED", `${field} is neither a PEM "CERTIFICATE REQUEST" block nor DER`, field);
    }
    return input;
  }
  const text = typeof input === "string" ? input : Buffer.from(input).toString("latin1");
  let blocks;
  try {
    blocks = readPemBlocks(text, field);
  } catch (error) {
    throw new PkiError("CSR_MALFORMED", (error as Error).message, field);
  }
  const requests = blocks.filter((b) => CSR_LABELS.has(b.label));
  if (requests.length !== 1 || blocks.length !== 1) {
    throw new PkiError("CSR_MALFORMED", `${field} must hold exactly one "CERTIFICATE REQUEST" PEM block; found ${blocks.map((b) => b.label).join(", ")}`, field);
  }
  return requests[0]!.der;
}

function verifySignature(hash: string, data: ArrayBuffer, key: KeyObject, signature: ArrayBuffer): boolean {
  try {
    return verify(hash, new Uint8Array(data), key, new Uint8Array(signature));
  } catch {
    return false; // e.g. an RSA signature algorithm on an EC key
  }
}

const EXTENSION_NAMES = new Map([
  [id_ce_basicConstraints, "basicConstraints"],
  [id_ce_subjectAltName, "subjectAltName"],
]);

/** The requested extensions by OID; an extension asked for twice is refused (RFC 5280 §4.2). */
function requestedExtensions(info: CertificationRequestInfo, field: string): Map<string, AsnExtension> {
  const extensions = new Map<string, AsnExtension>();
  for (const attribute of info.attributes) {
    if (attribute.type !== OID_EXTENSION_REQUEST) continue;
    for (const value of attribute.values) {
      let parsed: Extensions;
      try {
        parsed = AsnConvert.parse(value, Extensions);
      } catch (error) {
        throw new PkiError("CSR_MALFORMED", `${field} has an unreadable extensionRequest: ${(error as Error).message}`, field);
      }
      for (const extension of parsed) {
        if (extensions.has(extension.extnID)) {
          const name = EXTENSION_NAMES.get(extension.extnID) ?? extension.extnID;
          throw new PkiError("CSR_MALFORMED", `${field} asks for the ${name} extension more than once`, `${field}.extensionRequest.${name}`);
        }
        extensions.set(extension.extnID, extension);
      }
    }
  }
  return extensions;
}

const GENERAL_NAME_KINDS = new Map([
  [0xa0, "an otherName"],
  [0x81, "an email address (rfc822Name)"],
  [0xa3, "an x400Address"],
  [0xa4, "a directoryName"],
  [0xa5, "an ediPartyName"],
  [0x86, "a URI"],
  [0x88, "a registeredID"],
]);

function readSans(names: RawGeneralNames, field: string): SubjectAltName[] {
  return Array.from(names, (der, index): SubjectAltName => {
    const tlv = new Uint8Array(der);
    const at = `${field}[${index}]`;
    const content = tlv.subarray(tlv[1]! < 0x80 ? 2 : 2 + (tlv[1]! & 0x7f));
    if (tlv[0] === 0x82) {
      const outside = content.findIndex((b) => b > 0x7e);
      if (outside >= 0) {
        throw new PkiError("SAN_INVALID", `${at}: the dNSName has byte 0x${content[outside]!.toString(16).toUpperCase()} at position ${outside + 1}, outside printable ASCII; internationalised names must be sent in their xn-- form`, at);
      }
      const value = Buffer.from(content).toString("latin1");
      checkNameCharacters(value, at, "SAN_INVALID");
      return { type: "dns", value };
    }
    if (tlv[0] === 0x87) return { type: "ip", value: ipAddressFromBytes(content, at).canonical };
    const kind = GENERAL_NAME_KINDS.get(tlv[0]!) ?? `a name with tag 0x${tlv[0]!.toString(16)}`;
    throw new PkiError("SAN_INVALID", `${at} is ${kind}; only DNS names and IP addresses are certified`, at);
  });
}

/**
 * Makes a PKCS#10 CSR for `privateKey` with the given subject and SANs, signed with the key's
 * hash (SHA-256 for P-256 and RSA), as the prior art's client tool does before calling the CA.
 */
export function createCsr(privateKey: KeyObject, subject: SubjectFields, sans: readonly SubjectAltName[] = []): string {
  const spkiDer = new Uint8Array(createPublicKey(privateKey).export({ format: "der", type: "spki" }));
  const key = inspectPublicKey(spkiDer, "privateKey");
  const attributes: Attribute[] = [];
  if (sans.length > 0) {
    attributes.push(new Attribute({ type: OID_EXTENSION_REQUEST, values: [AsnConvert.serialize(new Extensions([subjectAltNameExtension(sans, false)]))] }));
  }
  const info = new CertificationRequestInfo({
    subject: AsnConvert.parse(subjectToNameDer(subject), AsnName),
    subjectPKInfo: AsnConvert.parse(spkiDer, SubjectPublicKeyInfo),
    attributes: new Attributes(attributes),
  });
  const infoDer = new Uint8Array(AsnConvert.serialize(info));
  const signature = new Uint8Array(sign(key.algorithm.hash, infoDer, privateKey));
  return toPem(encodeSigned(infoDer, signatureAlgorithmIdentifier(key.algorithm), signature), "CERTIFICATE REQUEST");
}
