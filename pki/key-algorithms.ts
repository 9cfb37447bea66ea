import { createHash, createPublicKey, KeyObject } from "node:crypto";
import { AlgorithmIdentifier } from "@peculiar/asn1-x509";
import { DerError, expectElement, readOid, TAG } from "./der";
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
  if (typeof value === "string" && value in KEY_ALGORITHMS) return value as KeyAlgorithmName;
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

/** A subject public key the CA is willing to certify, with its type and the node KeyObject. */
export interface InspectedPublicKey {
  readonly algorithm: KeyAlgorithmInfo;
  readonly spkiDer: Uint8Array;
  readonly keyObject: KeyObject;
  /** RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey bit string. */
  readonly keyIdentifier: Uint8Array;
}

/**
 * `SEQUENCE { algorithm AlgorithmIdentifier, subjectPublicKey BIT STRING }`: the algorithm OID and
 * the key bits (without the unused-bits octet), read off the DER rather than through an ASN.1
 * object (node parses the key itself once more, and that is enough).
 */
function readSubjectPublicKeyInfo(der: Uint8Array): { oid: string; subjectPublicKey: Uint8Array } {
  const spki = expectElement(der, 0, der.byteLength, TAG.SEQUENCE, "SubjectPublicKeyInfo");
  if (spki.end !== der.byteLength) throw new DerError("data after the SubjectPublicKeyInfo", spki.end);
  const algorithm = expectElement(der, spki.contentStart, spki.end, TAG.SEQUENCE, "algorithm");
  const oid = readOid(der, expectElement(der, algorithm.contentStart, algorithm.end, TAG.OID, "algorithm"), "algorithm");
  const bits = expectElement(der, algorithm.end, spki.end, TAG.BIT_STRING, "subjectPublicKey");
  if (bits.end !== spki.end || bits.end === bits.contentStart || der[bits.contentStart] !== 0) throw new DerError("subjectPublicKey is not a whole-octet BIT STRING", bits.start);
  return { oid, subjectPublicKey: der.subarray(bits.contentStart + 1, bits.end) };
}

/**
 * Classifies a SubjectPublicKeyInfo: which supported key type it is, or a PkiError saying why it
 * is refused (`KEY_TOO_WEAK` for short RSA keys, `KEY_UNSUPPORTED` for other curves and types).
 */
export function inspectPublicKey(spkiDer: Uint8Array, field: string): InspectedPublicKey {
  let spki: { oid: string; subjectPublicKey: Uint8Array };
  let keyObject: KeyObject;
  try {
    spki = readSubjectPublicKeyInfo(spkiDer);
    keyObject = createPublicKey({ key: Buffer.from(spkiDer.buffer, spkiDer.byteOffset, spkiDer.byteLength), format: "der", type: "spki" });
  } catch (error) {
    throw new PkiError("KEY_UNSUPPORTED", `${field}: the public key cannot be read (${(error as Error).message})`, field);
  }
  const keyIdentifier = new Uint8Array(createHash("sha1").update(spki.subjectPublicKey).digest());
  const oid = spki.oid;
  if (oid === OID_EC_PUBLIC_KEY) {
    // Named curves only: explicit curve parameters (RFC 5480 forbids them) report no name.
    const curve = keyObject.asymmetricKeyDetails?.namedCurve;
    const found = Object.values(KEY_ALGORITHMS).find((a) => a.curve !== undefined && a.curve === curve);
    if (!found) {
      throw new PkiError("KEY_UNSUPPORTED", `${field}: EC curve ${curve ?? "(explicit parameters)"} is not supported; use P-256, P-384 or P-521`, field);
    }
    return { algorithm: found, spkiDer, keyObject, keyIdentifier };
  }
  if (oid === OID_RSA_ENCRYPTION) {
    const bits = keyObject.asymmetricKeyDetails?.modulusLength ?? 0;
    if (bits < 2048) {
      throw new PkiError("KEY_TOO_WEAK", `${field}: RSA key of ${bits} bits is too weak; use 2048, 3072 or 4096 bits`, field);
    }
    const name = `rsa-${bits}` as KeyAlgorithmName;
    if (!(name in KEY_ALGORITHMS)) {
      throw new PkiError("KEY_UNSUPPORTED", `${field}: RSA key of ${bits} bits is not supported; use 2048, 3072 or 4096 bits`, field);
    }
    return { algorithm: KEY_ALGORITHMS[name], spkiDer, keyObject, keyIdentifier };
  }
  throw new PkiError("KEY_UNSUPPORTED", `${field}: key algorithm ${oid} is not supported; use an EC (P-256, P-384, P-521) or RSA (2048+) key`, field);
}

