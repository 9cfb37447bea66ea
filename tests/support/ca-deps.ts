import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { S3Client } from "@aws-sdk/client-s3";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { KmsSigner } from "../../pki/kms-signer";
import { S3ArtifactStore } from "../../functions/shared/artifacts";
import { CaConfig, readCaConfig } from "../../functions/shared/ca-config";
import type { CaDeps } from "../../functions/shared/ca-service";
import { DynamoCaStore } from "../../functions/shared/ca-store";
import { Logger } from "../../functions/shared/log";
import { memoryDynamo, memoryS3 } from "./aws-memory";
import { fakeKey, fakeKms } from "./kms-mock";

/** The environment the ServerlessCa component gives the functions, for tests. */
export const TEST_CA_ENV: Record<string, string> = {
  CA_TABLE: "ca-table",
  CA_BUCKET: "ca-bucket",
  ROOT_KEY_ID: "root-key",
  ISSUING_KEY_ID: "issuing-key",
  ROOT_SUBJECT: JSON.stringify({ commonName: "Cloud Root CA", country: "GB", organization: "Cloud CA" }),
  ISSUING_SUBJECT: JSON.stringify({ commonName: "Cloud Issuing CA", country: "GB", locality: "London", organization: "Cloud CA", organizationalUnit: "Security Operations" }),
  ISSUANCE_POLICY: JSON.stringify({
    maxLifetimeDays: 365,
    defaultLifetimeDays: 90,
    names: {
      client_auth: { commonNames: ["CloudFront", "My Test Certificate", "user-*", "edge-mtls-smoke-test"], organizationalUnits: ["CloudFront", "Security Operations", "Smoke Test"], dnsNames: [], ipAddresses: [] },
      server_auth: { commonNames: ["*.example.com"], organizationalUnits: ["*"], dnsNames: [".example.com"], ipAddresses: [] },
    },
  }),
  LEAF_PROFILE: JSON.stringify({ crlUrls: ["http://pki.example.com/issuing-ca.crl"] }),
  REVOKER_FUNCTION: "edge-mtls-dev-ca-revoker",
};

/** Everything a CA handler test needs: deps over real SDK clients whose services are in memory. */
export function fakeCaWorld(env: Record<string, string> = TEST_CA_ENV) {
  const config: CaConfig = readCaConfig(env);
  const kms = fakeKms([fakeKey(config.rootKeyId, "ecdsa-p384"), fakeKey(config.issuingKeyId, "ecdsa-p256")]);
  const dynamo = memoryDynamo();
  const s3 = memoryS3();
  const logs: string[] = [];
  const log: Logger = {
    info: (event, fields) => logs.push(JSON.stringify({ level: "info", event, ...fields })),
    error: (event, fields) => logs.push(JSON.stringify({ level: "error", event, ...fields })),
    metric: (namespace, name, value) => logs.push(JSON.stringify({ metric: `${namespace}/${name}`, value })),
  };
  let now = new Date();
  const deps = (withRoot: boolean): CaDeps => ({
    config,
    store: new DynamoCaStore(DynamoDBDocumentClient.from(new DynamoDBClient({ region: "eu-west-2" }), { marshallOptions: { removeUndefinedValues: true } }), config.tableName),
    artifacts: new S3ArtifactStore(new S3Client({ region: "eu-west-2" }), config.bucketName),
    rootSigner: withRoot ? new KmsSigner({ client: kms.client, keyId: config.rootKeyId }) : undefined,
    issuingSigner: new KmsSigner({ client: kms.client, keyId: config.issuingKeyId }),
    clock: () => now,
    log,
  });
  return {
    config,
    kms,
    dynamo,
    s3,
    logs,
    admin: () => deps(true),
    worker: () => deps(false),
    setNow: (date: Date) => void (now = date),
    cleanup: () => {
      kms.cleanup();
      dynamo.restore();
      s3.restore();
    },
  };
}
