import { createHash, KeyObject, sign } from "node:crypto";

/**
 * A deliberately naive DER writer for tests: it writes whatever it is given, so tests can build
 * the malformed, mis-typed and hostile structures that no well-behaved encoder would produce.
 */

/** One TLV: `tag` (one byte) around the concatenated contents. */
export function tlv(tag: number, ...contents: Uint8Array[]): Uint8Array {
  const body = Buffer.concat(contents);
  return Buffer.concat([Buffer.from([tag]), derLength(body.length), body]);
}

function derLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

export const seq = (...contents: Uint8Array[]) => tlv(0x30, ...contents);
export const set = (...contents: Uint8Array[]) => tlv(0x31, ...contents);
export const octets = (bytes: Uint8Array) => tlv(0x04, bytes);
export const bits = (bytes: Uint8Array) => tlv(0x03, Buffer.from([0]), bytes);
export const NULL = Buffer.from([0x05, 0x00]);

/** An OBJECT IDENTIFIER from its dotted form. */
export function oid(dotted: string): Uint8Array {
  const arcs = dotted.split(".").map((a) => BigInt(a));
  const body: number[] = [];
  const push = (value: bigint) => {
    const chunk: number[] = [Number(value & 0x7fn)];
    for (let v = value >> 7n; v > 0n; v >>= 7n) chunk.unshift(Number(v & 0x7fn) | 0x80);
    body.push(...chunk);
  };
  push(arcs[0]! * 40n + arcs[1]!);
  for (const arc of arcs.slice(2)) push(arc);
  return tlv(0x06, Buffer.from(body));
}

/** A non-negative INTEGER; `extraZeros` adds non-minimal leading zero octets. */
export function integer(value: bigint, extraZeros = 0): Uint8Array {
  let hex = value.toString(16);
  if (hex.length % 2) hex = "0" + hex;
  let bytes = Buffer.from(hex, "hex");
  if (bytes[0]! & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return tlv(0x02, Buffer.alloc(extraZeros), bytes);
}

/** The unsigned big-endian bytes of `value`, `length` bytes long. */
export function toBytes(value: bigint, length: number): Buffer {
  return Buffer.from(value.toString(16).padStart(length * 2, "0"), "hex");
}

export function fromBytes(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : BigInt("0x" + Buffer.from(bytes).toString("hex"));
}

/** Attribute type OIDs by their short names. */
export const ATTRIBUTE_OIDS = { CN: "2.5.4.3", C: "2.5.4.6", L: "2.5.4.7", ST: "2.5.4.8", O: "2.5.4.10", OU: "2.5.4.11", emailAddress: "1.2.840.113549.1.9.1" } as const;

/** String tags of ASN.1 (and a few that are not strings), for building attribute values. */
export const TAGS = { utf8: 0x0c, printable: 0x13, teletex: 0x14, ia5: 0x16, universal: 0x1c, bmp: 0x1e, integer: 0x02, octets: 0x04, null: 0x05, sequence: 0x30, boolean: 0x01 } as const;

/** A Name with one attribute per RDN: `[type, valueTlv]` pairs. */
export function name(...attributes: Array<[string, Uint8Array]>): Uint8Array {
  return seq(...attributes.map(([type, value]) => set(seq(oid(type), value))));
}

/** A UTF8String attribute value. */
export const utf8 = (text: string) => tlv(TAGS.utf8, Buffer.from(text, "utf8"));
/** A BMPString (UTF-16BE code units, lone surrogates included). */
export function bmp(text: string): Uint8Array {
  const body = Buffer.alloc(text.length * 2);
  for (let i = 0; i < text.length; i++) body.writeUInt16BE(text.charCodeAt(i), i * 2);
  return tlv(TAGS.bmp, body);
}
/** A UniversalString of raw 32-bit values (which may lie outside Unicode). */
export function universal(values: number[]): Uint8Array {
  const body = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => body.writeUInt32BE(v >>> 0, i * 4));
  return tlv(TAGS.universal, body);
}

