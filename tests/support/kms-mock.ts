import { strict as assert } from "node:assert";
import { createHash, createPublicKey, KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import { GetPublicKeyCommand, KMSClient, SignCommand, SignCommandInput } from "@aws-sdk/client-kms";
import { mockClient } from "aws-sdk-client-mock";
import { KEY_ALGORITHMS, KeyAlgorithmName } from "../../pki/key-algorithms";
import { generatePrivateKey } from "../../pki/local-signer";
import { put, tempDir, tool } from "./tools";

/** One fake KMS key: a real local key pair of the right spec. */
export interface FakeKmsKey {
  readonly keyId: string;
  readonly algorithm: KeyAlgorithmName;
  readonly privateKey: KeyObject;
  readonly keyUsage?: string;
}

/**
 * A KMS client whose GetPublicKey returns the local key's SPKI and whose Sign really signs the
 * digest it is given, with `openssl pkeyutl` (not node's signer, so our code is checked against
 * a second implementation). Like KMS, Sign refuses RAW messages over 4096 bytes, digests of the
 * wrong length and algorithms that do not fit the key.
 */
export function fakeKms(keys: FakeKmsKey[]) {
  const kms = mockClient(KMSClient);
  const work = tempDir("edge-mtls-kms-");
  const byId = new Map(keys.map((k) => [k.keyId, k]));
  const signCalls: SignCommandInput[] = [];
  const signFaults: Error[] = [];
  const signingKeyOverride = new Map<string, KeyObject>();
  kms.on(GetPublicKeyCommand).callsFake((input) => {
    const key = byId.get(input.KeyId);
    if (!key) throw Object.assign(new Error(`Key '${input.KeyId}' does not exist`), { name: "NotFoundException" });
    const info = KEY_ALGORITHMS[key.algorithm];
    return {
      KeyId: key.keyId,
      KeySpec: info.kmsKeySpec,
      KeyUsage: key.keyUsage ?? "SIGN_VERIFY",
      SigningAlgorithms: [info.kmsSigningAlgorithm],
      PublicKey: new Uint8Array(createPublicKey(key.privateKey).export({ format: "der", type: "spki" })),
    };
  });
  kms.on(SignCommand).callsFake((input: SignCommandInput) => {
    signCalls.push(input);
    const fault = signFaults.shift();
    if (fault) throw fault;
    const key = byId.get(input.KeyId!);
    if (!key) throw Object.assign(new Error(`Key '${input.KeyId}' does not exist`), { name: "NotFoundException" });
    const info = KEY_ALGORITHMS[key.algorithm];
    if (input.SigningAlgorithm !== info.kmsSigningAlgorithm) throw Object.assign(new Error("algorithm does not fit the key"), { name: "InvalidKeyUsageException" });
    const message = input.Message!;
    let digest: Uint8Array;
    if (input.MessageType === "DIGEST") {
      const expected = createHash(info.hash).digest().length;
      if (message.length !== expected) throw Object.assign(new Error(`Digest is invalid length (${message.length})`), { name: "ValidationException" });
      digest = message;
    } else {
      if (message.length > 4096) throw Object.assign(new Error("Message exceeds 4096 bytes"), { name: "ValidationException" });
      digest = createHash(info.hash).update(message).digest();
    }
    const signingKey = signingKeyOverride.get(key.keyId) ?? key.privateKey;
    return { KeyId: key.keyId, SigningAlgorithm: input.SigningAlgorithm, Signature: opensslSignDigest(work.dir, signingKey, key.algorithm, digest) };
  });
  return {
    kms,
    client: new KMSClient({ region: "eu-west-2", maxAttempts: 1 }),
    signCalls,
    /** The next Sign calls fail with these errors, in order. */
    failSign: (...errors: Error[]) => void signFaults.push(...errors),
    /** From now on, Sign for `keyId` uses another private key (a mis-wired key). */
    signWithWrongKey: (keyId: string, algorithm: KeyAlgorithmName) => void signingKeyOverride.set(keyId, generatePrivateKey(algorithm)),
    cleanup: () => {
      kms.restore();
      work.cleanup();
    },
  };
}

/** Signs a digest as KMS does for the key's algorithm, with `openssl pkeyutl` (a second implementation, not node's signer). */
export function opensslSignDigest(workDir: string, privateKey: KeyObject, algorithm: KeyAlgorithmName, digest: Uint8Array): Uint8Array {
  const info = KEY_ALGORITHMS[algorithm];
  // Key ids are ARNs: files are named by their content's hash, not by id.
  const pem = privateKey.export({ format: "pem", type: "pkcs8" });
  const keyFile = put(workDir, `key-${createHash("sha256").update(pem).digest("hex").slice(0, 16)}.pem`, pem);
  const digestFile = put(workDir, "digest.bin", digest);
  const args = ["pkeyutl", "-sign", "-inkey", keyFile, "-in", digestFile, "-out", `${workDir}/sig.bin`];
  if (info.kind === "rsa") args.push("-pkeyopt", `digest:${info.hash}`, "-pkeyopt", "rsa_padding_mode:pkcs1");
  const signed = tool("openssl", args);
  assert.equal(signed.status, 0, signed.stderr);
  return new Uint8Array(readFileSync(`${workDir}/sig.bin`));
}

/** A fake key of the given type. */
export function fakeKey(keyId: string, algorithm: KeyAlgorithmName, keyUsage?: string): FakeKmsKey {
  return { keyId, algorithm, privateKey: generatePrivateKey(algorithm), keyUsage };
}

/** An error shaped like the SDK's service exceptions (their `name` is what callers see). */
export function awsError(name: string, message: string): Error {
  return Object.assign(new Error(message), { name, $metadata: {} });
}
