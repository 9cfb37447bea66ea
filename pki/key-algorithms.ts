import { checkPrimeSync, createHash, createPublicKey, KeyObject } from "node:crypto";
import { AlgorithmIdentifier } from "@peculiar/asn1-x509";
import { DerElement, DerError, expectElement, readElement, readOid, TAG } from "./der";
import { PkiError } from "./errors";

/** Key types the CA signs with and accepts in requests. */
export type KeyAlgorithmName = "ecdsa-p256" | "ecdsa-p384" | "ecdsa-p521" | "rsa-2048" | "rsa-3072" | "rsa-4096";

/** KMS key specs that map onto {@link KeyAlgorithmName}. */
export type KmsKeySpec =
  | "ECC_NIST_P256"
  | "ECC_NIST_P384"
  | "ECC_NIST_P521"
  | "RSA_2048"
  | "RSA_3072"
  | "RSA_4096";

/** Everything the PKI core needs to know about one key type. */
export interface KeyAlgorithmInfo {
  readonly name: KeyAlgorithmName;
  readonly kind: "ec" | "rsa";
  /** OpenSSL curve name, for EC keys. */
  readonly curve?: "prime256v1" | "secp384r1" | "secp521r1";
  /** Modulus length in bits, for RSA keys. */
  readonly modulusLength?: 2048 | 3072 | 4096;
  /** Hash used when this key signs a certificate or CRL. */
  readonly hash: "sha256" | "sha384" | "sha512";
  /** X.509 signatureAlgorithm OID for that hash and key type. */
  readonly signatureOid: string;
  readonly kmsKeySpec: KmsKeySpec;
  /** The KMS SigningAlgorithm that matches (the prior art's mapping). */
  readonly kmsSigningAlgorithm: "ECDSA_SHA_256" | "ECDSA_SHA_384" | "ECDSA_SHA_512" | "RSASSA_PKCS1_V1_5_SHA_256";
}

const OID_EC_PUBLIC_KEY = "1.2.840.10045.2.1";
const OID_RSA_ENCRYPTION = "1.2.840.113549.1.1.1";

/** The key types, keyed by name. */
export const KEY_ALGORITHMS: Readonly<Record<KeyAlgorithmName, KeyAlgorithmInfo>> = {
  "ecdsa-p256": { name: "ecdsa-p256", kind: "ec", curve: "prime256v1", hash: "sha256", signatureOid: "1.2.840.10045.4.3.2", kmsKeySpec: "ECC_NIST_P256", kmsSigningAlgorithm: "ECDSA_SHA_256" },
  "ecdsa-p384": { name: "ecdsa-p384", kind: "ec", curve: "secp384r1", hash: "sha384", signatureOid: "1.2.840.10045.4.3.3", kmsKeySpec: "ECC_NIST_P384", kmsSigningAlgorithm: "ECDSA_SHA_384" },
  "ecdsa-p521": { name: "ecdsa-p521", kind: "ec", curve: "secp521r1", hash: "sha512", signatureOid: "1.2.840.10045.4.3.4", kmsKeySpec: "ECC_NIST_P521", kmsSigningAlgorithm: "ECDSA_SHA_512" },
  "rsa-2048": { name: "rsa-2048", kind: "rsa", modulusLength: 2048, hash: "sha256", signatureOid: "1.2.840.113549.1.1.11", kmsKeySpec: "RSA_2048", kmsSigningAlgorithm: "RSASSA_PKCS1_V1_5_SHA_256" },
  "rsa-3072": { name: "rsa-3072", kind: "rsa", modulusLength: 3072, hash: "sha256", signatureOid: "1.2.840.113549.1.1.11", kmsKeySpec: "RSA_3072", kmsSigningAlgorithm: "RSASSA_PKCS1_V1_5_SHA_256" },
  "rsa-4096": { name: "rsa-4096", kind: "rsa", modulusLength: 4096, hash: "sha256", signatureOid: "1.2.840.113549.1.1.11", kmsKeySpec: "RSA_4096", kmsSigningAlgorithm: "RSASSA_PKCS1_V1_5_SHA_256" },
};

/** All key type names, in a stable order (for messages and flag help). */
export const KEY_ALGORITHM_NAMES = Object.keys(KEY_ALGORITHMS) as KeyAlgorithmName[];

