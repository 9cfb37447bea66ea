import { createHash, verify } from "node:crypto";
import { GetPublicKeyCommand, KMSClient, KMSClientConfig, SignCommand } from "@aws-sdk/client-kms";
import { PkiError } from "./errors";
import { inspectPublicKey, InspectedPublicKey, keyAlgorithmFromKmsSpec } from "./key-algorithms";
import type { Signer } from "./signer";

/** Attempts per KMS call, the first included, when KMS throttles or faults. */
export const KMS_MAX_ATTEMPTS = 5;

/**
 * The KMS client a signer should use: the SDK's standard retry strategy (exponential backoff with
 * full jitter, a longer base for throttling, a retry quota) retries throttling
 * (ThrottlingException, LimitExceededException) and transient faults (KMSInternalException 500,
 * DependencyTimeoutException 503) up to {@link KMS_MAX_ATTEMPTS} times; nothing else is retried.
 */
export function kmsSigningClient(config: KMSClientConfig = {}): KMSClient {
  return new KMSClient({ retryMode: "standard", maxAttempts: KMS_MAX_ATTEMPTS, ...config });
}

/** Options of a {@link KmsSigner}. */
export interface KmsSignerOptions {
  /** The KMS client, whose retry strategy handles throttling: build it with {@link kmsSigningClient}. */
  readonly client: KMSClient;
  /** Key id, ARN or alias of an asymmetric SIGN_VERIFY key. */
  readonly keyId: string;
}

const THROTTLED = new Set(["ThrottlingException", "LimitExceededException", "DependencyTimeoutException", "KMSInternalException"]);
const KEY_UNUSABLE = new Set(["NotFoundException", "DisabledException", "KMSInvalidStateException", "InvalidKeyUsageException", "KeyUnavailableException", "UnsupportedOperationException"]);

/**
 * A {@link Signer} whose private key never leaves AWS KMS. It hashes locally and calls `kms:Sign`
 * with `MessageType: DIGEST` (no 4 KB message limit, so large CRLs sign too), exactly once per
 * certificate or CRL; `GetPublicKey` is called once and cached.
 */
export class KmsSigner implements Signer {
  private publicKeyPromise?: Promise<InspectedPublicKey>;

  constructor(private readonly options: KmsSignerOptions) {}

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

  /** Sends one KMS call (the client's retry strategy does any retrying) and maps what KMS answered to PkiErrors. */
  private async call<T>(action: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      const name = (error as Error).name;
      const message = (error as Error).message;
      if (THROTTLED.has(name)) {
        const attempts = (error as { $metadata?: { attempts?: number } }).$metadata?.attempts ?? 1;
        throw new PkiError("KMS_THROTTLED", `${action} on ${this.options.keyId} still failing with ${name} after ${attempts} attempt${attempts === 1 ? "" : "s"}: ${message}`);
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
