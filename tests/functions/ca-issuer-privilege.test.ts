import { strict as assert } from "node:assert";
import { handle as admin } from "../../functions/ca-admin";
import { handle as issuer, IssueResponse } from "../../functions/ca-issuer";
import { functionStatements } from "../../components/ca-policies";
import { createCsr } from "../../pki/csr";
import { generatePrivateKey } from "../../pki/local-signer";
import { fakeCaWorld } from "../support/ca-deps";
import { allows, itemRequests } from "../support/iam-dynamo";

const TABLE_ARN = "arn:aws:dynamodb:eu-west-2:111111111111:table/ca-table";
const ARNS = { partition: "aws", accountId: "111111111111", rootKeyArn: "arn:aws:kms:eu-west-2:111111111111:key/root", issuingKeyArn: "arn:aws:kms:eu-west-2:111111111111:key/issuing", tableArn: TABLE_ARN, bucketArn: "arn:aws:s3:::ca-bucket" };

describe("ca-issuer's role, judged item by item against what the issuer really sends to DynamoDB", function () {
  this.timeout(60_000);
  let world: ReturnType<typeof fakeCaWorld>;
  before(async () => {
    world = fakeCaWorld();
    await admin({ action: "bootstrap" }, world.admin());
    world.dynamo.ddb.resetHistory();
  });
  after(() => world.cleanup());

  it("allows every item of an issue, an idempotent replay and an idempotency conflict", async () => {
    const csrPem = createCsr(generatePrivateKey("ecdsa-p256"), { commonName: "CloudFront", organizationalUnit: "CloudFront" });
    const first = (await issuer({ csrPem, purposes: ["client_auth"], lifetimeDays: 90, idempotencyKey: "origin-2026-11" }, world.worker())) as IssueResponse;
    assert.ok(first.certificatePem, JSON.stringify(first));
    const replay = (await issuer({ csrPem, purposes: ["client_auth"], lifetimeDays: 90, idempotencyKey: "origin-2026-11" }, world.worker())) as IssueResponse;
    assert.equal(replay.serialNumber, first.serialNumber);
    await issuer({ csrPem, purposes: ["client_auth"], lifetimeDays: 30, idempotencyKey: "origin-2026-11" }, world.worker());
    const requests = itemRequests(world.dynamo.ddb);
    const statements = functionStatements("ca-issuer", ARNS);
    // The run really went through the transaction and the reads it must be allowed.
    assert.deepEqual([...new Set(requests.map((r) => `${r.action} ${r.partitionKey.replace(/#.*/, "#")}`))].sort(), ["dynamodb:GetItem CA#", "dynamodb:GetItem CERT#", "dynamodb:GetItem IDEMPOTENCY#", "dynamodb:PutItem CERT#", "dynamodb:PutItem IDEMPOTENCY#"]);
    for (const request of requests) assert.ok(allows(statements, TABLE_ARN, request), `ca-issuer's role refuses ${request.action} on ${request.partitionKey}`);
  });

  it("refuses what a compromised issuer could otherwise write or read: CA records, reminders, updates", () => {
    const statements = functionStatements("ca-issuer", ARNS);
    for (const request of [
      { action: "dynamodb:PutItem", partitionKey: "CA#issuing" },
      { action: "dynamodb:PutItem", partitionKey: "CA#root" },
      { action: "dynamodb:PutItem", partitionKey: "REMINDER#abc" },
      { action: "dynamodb:GetItem", partitionKey: "REMINDER#abc" },
      { action: "dynamodb:UpdateItem", partitionKey: "CERT#01" },
      { action: "dynamodb:DeleteItem", partitionKey: "CERT#01" },
    ]) {
      assert.equal(allows(statements, TABLE_ARN, request), false, `${request.action} on ${request.partitionKey}`);
    }
  });
});
