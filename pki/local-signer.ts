import { createPrivateKey, createPublicKey, generateKeyPairSync, KeyObject, sign } from "node:crypto";
import { PkiError } from "./errors";
import { inspectPublicKey, InspectedPublicKey, KEY_ALGORITHMS, KeyAlgorithmName } from "./key-algorithms";
import type { Signer } from "./signer";

/** Generates a fresh private key of the given type with node crypto. */
export function generatePrivateKey(algorithmName: KeyAlgorithmName): KeyObject {
  const algorithm = KEY_ALGORITHMS[algorithmName];
  return algorithm.kind === "ec"
    ? generateKeyPairSync("ec", { namedCurve: algorithm.curve! }).privateKey
    : generateKeyPairSync("rsa", { modulusLength: algorithm.modulusLength! }).privateKey;
}

/**
 * Exports a private key as PEM in the forms ACM documents for import: SEC1 `EC PRIVATE KEY` for EC
 * keys, PKCS#1 `RSA PRIVATE KEY` for RSA keys.
 */
export function privateKeyToPem(key: KeyObject): string {
  return key.export({ format: "pem", type: key.asymmetricKeyType === "ec" ? "sec1" : "pkcs1" }).toString();
}

/** A {@link Signer} over a node crypto private key: the local CA, the rehearsal, tests and benchmarks. */
export class LocalSigner implements Signer {
  private readonly inspected: InspectedPublicKey;

  constructor(readonly privateKey: KeyObject) {
    const spki = createPublicKey(privateKey).export({ format: "der", type: "spki" });
    this.inspected = inspectPublicKey(new Uint8Array(spki), "privateKey");
  }

  /** A signer over a freshly generated key. */
  static generate(algorithmName: KeyAlgorithmName): LocalSigner {
    return new LocalSigner(generatePrivateKey(algorithmName));
  }

  /** A signer over a PEM private key (PKCS#8, SEC1 or PKCS#1). */
  static fromPrivateKeyPem(pem: string, field = "privateKey"): LocalSigner {
    try {
      return new LocalSigner(createPrivateKey(pem));
    } catch (error) {
      if (error instanceof PkiError) throw error;
      throw new PkiError("PEM_INVALID", `${field}: not a readable private key (${(error as Error).message})`, field);
    }
  }

  /** The private key as PEM, in the form ACM accepts (see {@link privateKeyToPem}). */
  privateKeyPem(): string {
    return privateKeyToPem(this.privateKey);
  }

  async publicKey(): Promise<InspectedPublicKey> {
    return this.inspected;
  }

  async sign(data: Uint8Array): Promise<Uint8Array> {
    return this.signSync(data);
  }

  /** The same signature, synchronously (the hot path of local issuance). */
  signSync(data: Uint8Array): Uint8Array {
    return new Uint8Array(sign(this.inspected.algorithm.hash, data, this.privateKey));
  }
}
