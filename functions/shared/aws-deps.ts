import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { S3Client } from "@aws-sdk/client-s3";
import { KmsSigner, kmsSigningClient } from "../../pki/kms-signer";
import { S3ArtifactStore } from "./artifacts";
import { readCaConfig } from "./ca-config";
import type { CaDeps } from "./ca-service";
import { DynamoCaStore } from "./ca-store";
import { jsonLogger } from "./log";

/**
 * The real dependencies of a CA function, from its environment. The KMS client retries
 * throttling with the SDK's standard strategy; each certificate or CRL is still one Sign call.
 */
export async function makeCaDeps(env: Record<string, string | undefined>, options: { withRootKey: boolean }): Promise<CaDeps> {
  const config = readCaConfig(env);
  const kms = kmsSigningClient();
  return {
    config,
    store: new DynamoCaStore(DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } }), config.tableName),
    artifacts: new S3ArtifactStore(new S3Client({}), config.bucketName),
    rootSigner: options.withRootKey ? new KmsSigner({ client: kms, keyId: config.rootKeyId }) : undefined,
    issuingSigner: new KmsSigner({ client: kms, keyId: config.issuingKeyId }),
    clock: () => new Date(),
    log: jsonLogger(),
  };
}
