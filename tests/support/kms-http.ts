import { createHash, createPublicKey } from "node:crypto";
import { Readable } from "node:stream";
import type { KMSClientConfig } from "@aws-sdk/client-kms";
import { KEY_ALGORITHMS } from "../../pki/key-algorithms";
import { kmsSigningClient } from "../../pki/kms-signer";
import { FakeKmsKey, opensslSignDigest } from "./kms-mock";
import { tempDir } from "./tools";

/** A KMS error as the service sends it over the JSON protocol. */
export interface KmsFault {
  readonly status: number;
  readonly type: string;
  readonly message: string;
}

/**
 * KMS at the HTTP layer, in process: the client's whole middleware stack (serialisation, signing,
 * the retry strategy, deserialisation of errors) runs against it, unlike aws-sdk-client-mock, which
 * replaces `send`. GetPublicKey returns the local key's SPKI; Sign signs the DIGEST with openssl,
 * after answering with the queued faults. Every HTTP request is recorded.
 */
export function kmsHttpEndpoint(key: FakeKmsKey, config: KMSClientConfig = {}) {
  const work = tempDir("edge-mtls-kms-http-");
  const info = KEY_ALGORITHMS[key.algorithm];
  const requests: string[] = [];
  const faults: KmsFault[] = [];
  const reply = (statusCode: number, body: object) => ({
    response: { statusCode, headers: { "content-type": "application/x-amz-json-1.1", "x-amzn-requestid": `request-${requests.length}` }, body: Readable.from([Buffer.from(JSON.stringify(body))]) },
  });
  const requestHandler = {
    handle: async (request: { headers: Record<string, string>; body: string | Uint8Array }) => {
      const operation = request.headers["x-amz-target"]!.replace(/^TrentService\./, "");
      requests.push(operation);
      // TextDecoder reads the bytes; the SDK's body type warns when treated as a string.
      const input = JSON.parse(typeof request.body === "string" ? request.body : new TextDecoder().decode(request.body)) as { KeyId: string; Message?: string; MessageType?: string; SigningAlgorithm?: string };
      if (input.KeyId !== key.keyId) return reply(400, { __type: "NotFoundException", message: `Key '${input.KeyId}' does not exist` });
      if (operation === "GetPublicKey") {
        const spki = createPublicKey(key.privateKey).export({ format: "der", type: "spki" });
        return reply(200, { KeyId: key.keyId, KeySpec: info.kmsKeySpec, KeyUsage: "SIGN_VERIFY", SigningAlgorithms: [info.kmsSigningAlgorithm], PublicKey: spki.toString("base64") });
      }
      if (operation !== "Sign") return reply(400, { __type: "UnsupportedOperationException", message: operation });
      const fault = faults.shift();
      if (fault) return reply(fault.status, { __type: fault.type, message: fault.message });
      const digest = Buffer.from(input.Message!, "base64");
      if (input.MessageType !== "DIGEST" || digest.length !== createHash(info.hash).digest().length) return reply(400, { __type: "ValidationException", message: "Digest is invalid length" });
      const signature = opensslSignDigest(work.dir, key.privateKey, key.algorithm, digest);
      return reply(200, { KeyId: key.keyId, SigningAlgorithm: input.SigningAlgorithm, Signature: Buffer.from(signature).toString("base64") });
    },
  };
  const client = kmsSigningClient({ region: "eu-west-2", credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "not-a-secret" }, requestHandler, ...config });
  return {
    client,
    /** The operations of every HTTP request, in order (retries included). */
    requests,
    /** The next Sign requests fail with these, in order. */
    failSign: (...next: KmsFault[]) => void faults.push(...next),
    cleanup: work.cleanup,
  };
}