/**
 * Key types a CA (root or issuing) may use: what both CloudFront trust stores (RSA 2048–4096,
 * ECDSA P-256/P-384) and API Gateway truststores accept. P-521 is refused for CAs, not for leaves.
 */
export const CA_KEY_ALGORITHM_NAMES: readonly KeyAlgorithmName[] = ["ecdsa-p256", "ecdsa-p384", "rsa-2048", "rsa-3072", "rsa-4096"];

/** Parses a CA key type, refusing the ones CloudFront trust stores reject, and saying so. */
export function parseCaKeyAlgorithmName(value: unknown, field: string): KeyAlgorithmName {
  const name = parseKeyAlgorithmName(value, field);
  if (!CA_KEY_ALGORITHM_NAMES.includes(name)) {
    throw new PkiError("KEY_UNSUPPORTED", `${field}: ${name} cannot be a CA key because CloudFront trust stores accept only RSA 2048/3072/4096 and ECDSA P-256/P-384 CA keys; use one of ${CA_KEY_ALGORITHM_NAMES.join(", ")}`, field);
  }
  return name;
}

/** Parses a key type name given by a user, or throws a PkiError naming `field` and what is allowed. */
export function parseKeyAlgorithmName(value: unknown, field: string): KeyAlgorithmName {
  // An own-property lookup: `in` would also accept "constructor", "toString", "__proto__".
  if (typeof value === "string" && Object.hasOwn(KEY_ALGORITHMS, value)) return value as KeyAlgorithmName;
  throw new PkiError("KEY_UNSUPPORTED", `${field} must be one of ${KEY_ALGORITHM_NAMES.join(", ")}; got ${JSON.stringify(value)}`, field);
}

/** Maps a KMS KeySpec to a key type, or throws for specs a CA cannot sign certificates with. */
export function keyAlgorithmFromKmsSpec(spec: string | undefined): KeyAlgorithmInfo {
  const found = Object.values(KEY_ALGORITHMS).find((a) => a.kmsKeySpec === spec);
  if (!found) {
    throw new PkiError("KMS_KEY_UNUSABLE", `KMS key spec ${spec ?? "(none)"} cannot sign certificates; use one of ${Object.values(KEY_ALGORITHMS).map((a) => a.kmsKeySpec).join(", ")}`, "keySpec");
  }
  return found;
}

/** The AlgorithmIdentifier that goes into tbsCertificate.signature and Certificate.signatureAlgorithm. */
export function signatureAlgorithmIdentifier(algorithm: KeyAlgorithmInfo): AlgorithmIdentifier {
  // RFC 4055: RSA PKCS#1 v1.5 identifiers carry NULL parameters; RFC 5758: ECDSA ones carry none.
  return algorithm.kind === "rsa"
    ? new AlgorithmIdentifier({ algorithm: algorithm.signatureOid, parameters: new Uint8Array([0x05, 0x00]).buffer })
    : new AlgorithmIdentifier({ algorithm: algorithm.signatureOid });
}

/** Signature algorithm OIDs we accept (on CSRs, CRLs, CA certificates), with the hash that checks them. SHA-1 and MD5 are refused. */
export const SIGNATURE_ALGORITHM_HASHES: Readonly<Record<string, "sha256" | "sha384" | "sha512">> = {
  "1.2.840.10045.4.3.2": "sha256",
  "1.2.840.10045.4.3.3": "sha384",
  "1.2.840.10045.4.3.4": "sha512",
  "1.2.840.113549.1.1.11": "sha256",
  "1.2.840.113549.1.1.12": "sha384",
  "1.2.840.113549.1.1.13": "sha512",
};

/** The hash that checks a signature made with `oid`, or undefined for algorithms we refuse (own properties only). */
export function signatureHashOf(oid: string): "sha256" | "sha384" | "sha512" | undefined {
  return Object.hasOwn(SIGNATURE_ALGORITHM_HASHES, oid) ? SIGNATURE_ALGORITHM_HASHES[oid] : undefined;
}

/** A subject public key the CA is willing to certify, with its type and the node KeyObject. */
export interface InspectedPublicKey {
  readonly algorithm: KeyAlgorithmInfo;
  readonly spkiDer: Uint8Array;
  readonly keyObject: KeyObject;
  /** RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey bit string. */
  readonly keyIdentifier: Uint8Array;
}