/** An Extension. */
export function extension(id: string, value: Uint8Array, critical = false): Uint8Array {
  return seq(oid(id), ...(critical ? [Buffer.from([0x01, 0x01, 0xff])] : []), octets(value));
}

export const OID = {
  extensionRequest: "1.2.840.113549.1.9.14",
  subjectAltName: "2.5.29.17",
  basicConstraints: "2.5.29.19",
  keyUsage: "2.5.29.15",
  rsaEncryption: "1.2.840.113549.1.1.1",
  sha256WithRSA: "1.2.840.113549.1.1.11",
  ecdsaWithSha256: "1.2.840.10045.4.3.2",
} as const;

/** The extensionRequest attribute carrying `extensions`. */
export function extensionRequest(...extensions: Uint8Array[]): Uint8Array {
  return seq(oid(OID.extensionRequest), set(seq(...extensions)));
}

/** GeneralName choices, as raw context-tagged values. */
export const generalName = {
  dns: (text: string | Uint8Array) => tlv(0x82, typeof text === "string" ? Buffer.from(text, "latin1") : text),
  ip: (bytes: Uint8Array) => tlv(0x87, bytes),
  email: (text: string) => tlv(0x81, Buffer.from(text, "utf8")),
  uri: (text: string) => tlv(0x86, Buffer.from(text, "utf8")),
};

/** CertificationRequestInfo from already-encoded parts. */
export function certificationRequestInfo(subjectDer: Uint8Array, spkiDer: Uint8Array, attributes: Uint8Array[] = []): Uint8Array {
  return seq(integer(0n), subjectDer, spkiDer, tlv(0xa0, ...attributes));
}

/** Something that signs a CertificationRequestInfo: a node key, or a raw RSA key given as numbers. */
export type CsrSigner = { readonly key: KeyObject; readonly algorithmOid: string } | { readonly rsa: { readonly n: bigint; readonly d: bigint } };

/** A PKCS#10 request around `infoDer`, signed by `signer` with SHA-256. */
export function signedCsr(infoDer: Uint8Array, signer: CsrSigner): Uint8Array {
  if ("key" in signer) {
    const algorithm = signer.algorithmOid === OID.sha256WithRSA ? seq(oid(signer.algorithmOid), NULL) : seq(oid(signer.algorithmOid));
    return seq(infoDer, algorithm, bits(sign("sha256", infoDer, signer.key)));
  }
  return seq(infoDer, seq(oid(OID.sha256WithRSA), NULL), bits(rawRsaSign(infoDer, signer.rsa.n, signer.rsa.d)));
}

const SHA256_DIGEST_INFO = Buffer.from("3031300d060960864801650304020105000420", "hex");

/** RSASSA-PKCS1-v1_5 with SHA-256 done by hand, so any (n, d) can sign — also ones no library would load. */
export function rawRsaSign(data: Uint8Array, n: bigint, d: bigint): Buffer {
  const k = Math.ceil(n.toString(16).length / 2);
  const t = Buffer.concat([SHA256_DIGEST_INFO, createHash("sha256").update(data).digest()]);
  const em = Buffer.concat([Buffer.from([0, 1]), Buffer.alloc(k - t.length - 3, 0xff), Buffer.from([0]), t]);
  return toBytes(modPow(fromBytes(em), d, n), k);
}

export function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  let b = base % modulus;
  for (let e = exponent; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % modulus;
    b = (b * b) % modulus;
  }
  return result;
}

export function modInverse(a: bigint, m: bigint): bigint {
  let [oldR, r] = [((a % m) + m) % m, m];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const q = oldR / r;
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  if (oldR !== 1n) throw new Error("not invertible");
  return ((oldS % m) + m) % m;
}

export function gcd(a: bigint, b: bigint): bigint {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** An RSA SubjectPublicKeyInfo for any modulus and exponent (with optional non-minimal modulus encoding). */
export function rsaSpki(n: bigint, e: bigint, options: { modulusExtraZeros?: number } = {}): Uint8Array {
  return seq(seq(oid(OID.rsaEncryption), NULL), bits(seq(integer(n, options.modulusExtraZeros), integer(e))));
}
