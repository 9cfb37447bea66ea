import { createHash, verify } from "node:crypto";
import { GetPublicKeyCommand, KMSClient, SignCommand } from "@aws-sdk/client-kms";
import { PkiError } from "./errors";
import { inspectPublicKey, InspectedPublicKey, keyAlgorithmFromKmsSpec } from "./key-algorithms";
import type { Signer } from "./signer";

/** Options of a {@link KmsSigner}. */
export interface KmsSignerOptions {
  /** The KMS client (build it with `maxAttempts: 1` so this signer owns the retry policy). */
  readonly client: KMSClient;
  /** Key id, ARN or alias of an asymmetric SIGN_VERIFY key. */
  readonly keyId: string;
  /** Attempts per call when KMS throttles, including the first; default 5. */
  readonly maxAttempts?: number;
  /** First backoff delay in ms, doubled each retry with full jitter; default 100. */
  readonly baseDelayMs?: number;
  /** Sleep function, injectable for tests. */
  readonly sleep?: (ms: number) => Promise<void>;
}

const RETRYABLE = new Set(["ThrottlingException", "LimitExceededException", "DependencyTimeoutException", "KMSInternalException"]);
const KEY_UNUSABLE = new Set(["NotFoundException", "DisabledException", "KMSInvalidStateException", "InvalidKeyUsageException", "KeyUnavailableException", "UnsupportedOperationException"]);

/**
 * A {@link Signer} whose private key never leaves AWS KMS. It hashes locally and calls `kms:Sign`
 * with `MessageType: DIGEST` (no 4 KB message limit, so large CRLs sign too), exactly once per
 * certificate or CRL; `GetPublicKey` is called once and cached.
 */
export class KmsSigner implements Signer {
  private publicKeyPromise?: Promise<InspectedPublicKey>;
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: KmsSignerOptions) {
    this.maxAttempts = options.maxAttempts ?? 5;
    this.baseDelayMs = options.baseDelayMs ?? 100;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  publicKey(): Promise<InspectedPublicKey> {
    if (!this.publicKeyPromise) {
      this.publicKeyPromise = this.fetchPublicKey();
      // A failed fetch is not cached: the next call tries again.
      this.publicKeyPromise.catch(() => (this.publicKeyPromise = undefined));
    }
    return this.publicKeyPromise;
  }

  async sign(data: Uint8Array): Promise<Uint8Array> {
    const publicKey = await this.publicKey();
    const algorithm = publicKey.algorithm;
    const digest = createHash(algorithm.hash).update(data).digest();
    const response = await this.call("kms:Sign", () =>
      this.options.client.send(
        new SignCommand({ KeyId: this.options.keyId, Message: digest, MessageType: "DIGEST", SigningAlgorithm: algorithm.kmsSigningAlgorithm }),
      ),
    );
    if (!response.Signature) throw new PkiError("KMS_FAILED", `kms:Sign on ${this.options.keyId} returned no signature`);
    const signature = new Uint8Array(response.Signature);
    // A signature that does not verify means the key is not the one we think: never publish it.
    if (!verify(algorithm.hash, data, publicKey.keyObject, signature)) {
      throw new PkiError("KMS_KEY_UNUSABLE", `kms:Sign on ${this.options.keyId} returned a signature that does not verify with the key's public key`);
    }
    return signature;
  }

  private async fetchPublicKey(): Promise<InspectedPublicKey> {
    const response = await this.call("kms:GetPublicKey", () => this.options.client.send(new GetPublicKeyCommand({ KeyId: this.options.keyId })));
    if (response.KeyUsage !== "SIGN_VERIFY") {
      throw new PkiError("KMS_KEY_UNUSABLE", `KMS key ${this.options.keyId} has key usage ${response.KeyUsage}; a CA key must be SIGN_VERIFY`, "keyId");
    }
    const algorithm = keyAlgorithmFromKmsSpec(response.KeySpec);
    if (response.SigningAlgorithms && !response.SigningAlgorithms.includes(algorithm.kmsSigningAlgorithm)) {
      throw new PkiError("KMS_KEY_UNUSABLE", `KMS key ${this.options.keyId} does not offer ${algorithm.kmsSigningAlgorithm}`, "keyId");
    }
    if (!response.PublicKey) throw new PkiError("KMS_FAILED", `kms:GetPublicKey on ${this.options.keyId} returned no public key`);
    const inspected = inspectPublicKey(new Uint8Array(response.PublicKey), "keyId");
    if (inspected.algorithm.name !== algorithm.name) {
      throw new PkiError("KMS_KEY_UNUSABLE", `KMS key ${this.options.keyId} reports ${response.KeySpec} but its public key is ${inspected.algorithm.name}`, "keyId");
    }
    return inspected;
  }

  /** Runs one KMS call with bounded, jittered exponential backoff on throttling; maps errors to PkiErrors. */
  private async call<T>(action: string, send: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await send();
      } catch (error) {
        const name = (error as Error).name;
        const message = (error as Error).message;
        if (RETRYABLE.has(name) && attempt < this.maxAttempts) {
          await this.sleep(Math.random() * this.baseDelayMs * 2 ** (attempt - 1));
          continue;
        }
        if (RETRYABLE.has(name)) {
          throw new PkiError("KMS_THROTTLED", `${action} on ${this.options.keyId} still failing with ${name} after ${attempt} attempts: ${message}`);
        }
        if (name === "AccessDeniedException") {
          throw new PkiError("KMS_ACCESS_DENIED", `${action} on ${this.options.keyId} was denied: ${message}. The caller needs ${action} on this key in both its IAM policy and the key policy.`);
        }
        if (KEY_UNUSABLE.has(name)) {
          throw new PkiError("KMS_KEY_UNUSABLE", `${action} on ${this.options.keyId} failed with ${name}: ${message}`, "keyId");
        }
        throw new PkiError("KMS_FAILED", `${action} on ${this.options.keyId} failed with ${name}: ${message}`);
      }
    }
  }
}