/** A SubjectPublicKeyInfo as read off its DER: no ASN.1 object tree, views into the input. */
interface SubjectPublicKeyInfoParts {
  readonly der: Uint8Array;
  readonly oid: string;
  /** The AlgorithmIdentifier's parameters element (whole TLV), when there is one. */
  readonly parameters: DerElement | undefined;
  /** The key bits, without the BIT STRING's unused-bits octet. */
  readonly subjectPublicKey: Uint8Array;
}

/**
 * `SEQUENCE { algorithm SEQUENCE { OID, parameters ANY OPTIONAL }, subjectPublicKey BIT STRING }`
 * read once with the DER reader (node parses the key itself once more, and that is enough);
 * trailing bytes and partial-octet key bits are refused.
 */
function readSubjectPublicKeyInfo(der: Uint8Array): SubjectPublicKeyInfoParts {
  const spki = expectElement(der, 0, der.byteLength, TAG.SEQUENCE, "SubjectPublicKeyInfo");
  if (spki.end !== der.byteLength) throw new DerError("data after the SubjectPublicKeyInfo", spki.end);
  const algorithm = expectElement(der, spki.contentStart, spki.end, TAG.SEQUENCE, "algorithm");
  const oidElement = expectElement(der, algorithm.contentStart, algorithm.end, TAG.OID, "algorithm");
  const oid = readOid(der, oidElement, "algorithm");
  const parameters = oidElement.end < algorithm.end ? readElement(der, oidElement.end, algorithm.end) : undefined;
  if (parameters && parameters.end !== algorithm.end) throw new DerError("algorithm: data after the parameters", parameters.end);
  const bits = expectElement(der, algorithm.end, spki.end, TAG.BIT_STRING, "subjectPublicKey");
  if (bits.end !== spki.end || bits.end === bits.contentStart || der[bits.contentStart] !== 0) throw new DerError("subjectPublicKey is not a whole-octet BIT STRING", bits.start);
  return { der, oid, parameters, subjectPublicKey: der.subarray(bits.contentStart + 1, bits.end) };
}

/**
 * Classifies a SubjectPublicKeyInfo: which supported key type it is, or a PkiError saying why it
 * is refused. EC keys must name one of the supported curves (explicit parameters are refused:
 * KEY_EC_PARAMETERS) and carry an uncompressed point (KEY_EC_POINT). RSA keys must have a modulus
 * of exactly 2048, 3072 or 4096 bits (KEY_TOO_WEAK below, KEY_UNSUPPORTED otherwise) that is well
 * formed — minimal DER, odd, free of small factors and not a probable prime (KEY_RSA_MODULUS) — and
 * an odd public exponent from 65537 to 256 bits (KEY_RSA_EXPONENT). The refusals for a part of
 * the key name it: `<field>.subjectPublicKeyInfo.modulus`, `.publicExponent`, `.algorithm.parameters`.
 * The SPKI is decoded once, with the DER reader, and every check runs on that reading.
 */
export function inspectPublicKey(spkiDer: Uint8Array, field: string): InspectedPublicKey {
  let spki: SubjectPublicKeyInfoParts;
  try {
    spki = readSubjectPublicKeyInfo(spkiDer);
  } catch (error) {
    throw new PkiError("KEY_UNSUPPORTED", `${field}: the public key cannot be read (${(error as Error).message})`, field);
  }
  const oid = spki.oid;
  let algorithm: KeyAlgorithmInfo;
  if (oid === OID_EC_PUBLIC_KEY) algorithm = checkEcKey(spki, field);
  else if (oid === OID_RSA_ENCRYPTION) algorithm = checkRsaKey(spki, field);
  else throw new PkiError("KEY_UNSUPPORTED", `${field}: key algorithm ${oid} is not supported; use an EC (P-256, P-384, P-521) or RSA (2048+) key`, field);
  let keyObject: KeyObject;
  try {
    keyObject = createPublicKey({ key: Buffer.from(spkiDer.buffer, spkiDer.byteOffset, spkiDer.byteLength), format: "der", type: "spki" });
  } catch (error) {
    throw new PkiError("KEY_UNSUPPORTED", `${field}: the public key cannot be read (${(error as Error).message})`, field);
  }
  const details = keyObject.asymmetricKeyDetails;
  if (algorithm.kind === "ec" ? details?.namedCurve !== algorithm.curve : details?.modulusLength !== algorithm.modulusLength) {
    throw new PkiError("KEY_UNSUPPORTED", `${field}: the public key does not read back as ${algorithm.name}`, field);
  }
  const keyIdentifier = new Uint8Array(createHash("sha1").update(spki.subjectPublicKey).digest());
  return { algorithm, spkiDer, keyObject, keyIdentifier };
}

