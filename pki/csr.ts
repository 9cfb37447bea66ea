import { createPublicKey, KeyObject, sign, verify } from "node:crypto";
import { Attributes, CertificationRequest, CertificationRequestInfo } from "@peculiar/asn1-csr";
import { AsnConvert } from "@peculiar/asn1-schema";
import {
  Attribute,
  BasicConstraints,
  Extension as AsnExtension,
  Extensions,
  GeneralName,
  id_ce_basicConstraints,
  id_ce_subjectAltName,
  Name as AsnName,
  SubjectAlternativeName,
  SubjectPublicKeyInfo,
} from "@peculiar/asn1-x509";
import { readElement } from "./der";
import { PkiError } from "./errors";
import { SubjectAltName, subjectAltNameExtension } from "./extensions";
import { SIGNATURE_ALGORITHM_HASHES, inspectPublicKey, InspectedPublicKey, signatureAlgorithmIdentifier } from "./key-algorithms";
import { nameToSubject, SubjectFields, subjectToNameDer } from "./names";
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
  // asn1-schema ignores trailing bytes; a CSR with data after it has been tampered with or mangled.
  const infoRaw = csr.certificationRequestInfoRaw;
  const spkiDer = infoRaw && endsAtEnd(der) ? rawSubjectPublicKeyInfo(new Uint8Array(infoRaw)) : undefined;
  if (!infoRaw || !spkiDer) {
    throw new PkiError("CSR_MALFORMED", `${field} has data beyond the PKCS#10 request`, field);
  }
  const hash = SIGNATURE_ALGORITHM_HASHES[csr.signatureAlgorithm.algorithm];
  if (!hash) {
    throw new PkiError(
      "CSR_UNSUPPORTED_SIGNATURE_ALGORITHM",
      `${field} is signed with ${csr.signatureAlgorithm.algorithm}; sign it with ECDSA or RSA PKCS#1 v1.5 over SHA-256, SHA-384 or SHA-512`,
      field,
    );
  }
  const info = csr.certificationRequestInfo;
  const publicKey = inspectPublicKey(spkiDer, field);
  if (!verifySignature(hash, infoRaw, publicKey.keyObject, csr.signature)) {
    throw new PkiError("CSR_BAD_SIGNATURE", `${field} signature does not verify with its own public key: the requester has not proven possession of the private key, or the CSR was altered`, field);
  }
  const extensions = requestedExtensions(info, field);
  const basicConstraints = extensions.find((e) => e.extnID === id_ce_basicConstraints);
  if (basicConstraints && AsnConvert.parse(basicConstraints.extnValue, BasicConstraints).cA) {
    throw new PkiError("CSR_REQUESTS_CA", `${field} asks for a CA certificate (basicConstraints CA:TRUE); this CA issues only leaf certificates`, field);
  }
  const sanExtension = extensions.find((e) => e.extnID === id_ce_subjectAltName);
  const sans = sanExtension ? readSans(AsnConvert.parse(sanExtension.extnValue, SubjectAlternativeName), field) : [];
  return { subject: nameToSubject(info.subject, `${field}.subject`), sans, publicKey };
}

/** True when `der` is one DER element and nothing after it. */
function endsAtEnd(der: Uint8Array): boolean {
  try {
    return readElement(der, 0, der.byteLength).end === der.byteLength;
  } catch {
    return false;
  }
}

/** The subjectPKInfo bytes as the requester signed them (not re-encoded): info is `SEQUENCE { version, subject, subjectPKInfo, attributes }`. */
function rawSubjectPublicKeyInfo(info: Uint8Array): Uint8Array | undefined {
  try {
    const sequence = readElement(info, 0, info.byteLength);
    const subject = readElement(info, readElement(info, sequence.contentStart, sequence.end).end, sequence.end);
    const spki = readElement(info, subject.end, sequence.end);
    return info.subarray(spki.start, spki.end);
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

function requestedExtensions(info: CertificationRequestInfo, field: string): AsnExtension[] {
  const extensions: AsnExtension[] = [];
  for (const attribute of info.attributes) {
    if (attribute.type !== OID_EXTENSION_REQUEST) continue;
    for (const value of attribute.values) {
      try {
        extensions.push(...AsnConvert.parse(value, Extensions));
      } catch (error) {
        throw new PkiError("CSR_MALFORMED", `${field} has an unreadable extensionRequest: ${(error as Error).message}`, field);
      }
    }
  }
  return extensions;
}

function readSans(names: GeneralName[], field: string): SubjectAltName[] {
  return Array.from(names, (name): SubjectAltName => {
    if (name.dNSName !== undefined) return { type: "dns", value: name.dNSName };
    // asn1-x509 reads the OCTET STRING as a dotted or colon address.
    if (name.iPAddress !== undefined) return { type: "ip", value: name.iPAddress };
    throw new PkiError("SAN_INVALID", `${field} asks for a subjectAltName that is not a DNS name or IP address; only those are certified`, `${field}.subjectAltName`);
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
