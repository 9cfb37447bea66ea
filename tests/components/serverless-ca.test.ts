import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { eventPatternMatches } from "../support/eventbridge";
import { ACCOUNT_ID, installMocks, named, ofType, promiseOf, recorded, REGION, resetRecorded, settle } from "../support/pulumi-mocks";
import { put, tempDir, tool } from "../support/tools";
import type { PolicyDocument, PolicyStatement } from "../../components/ca-policies";

type Ca = import("../../components/serverless-ca").ServerlessCa;

const asList = (value: string | readonly string[] | undefined): string[] => (value === undefined ? [] : Array.isArray(value) ? [...value] : [value as string]);
const parse = (json: string): PolicyDocument => JSON.parse(json);
const statement = (doc: PolicyDocument, sid: string): PolicyStatement => {
  const found = doc.Statement.find((s) => s.Sid === sid);
  assert.ok(found, `no statement ${sid} in ${JSON.stringify(doc)}`);
  return found;
};

describe("components: ServerlessCa (under Pulumi mocks)", function () {
  this.timeout(120_000);
  const work = tempDir();
  let ca: Ca;
  const roleArn = (fn: string) => `arn:aws:iam::${ACCOUNT_ID}:role/test-ca-${fn}-role`;
  const keyArn = (key: string) => `arn:aws:kms:${REGION}:${ACCOUNT_ID}:key/test-ca-${key}-key-id`;

  before(async () => {
    installMocks({});
    resetRecorded();
    const { ServerlessCa } = await import("../../components/serverless-ca");
    ca = new ServerlessCa("test-ca", {
      environment: "test",
      rootSubject: { commonName: "Cloud Root CA", organization: "Cloud CA", country: "GB" },
      issuingSubject: { commonName: "Cloud Issuing CA", organization: "Cloud CA", organizationalUnit: "Security Operations", country: "GB" },
      workloadPrincipals: ["222222222222", "arn:aws:iam::333333333333:role/deployer"],
      revokerPrincipals: ["arn:aws:iam::444444444444:role/pki-admins"],
      publicBaseUrl: "https://pki.example.com/",
      alarmTopicArn: "arn:aws:sns:eu-west-2:111111111111:alarms",
      protect: true,
    });
    await promiseOf(ca.trustBundlePem);
    await settle();
  });
  after(work.cleanup);

  it("bootstraps through ca-admin and exposes real certificates: the issuing CA verifies under the root", async () => {
    const [root, issuing, bundle, uri, version] = await Promise.all([promiseOf(ca.rootCaCertPem), promiseOf(ca.issuingCaCertPem), promiseOf(ca.trustBundlePem), promiseOf(ca.trustBundleS3Uri), promiseOf(ca.trustBundleS3Version)]);
    assert.equal(bundle, root + issuing);
    const verify = tool("openssl", ["verify", "-x509_strict", "-CAfile", put(work.dir, "root.pem", root), put(work.dir, "issuing.pem", issuing)]);
    assert.equal(verify.status, 0, verify.output);
    assert.match(tool("openssl", ["x509", "-noout", "-subject", "-ext", "crlDistributionPoints"], { input: issuing }).stdout, /CN = Cloud Issuing CA[\s\S]*https:\/\/pki\.example\.com\/root-ca\.crl/);
    assert.match(uri, /^s3:\/\/test-ca-artifacts-bucket\/ca-bundle\.pem$/);
    assert.ok(version.length > 0);
    assert.deepEqual(await promiseOf(ca.crlUrls), [
      "s3://test-ca-artifacts-bucket/issuing-ca.crl",
      "s3://test-ca-artifacts-bucket/root-ca.crl",
      "https://pki.example.com/issuing-ca.crl",
      "https://pki.example.com/root-ca.crl",
    ]);
    assert.equal(await promiseOf(ca.caAccountId), ACCOUNT_ID);
    assert.match(await promiseOf(ca.issuerFunctionArn), /:function:edge-mtls-test-ca-issuer$/);
  });

  it("creates sign-only KMS keys of the configured specs and a symmetric keygen key", () => {
    const root = named("test-ca-root-key").inputs;
    const issuing = named("test-ca-issuing-key").inputs;
    const keygen = named("test-ca-keygen-key").inputs;
    assert.deepEqual([root.customerMasterKeySpec, root.keyUsage], ["ECC_NIST_P384", "SIGN_VERIFY"]);
    assert.deepEqual([issuing.customerMasterKeySpec, issuing.keyUsage], ["ECC_NIST_P256", "SIGN_VERIFY"]);
    assert.deepEqual([keygen.customerMasterKeySpec, keygen.keyUsage, keygen.enableKeyRotation], ["SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT", true]);
    for (const key of [root, issuing, keygen]) assert.equal(key.deletionWindowInDays, 30);
  });

  it("key policies: only ca-admin signs with the root key; the other functions with the issuing key; no kms:* anywhere", () => {
    const rootPolicy = parse(named("test-ca-root-key").inputs.policy);
    const issuingPolicy = parse(named("test-ca-issuing-key").inputs.policy);
    assert.deepEqual(asList((statement(rootPolicy, "CaFunctionsSign").Principal as { AWS: string[] }).AWS), [roleArn("ca-admin")]);
    assert.deepEqual(asList((statement(issuingPolicy, "CaFunctionsSign").Principal as { AWS: string[] }).AWS), [roleArn("ca-admin"), roleArn("ca-issuer"), roleArn("ca-revoker"), roleArn("ca-crl")]);
    for (const policy of [rootPolicy, issuingPolicy, parse(named("test-ca-keygen-key").inputs.policy)]) {
      const admin = statement(policy, "AccountAdministersKey");
      assert.deepEqual((admin.Principal as { AWS: string }).AWS, `arn:aws:iam::${ACCOUNT_ID}:root`);
      for (const action of asList(admin.Action)) {
        assert.doesNotMatch(action, /^kms:(\*|Sign|Verify|Decrypt|Encrypt|GenerateDataKey|ReEncrypt)/, `account statement must not grant ${action}`);
      }
      // Exactly the reviewed administration actions, each named: no wildcard, and no CreateGrant
      // (a grant would let an account principal give itself kms:Sign).
      assert.deepEqual(asList(admin.Action), [
        "kms:DescribeKey",
        "kms:GetKeyPolicy",
        "kms:GetKeyRotationStatus",
        "kms:GetPublicKey",
        "kms:ListResourceTags",
        "kms:ListKeyPolicies",
        "kms:ListGrants",
        "kms:PutKeyPolicy",
        "kms:UpdateKeyDescription",
        "kms:EnableKey",
        "kms:DisableKey",
        "kms:EnableKeyRotation",
        "kms:DisableKeyRotation",
        "kms:CreateAlias",
        "kms:UpdateAlias",
        "kms:DeleteAlias",
        "kms:TagResource",
        "kms:UntagResource",
        "kms:RevokeGrant",
        "kms:ScheduleKeyDeletion",
        "kms:CancelKeyDeletion",
      ]);
      for (const s of policy.Statement) {
        for (const action of asList(s.Action)) assert.doesNotMatch(action, /\*/, `${s.Sid} has a wildcard action ${action}`);
        assert.ok(!asList(s.Action).some((a) => ["kms:CreateGrant", "kms:RetireGrant", "kms:ReplicateKey", "kms:ImportKeyMaterial"].includes(a)), `${s.Sid} grants a way to new key use`);
        // In a key policy "*" is the only Resource there is: it means "this key" (AWS KMS permissions reference).
        assert.equal(s.Resource, "*");
      }
    }
    const keygen = statement(parse(named("test-ca-keygen-key").inputs.policy), "GenerateClientKeyPairs");
    assert.deepEqual(asList(keygen.Action), ["kms:GenerateDataKeyPair"]);
    assert.deepEqual((keygen.Principal as { AWS: string[] }).AWS, [`arn:aws:iam::${ACCOUNT_ID}:root`, "arn:aws:iam::222222222222:root", "arn:aws:iam::333333333333:role/deployer"]);
    assert.deepEqual(keygen.Condition, { "ForAnyValue:StringEquals": { "kms:DataKeyPairSpec": ["ECC_NIST_P256", "ECC_NIST_P384", "RSA_2048"] } });
  });

  it("function roles are least privilege: exact actions on exact ARNs, no '*' resource", () => {
    const policies = Object.fromEntries(["ca-admin", "ca-issuer", "ca-revoker", "ca-crl"].map((fn) => [fn, parse(named(`test-ca-${fn}-policy`).inputs.policy)]));
    for (const [fn, policy] of Object.entries(policies)) {
      for (const s of policy.Statement) {
        assert.equal(s.Effect, "Allow");
        for (const resource of asList(s.Resource)) assert.notEqual(resource, "*", `${fn}: ${s.Sid} has a '*' resource`);
        for (const action of asList(s.Action)) assert.doesNotMatch(action, /\*/, `${fn}: ${s.Sid} has a wildcard action ${action}`);
      }
      assert.deepEqual(asList(statement(policy, "WriteOwnLogs").Resource), [`arn:aws:logs:${REGION}:${ACCOUNT_ID}:log-group:/aws/lambda/edge-mtls-test-${fn}:*`]);
    }
    const bucketObject = (key: string) => `arn:aws:s3:::test-ca-artifacts/${key}`;
    assert.deepEqual(asList(statement(policies["ca-admin"]!, "SignWithCaKeys").Resource), [keyArn("root"), keyArn("issuing")]);
    assert.deepEqual([asList(statement(policies["ca-admin"]!, "IndexLegacyCertificates").Action), asList(statement(policies["ca-admin"]!, "IndexLegacyCertificates").Resource)], [["dynamodb:Scan"], [`arn:aws:dynamodb:${REGION}:${ACCOUNT_ID}:table/test-ca-inventory`]]);
    const table = `arn:aws:dynamodb:${REGION}:${ACCOUNT_ID}:table/test-ca-inventory`;
    const shape = (policy: PolicyDocument) => policy.Statement.filter((s) => s.Sid !== "WriteOwnLogs").map((s) => [s.Sid, asList(s.Action), asList(s.Resource)]);
    // ca-issuer issues and nothing else: it can neither mark a certificate revoked (no UpdateItem) nor publish a CRL.
    assert.deepEqual(shape(policies["ca-issuer"]!), [
      ["SignWithIssuingKey", ["kms:Sign", "kms:GetPublicKey"], [keyArn("issuing")]],
      ["ReadInventory", ["dynamodb:GetItem"], [table]],
      ["CreateCertificates", ["dynamodb:PutItem"], [table]],
    ]);
    // Held to its own partitions (each Put of a transaction is authorised as its PutItem).
    assert.deepEqual(statement(policies["ca-issuer"]!, "ReadInventory").Condition, { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": ["CA#root", "CA#issuing", "CERT#*", "IDEMPOTENCY#*"] } });
    assert.deepEqual(statement(policies["ca-issuer"]!, "CreateCertificates").Condition, { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": ["CERT#*", "IDEMPOTENCY#*"] } });
    // ca-revoker and ca-crl update items (revocation mark, CRL counter), never create them; they write only the issuing CRL.
    for (const [fn, sid] of [["ca-revoker", "MarkRevoked"], ["ca-crl", "CrlCounter"]] as const) {
      assert.deepEqual(shape(policies[fn]!), [
        ["SignWithIssuingKey", ["kms:Sign", "kms:GetPublicKey"], [keyArn("issuing")]],
        [sid, ["dynamodb:GetItem", "dynamodb:UpdateItem"], [table]],
        ["ListRevoked", ["dynamodb:Query"], [`${table}/index/revoked`]],
        ["PublishIssuingCrl", ["s3:GetObject", "s3:PutObject"], [bucketObject("issuing-ca.crl")]],
        ["TellMissingObjects", ["s3:ListBucket"], ["arn:aws:s3:::test-ca-artifacts"]],
      ], fn);
    }
    assert.equal(asList(statement(policies["ca-admin"]!, "PublishCaArtifacts").Resource).length, 7);
    assert.deepEqual([asList(statement(policies["ca-admin"]!, "TellMissingObjects").Action), asList(statement(policies["ca-admin"]!, "TellMissingObjects").Resource)], [["s3:ListBucket"], ["arn:aws:s3:::test-ca-artifacts"]]);
    for (const role of ofType("aws:iam/role:Role").filter((r) => r.name.endsWith("ca-issuer-role"))) {
      assert.deepEqual(parse(role.inputs.assumeRolePolicy).Statement[0]!.Principal, { Service: "lambda.amazonaws.com" });
    }
  });

  it("the inventory table is on-demand, encrypted, point-in-time recoverable, deletion-protected in prod, with the revoked, expiry and series indexes and TTL on reminder records", () => {
    const table = named("test-ca-inventory").inputs;
    assert.equal(table.billingMode, "PAY_PER_REQUEST");
    assert.deepEqual(table.pointInTimeRecovery, { enabled: true });
    assert.deepEqual(table.serverSideEncryption, { enabled: true });
    assert.equal(table.deletionProtectionEnabled, true);
    assert.deepEqual(table.globalSecondaryIndexes.map((g: { name: string; hashKey: string; rangeKey: string; projectionType: string }) => [g.name, g.hashKey, g.rangeKey, g.projectionType]), [
      ["revoked", "revokedBy", "serialHex", "ALL"],
      ["expiry", "expiryYear", "notAfter", "INCLUDE"],
      ["series", "series", "notAfter", "INCLUDE"],
    ]);
    // The listing and the reminders read from the expiry index, never the certificate PEM.
    assert.ok(!table.globalSecondaryIndexes[1].nonKeyAttributes.includes("certificatePem"));
    // No projected attribute is a key attribute of the table or of any index.
    const keys = [table.hashKey, table.rangeKey, ...table.globalSecondaryIndexes.flatMap((g: { hashKey: string; rangeKey: string }) => [g.hashKey, g.rangeKey])];
    for (const index of table.globalSecondaryIndexes) assert.deepEqual((index.nonKeyAttributes ?? []).filter((a: string) => keys.includes(a)), [], index.name);
    assert.deepEqual(table.ttl, { attributeName: "expiresAt", enabled: true });
  });

  it("the artifact bucket is versioned, encrypted, private, owner-enforced, TLS-only and readable by the workload accounts only", () => {
    assert.equal(named("test-ca-artifacts").inputs.forceDestroy, false);
    assert.deepEqual(named("test-ca-artifacts-versioning").inputs.versioningConfiguration, { status: "Enabled" });
    assert.equal(named("test-ca-artifacts-encryption").inputs.rules[0].applyServerSideEncryptionByDefault.sseAlgorithm, "AES256");
    const block = named("test-ca-artifacts-public-access").inputs;
    assert.deepEqual([block.blockPublicAcls, block.blockPublicPolicy, block.ignorePublicAcls, block.restrictPublicBuckets], [true, true, true, true]);
    assert.equal(named("test-ca-artifacts-ownership").inputs.rule.objectOwnership, "BucketOwnerEnforced");
    const policy = parse(named("test-ca-artifacts-policy").inputs.policy);
    const deny = statement(policy, "DenyInsecureTransport");
    assert.deepEqual([deny.Effect, deny.Principal, deny.Condition], ["Deny", "*", { Bool: { "aws:SecureTransport": false } }]);
    const read = statement(policy, "WorkloadAccountsRead");
    assert.deepEqual(asList(read.Action), ["s3:GetObject", "s3:GetObjectVersion"]);
    assert.deepEqual(asList(read.Resource).map((r) => r.replace(/^arn:aws:s3:::[^/]+\//, "")).sort(), ["ca-bundle.pem", "issuing-ca.crl", "issuing-ca.crt", "issuing-ca.pem", "root-ca.crl", "root-ca.crt", "root-ca.pem"], "each published object by name, no /*");
    assert.deepEqual((read.Principal as { AWS: string[] }).AWS, ["arn:aws:iam::222222222222:root", "arn:aws:iam::333333333333:role/deployer"]);
  });

  it("functions run the esbuild bundles on nodejs22.x arm64 with their own log group and the CA environment", async () => {
    const { bundleFunction } = await import("../../components/lambda-bundle");
    for (const fn of ["ca-admin", "ca-issuer", "ca-revoker", "ca-crl"]) {
      const inputs = named(`test-ca-${fn}`).inputs;
      assert.equal(inputs.runtime, "nodejs22.x");
      assert.deepEqual(inputs.architectures, ["arm64"]);
      assert.equal(inputs.handler, "index.handler");
      assert.equal(inputs.sourceCodeHash, bundleFunction(fn).sha256);
      assert.equal(inputs.loggingConfig.logGroup, `/aws/lambda/edge-mtls-test-${fn}`);
      assert.equal(inputs.role, roleArn(fn));
      const env = inputs.environment.variables;
      assert.equal(env.ROOT_KEY_ID, keyArn("root"));
      assert.equal(env.ISSUING_KEY_ID, keyArn("issuing"));
      assert.equal(JSON.parse(env.LEAF_PROFILE).crlUrls[0], "https://pki.example.com/issuing-ca.crl");
      assert.deepEqual(JSON.parse(env.ISSUANCE_POLICY).names.client_auth.commonNames, ["CloudFront", "edge-mtls-smoke-test"]);
      assert.equal(env.REVOKER_FUNCTION, "edge-mtls-test-ca-revoker", "ca-issuer names it when asked to revoke");
    }
    for (const group of ofType("aws:cloudwatch/logGroup:LogGroup")) assert.equal(group.inputs.retentionInDays, 365);
  });

  it("schedules the issuing CRL on ca-crl, the root CRL on ca-admin and the daily reminders, through a scheduler role limited to those functions", () => {
    const issuing = named("test-ca-issuing-crl-schedule").inputs;
    assert.equal(issuing.scheduleExpression, "rate(1 hour)");
    assert.match(issuing.target.arn, /function:edge-mtls-test-ca-crl$/);
    const root = named("test-ca-root-crl-schedule").inputs;
    assert.match(root.target.arn, /function:edge-mtls-test-ca-admin$/);
    assert.equal(root.target.input, JSON.stringify({ action: "root-crl" }));
    const policy = parse(named("test-ca-scheduler-policy").inputs.policy);
    assert.deepEqual(asList(policy.Statement[0]!.Resource).map((arn) => arn.split(":").pop()), ["edge-mtls-test-ca-crl", "edge-mtls-test-ca-admin", "edge-mtls-test-ca-reminders"]);
    assert.equal(named("test-ca-expiry-reminders-schedule").inputs.scheduleExpression, "rate(1 day)");
    assert.deepEqual(parse(named("test-ca-scheduler-role").inputs.assumeRolePolicy).Statement[0]!.Condition, { StringEquals: { "aws:SourceAccount": ACCOUNT_ID } });
  });

  it("alarms on function errors and on a stale CRL, to the configured topic", () => {
    const alarms = ofType("aws:cloudwatch/metricAlarm:MetricAlarm");
    assert.equal(alarms.length, 8, "six function error alarms (four CA functions, ca-inventory, ca-reminders), the stale CRL, the undelivered key-change event");
    for (const alarm of alarms) assert.deepEqual(alarm.inputs.alarmActions, ["arn:aws:sns:eu-west-2:111111111111:alarms"]);
    const stale = named("test-ca-stale-crl").inputs;
    assert.deepEqual([stale.namespace, stale.metricName, stale.comparisonOperator, stale.treatMissingData], ["edge-mtls/ca", "IssuingCrlPublished", "LessThanThreshold", "breaching"]);
  });

  it("alarms on PutKeyPolicy, CreateGrant, ScheduleKeyDeletion and DisableKey of any CA key: CloudTrail events through EventBridge to the alarm topic", async () => {
    const topic = "arn:aws:sns:eu-west-2:111111111111:alarms";
    const rule = named("test-ca-key-changes").inputs;
    assert.equal(rule.name, "edge-mtls-test-ca-key-changes");
    const keyId = (key: string) => `test-ca-${key}-key-id`;
    const pattern = JSON.parse(rule.eventPattern);
    assert.deepEqual(pattern, {
      source: ["aws.kms"],
      "detail-type": ["AWS API Call via CloudTrail"],
      detail: {
        eventSource: ["kms.amazonaws.com"],
        eventName: ["PutKeyPolicy", "CreateGrant", "ScheduleKeyDeletion", "DisableKey"],
        requestParameters: { keyId: ["root", "issuing", "keygen"].flatMap((k) => [keyId(k), keyArn(k)]) },
      },
    });
    // The CloudTrail record AWS documents for PutKeyPolicy ("PutKeyPolicy", AWS KMS Developer Guide),
    // in EventBridge's envelope, varied per case; moto's matcher decides.
    const documented = JSON.parse(readFileSync(join(__dirname, "../fixtures/cloudtrail/kms-put-key-policy.json"), "utf8"));
    const event = (eventName: string, key: string, source = "aws.kms") => ({ ...documented, source, detail: { ...documented.detail, eventName, requestParameters: { ...documented.detail.requestParameters, keyId: key } } });
    const cases: Record<string, [unknown, boolean]> = {
      "PutKeyPolicy on the root key, by key id": [event("PutKeyPolicy", keyId("root")), true],
      "CreateGrant on the issuing key, by key ARN": [event("CreateGrant", keyArn("issuing")), true],
      "ScheduleKeyDeletion on the keygen key": [event("ScheduleKeyDeletion", keyId("keygen")), true],
      "DisableKey on the issuing key": [event("DisableKey", keyArn("issuing")), true],
      "PutKeyPolicy on someone else's key (the documented record as is)": [documented, false],
      "DescribeKey on the root key": [event("DescribeKey", keyId("root")), false],
      "Sign with the issuing key": [event("Sign", keyArn("issuing")), false],
      "PutKeyPolicy from another source": [event("PutKeyPolicy", keyId("root"), "aws.other"), false],
    };
    const decided = eventPatternMatches(pattern, Object.values(cases).map(([e]) => e));
    assert.deepEqual(Object.fromEntries(Object.keys(cases).map((name, i) => [name, decided[i]])), Object.fromEntries(Object.entries(cases).map(([name, [, expected]]) => [name, expected])));

    const target = named("test-ca-key-changes-to-alarm-topic").inputs;
    assert.deepEqual([target.rule, target.arn, target.roleArn], ["edge-mtls-test-ca-key-changes", topic, undefined], "SNS targets publish under the topic's policy, with no role");
    const undelivered = named("test-ca-key-changes-undelivered").inputs;
    assert.deepEqual([undelivered.namespace, undelivered.metricName, undelivered.dimensions, undelivered.treatMissingData, undelivered.alarmActions], ["AWS/Events", "FailedInvocations", { RuleName: "edge-mtls-test-ca-key-changes" }, "notBreaching", [topic]]);
    // What the (external) topic's policy must allow: EventBridge, sns:Publish, this topic, only for this rule.
    const statementJson = await promiseOf(ca.alarmTopicPolicyStatement);
    assert.deepEqual(JSON.parse(statementJson) as PolicyStatement, {
      Sid: "EdgeMtlsCaKeyChangesPublish",
      Effect: "Allow",
      Principal: { Service: "events.amazonaws.com" },
      Action: "sns:Publish",
      Resource: topic,
      Condition: { ArnEquals: { "aws:SourceArn": `arn:aws:events:${REGION}:${ACCOUNT_ID}:rule/edge-mtls-test-ca-key-changes` } },
    });
  });

  it("lets exactly the configured workload principals invoke ca-issuer, and only the named admin roles ca-revoker", async () => {
    const permissions = ofType("aws:lambda/permission:Permission");
    // Every field of each resource-policy statement: no qualifier, no source condition, nothing else.
    assert.deepEqual(permissions.map((p) => p.inputs), [
      { principal: "222222222222", function: "edge-mtls-test-ca-issuer", action: "lambda:InvokeFunction" },
      { principal: "arn:aws:iam::333333333333:role/deployer", function: "edge-mtls-test-ca-issuer", action: "lambda:InvokeFunction" },
      { principal: "arn:aws:iam::444444444444:role/pki-admins", function: "edge-mtls-test-ca-revoker", action: "lambda:InvokeFunction" },
    ]);
    assert.match(await promiseOf(ca.revokerFunctionArn), /:function:edge-mtls-test-ca-revoker$/);
    // The bootstrap, and the one-off indexing of certificates issued before the expiry index.
    const invocations = recorded.filter((r) => r.type === "aws:lambda/invocation:Invocation");
    assert.deepEqual(invocations.map((i) => [i.name, JSON.parse(i.inputs.input).action ?? "bootstrap", i.inputs.functionName]), [
      ["test-ca-bootstrap", "bootstrap", "edge-mtls-test-ca-admin"],
      ["test-ca-index-inventory", "index-inventory", "edge-mtls-test-ca-admin"],
    ]);
    assert.deepEqual(JSON.parse(invocations[1]!.outputs!.result), { indexed: 0 });
  });
});