/** RFC 5480 named curves, by OID (a Map: no inherited keys). */
const NAMED_CURVES = new Map<string, { algorithm: KeyAlgorithmName; coordinateBytes: number }>([
  ["1.2.840.10045.3.1.7", { algorithm: "ecdsa-p256", coordinateBytes: 32 }],
  ["1.3.132.0.34", { algorithm: "ecdsa-p384", coordinateBytes: 48 }],
  ["1.3.132.0.35", { algorithm: "ecdsa-p521", coordinateBytes: 66 }],
]);

/** ECParameters' namedCurve choice (an OBJECT IDENTIFIER), or undefined for anything else. */
function namedCurveOf(spki: SubjectPublicKeyInfoParts): string | undefined {
  if (spki.parameters?.tag !== TAG.OID) return undefined;
  try {
    return readOid(spki.der, spki.parameters, "namedCurve");
  } catch {
    return undefined;
  }
}

function checkEcKey(spki: SubjectPublicKeyInfoParts, field: string): KeyAlgorithmInfo {
  const parametersField = `${field}.subjectPublicKeyInfo.algorithm.parameters`;
  const namedCurve = namedCurveOf(spki);
  if (!namedCurve) {
    // Explicit parameters let a key pick its own curve (CVE-2020-0601); RFC 5480 §2.1.1 requires a named curve.
    throw new PkiError("KEY_EC_PARAMETERS", `${parametersField}: the EC key must name its curve (namedCurve); explicit or implicit curve parameters are refused — use P-256, P-384 or P-521`, parametersField);
  }
  const curve = NAMED_CURVES.get(namedCurve);
  if (!curve) throw new PkiError("KEY_UNSUPPORTED", `${field}: EC curve ${namedCurve} is not supported; use P-256, P-384 or P-521`, field);
  const point = spki.subjectPublicKey;
  if (point[0] !== 0x04 || point.length !== 1 + 2 * curve.coordinateBytes) {
    const pointField = `${field}.subjectPublicKeyInfo.subjectPublicKey`;
    const form = point[0] === 0x02 || point[0] === 0x03 ? "a compressed point" : `${point.length} bytes starting 0x${(point[0] ?? 0).toString(16)}`;
    throw new PkiError("KEY_EC_POINT", `${pointField}: the EC public key is ${form}; send the uncompressed point (0x04, X, Y: ${1 + 2 * curve.coordinateBytes} bytes for this curve; RFC 5480 §2.2)`, pointField);
  }
  return KEY_ALGORITHMS[curve.algorithm];
}

/** Product of the odd primes below 2000: one gcd finds a small factor of a modulus. */
const SMALL_PRIMES_PRODUCT = (() => {
  let product = 1n;
  for (let n = 3; n < 2000; n += 2) {
    let prime = true;
    for (let d = 3; d * d <= n; d += 2) if (n % d === 0) prime = false;
    if (prime) product *= BigInt(n);
  }
  return product;
})();

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

/** The magnitude of a DER INTEGER's content, or a reason it is not a minimal positive INTEGER. */
function positiveInteger(content: Uint8Array): { bytes: Uint8Array } | { problem: string } {
  if (content.length === 0) return { problem: "is empty" };
  if (content[0]! & 0x80) return { problem: "is negative" };
  if (content[0] === 0 && content.length > 1 && !(content[1]! & 0x80)) return { problem: "has leading zero octets (not minimal DER)" };
  const bytes = content[0] === 0 ? content.subarray(1) : content;
  if (bytes.length === 0) return { problem: "is zero" };
  return { bytes };
}

function bitLength(bytes: Uint8Array): number {
  return (bytes.length - 1) * 8 + (32 - Math.clz32(bytes[0]!));
}

/** `RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }` (RFC 8017 A.1.1): each INTEGER's content octets, as encoded. */
function readRsaPublicKey(bits: Uint8Array): { modulus: Uint8Array; publicExponent: Uint8Array } {
  const key = expectElement(bits, 0, bits.byteLength, TAG.SEQUENCE, "RSAPublicKey");
  if (key.end !== bits.byteLength) throw new DerError("data after the RSAPublicKey", key.end);
  const modulus = expectElement(bits, key.contentStart, key.end, TAG.INTEGER, "modulus");
  const publicExponent = expectElement(bits, modulus.end, key.end, TAG.INTEGER, "publicExponent");
  if (publicExponent.end !== key.end) throw new DerError("RSAPublicKey: data after the publicExponent", publicExponent.end);
  return { modulus: bits.subarray(modulus.contentStart, modulus.end), publicExponent: bits.subarray(publicExponent.contentStart, publicExponent.end) };
}

function checkRsaKey(spki: SubjectPublicKeyInfoParts, field: string): KeyAlgorithmInfo {
  const modulusField = `${field}.subjectPublicKeyInfo.modulus`;
  const exponentField = `${field}.subjectPublicKeyInfo.publicExponent`;
  // Exactly NULL (05 00): absent parameters or any other value are refused.
  const parameters = spki.parameters;
  if (!parameters || parameters.tag !== TAG.NULL || parameters.end !== parameters.contentStart) {
    const parametersField = `${field}.subjectPublicKeyInfo.algorithm.parameters`;
    throw new PkiError("KEY_UNSUPPORTED", `${parametersField}: rsaEncryption keys carry NULL parameters (RFC 3279 §2.3.1)`, parametersField);
  }
  let key: { modulus: Uint8Array; publicExponent: Uint8Array };
  try {
    key = readRsaPublicKey(spki.subjectPublicKey);
  } catch (error) {
    throw new PkiError("KEY_UNSUPPORTED", `${field}: the RSA public key cannot be read (${(error as Error).message})`, field);
  }
  const modulus = positiveInteger(key.modulus);
  if ("problem" in modulus) throw new PkiError("KEY_RSA_MODULUS", `${modulusField} ${modulus.problem}`, modulusField);
  const bits = bitLength(modulus.bytes);
  if (bits < 2048) throw new PkiError("KEY_TOO_WEAK", `${field}: RSA key of ${bits} bits is too weak; use 2048, 3072 or 4096 bits`, field);
  const name = `rsa-${bits}`;
  if (!Object.hasOwn(KEY_ALGORITHMS, name)) throw new PkiError("KEY_UNSUPPORTED", `${field}: RSA key of ${bits} bits is not supported; use 2048, 3072 or 4096 bits`, field);
  const exponent = positiveInteger(key.publicExponent);
  if ("problem" in exponent) throw new PkiError("KEY_RSA_EXPONENT", `${exponentField} ${exponent.problem}`, exponentField);
  const e = BigInt("0x" + Buffer.from(exponent.bytes).toString("hex"));
  // e = 1 lets anyone forge; small e invites broadcast and padding attacks; a huge e means a small d (Wiener).
  if (e < 65537n || e % 2n === 0n || bitLength(exponent.bytes) > 256) {
    throw new PkiError("KEY_RSA_EXPONENT", `${exponentField} is ${e < 1n << 64n ? e.toString() : `a ${bitLength(exponent.bytes)}-bit number`}; it must be odd, at least 65537 and at most 256 bits (65537 is the usual value)`, exponentField);
  }
  const n = BigInt("0x" + Buffer.from(modulus.bytes).toString("hex"));
  if (n % 2n === 0n) throw new PkiError("KEY_RSA_MODULUS", `${modulusField} is even; an RSA modulus is the product of two large odd primes`, modulusField);
  if (gcd(n, SMALL_PRIMES_PRODUCT) !== 1n) throw new PkiError("KEY_RSA_MODULUS", `${modulusField} has a small prime factor; it is trivially factored`, modulusField);
  if (checkPrimeSync(modulus.bytes, { checks: 2 })) {
    throw new PkiError("KEY_RSA_MODULUS", `${modulusField} is prime, so anyone can compute the private key; an RSA modulus is the product of two primes`, modulusField);
  }
  return KEY_ALGORITHMS[name as KeyAlgorithmName];
}
