import { ARTIFACT_KEYS, TABLE_LAYOUT } from "../functions/shared/contract";
import { tlsOnlyStatement } from "./private-bucket";

/** An IAM (or KMS key, or bucket) policy document. */
export interface PolicyDocument {
  readonly Version: "2012-10-17";
  readonly Statement: readonly PolicyStatement[];
}

export interface PolicyStatement {
  readonly Sid: string;
  readonly Effect: "Allow" | "Deny";
  readonly Principal?: "*" | { readonly AWS?: string | readonly string[]; readonly Service?: string };
  readonly Action: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly Condition?: Record<string, Record<string, string | boolean | readonly string[]>>;
}

/** The CA functions. */
export type CaFunction = "ca-admin" | "ca-issuer" | "ca-revoker" | "ca-crl";
export const CA_FUNCTIONS: readonly CaFunction[] = ["ca-admin", "ca-issuer", "ca-revoker", "ca-crl"];

/** The ARNs the CA's policies are written over. */
export interface CaArns {
  readonly partition: string;
  readonly accountId: string;
  readonly rootKeyArn: string;
  readonly issuingKeyArn: string;
  readonly tableArn: string;
  readonly bucketArn: string;
}

const document = (...statements: PolicyStatement[]): PolicyDocument => ({ Version: "2012-10-17", Statement: statements });

/**
 * What one CA function's role may do besides writing its own logs: exactly the actions it
 * performs on exactly the resources it touches. ca-admin signs with both keys and publishes every
 * artifact (and may scan the table, to index certificates issued before the expiry index);
 * ca-issuer signs leaves and only reads and creates inventory items (it can neither revoke nor
 * publish a CRL); ca-revoker and ca-crl sign with the issuing key, update items (the
 * revocation mark, the CRL counter), list the revoked and write only the issuing CRL.
 */
export function functionStatements(fn: CaFunction, arns: CaArns): PolicyStatement[] {
  const object = (key: string) => `${arns.bucketArn}/${key}`;
  // A publication first reads the object it may replace. Without s3:ListBucket, S3 answers a read
  // of a missing object 403 instead of 404 ("HeadObject", Permissions), and the first publication
  // of every artifact would fail. Listing shows only the names of the published artifacts.
  const tellMissingObjects: PolicyStatement = { Sid: "TellMissingObjects", Effect: "Allow", Action: "s3:ListBucket", Resource: arns.bucketArn };
  const revokedIndex = `${arns.tableArn}/index/${TABLE_LAYOUT.revokedIndex}`;
  if (fn === "ca-admin") {
    return [
      { Sid: "SignWithCaKeys", Effect: "Allow", Action: ["kms:Sign", "kms:GetPublicKey"], Resource: [arns.rootKeyArn, arns.issuingKeyArn] },
      { Sid: "CaRecords", Effect: "Allow", Action: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"], Resource: arns.tableArn },
      { Sid: "ListRevoked", Effect: "Allow", Action: "dynamodb:Query", Resource: revokedIndex },
      // Once, on the upgrade that added the expiry and series indexes: find certificates without their attributes.
      { Sid: "IndexLegacyCertificates", Effect: "Allow", Action: "dynamodb:Scan", Resource: arns.tableArn },
      { Sid: "PublishCaArtifacts", Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject"], Resource: Object.values(ARTIFACT_KEYS).map(object) },
      tellMissingObjects,
    ];
  }
  const sign: PolicyStatement = { Sid: "SignWithIssuingKey", Effect: "Allow", Action: ["kms:Sign", "kms:GetPublicKey"], Resource: arns.issuingKeyArn };
  if (fn === "ca-issuer") {
    // Certificates and idempotency records are created in one transaction of conditional puts.
    // Each Put of a TransactWriteItems is authorised as the PutItem it wraps ("Using IAM with
    // DynamoDB transactions"), so dynamodb:LeadingKeys holds every item to the issuer's own
    // partitions: it reads the two CA records, certificates and idempotency records, and can
    // create nothing but certificates and idempotency records (never a CA record or a reminder).
    return [
      sign,
      { Sid: "ReadInventory", Effect: "Allow", Action: "dynamodb:GetItem", Resource: arns.tableArn, Condition: { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": ["CA#root", "CA#issuing", "CERT#*", "IDEMPOTENCY#*"] } } },
      { Sid: "CreateCertificates", Effect: "Allow", Action: "dynamodb:PutItem", Resource: arns.tableArn, Condition: { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": ["CERT#*", "IDEMPOTENCY#*"] } } },
    ];
  }
  return [
    sign,
    { Sid: fn === "ca-revoker" ? "MarkRevoked" : "CrlCounter", Effect: "Allow", Action: ["dynamodb:GetItem", "dynamodb:UpdateItem"], Resource: arns.tableArn },
    { Sid: "ListRevoked", Effect: "Allow", Action: "dynamodb:Query", Resource: revokedIndex },
    { Sid: "PublishIssuingCrl", Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject"], Resource: object(ARTIFACT_KEYS.issuingCrl) },
    tellMissingObjects,
  ];
}

/**
 * Key administration, without any use of the key: exactly the operations Pulumi's key and alias
 * resources perform (create, read, update, delete) plus grant clean-up, each named (no wildcard:
 * `kms:Create*` would include CreateGrant, which lets its holder grant itself kms:Sign). Still
 * included, because Pulumi must be able to change the policy: kms:PutKeyPolicy, with which an
 * account principal allowed it in IAM can rewrite this policy (the key-change alarm reports it).
 * Tags and aliases cannot grant use: this policy delegates no use of the key to IAM, so no
 * tag- or alias-conditioned IAM policy can allow kms:Sign.
 */
const KEY_ADMIN_ACTIONS: readonly string[] = [
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
];

/** Who may use each key. */
export interface KeyPolicyPrincipals {
  readonly partition: string;
  readonly accountId: string;
  /** Roles that may sign: root key → ca-admin only; issuing key → ca-admin, ca-issuer, ca-revoker, ca-crl. */
  readonly signerRoleArns: readonly string[];
}

/**
 * Policy of a CA signing key: the account administers it (so it can never be orphaned) but only
 * the named function roles may `kms:Sign`. No statement grants `kms:*`.
 */
export function signingKeyPolicy(principals: KeyPolicyPrincipals): PolicyDocument {
  return document(
    { Sid: "AccountAdministersKey", Effect: "Allow", Principal: { AWS: `arn:${principals.partition}:iam::${principals.accountId}:root` }, Action: [...KEY_ADMIN_ACTIONS], Resource: "*" },
    { Sid: "CaFunctionsSign", Effect: "Allow", Principal: { AWS: [...principals.signerRoleArns] }, Action: ["kms:Sign", "kms:GetPublicKey"], Resource: "*" },
  );
}

/** Key pair specs the client-certificate tool may ask the keygen key for (what CloudFront and API Gateway accept). */
export const KEYGEN_PAIR_SPECS = ["ECC_NIST_P256", "ECC_NIST_P384", "RSA_2048"];

/**
 * Policy of the keygen key (symmetric): `kms:GenerateDataKeyPair` (never Decrypt) for IAM
 * principals of this account and of the workload accounts, limited to the pair specs above.
 */
export function keygenKeyPolicy(partition: string, accountId: string, workloadPrincipals: readonly string[]): PolicyDocument {
  const users = [`arn:${partition}:iam::${accountId}:root`, ...workloadPrincipals];
  return document(
    { Sid: "AccountAdministersKey", Effect: "Allow", Principal: { AWS: `arn:${partition}:iam::${accountId}:root` }, Action: [...KEY_ADMIN_ACTIONS], Resource: "*" },
    { Sid: "GenerateClientKeyPairs", Effect: "Allow", Principal: { AWS: users }, Action: "kms:GenerateDataKeyPair", Resource: "*", Condition: { "ForAnyValue:StringEquals": { "kms:DataKeyPairSpec": KEYGEN_PAIR_SPECS } } },
  );
}

/**
 * The CA bucket's policy: TLS only for everyone, and read access to the published objects, each by
 * name (and their versions, as trust stores pin a version) for the workload accounts. With `publicDistributionArn`, the
 * public PKI endpoint's CloudFront distribution may read the published artifacts (and nothing
 * else) through its Origin Access Control.
 */
export function caBucketPolicy(bucketArn: string, readerPrincipals: readonly string[], publicDistributionArn?: string): PolicyDocument {
  const statements: PolicyStatement[] = [tlsOnlyStatement(bucketArn)];
  // Each published object by name, never `/*`: the public PKI endpoint's bucket may expose nothing
  // else (policy public-pki-bucket), and the workload accounts need no other object (CRLs, certificates).
  const artifactArns = Object.values(ARTIFACT_KEYS).map((key) => `${bucketArn}/${key}`);
  if (readerPrincipals.length > 0) {
    statements.push({ Sid: "WorkloadAccountsRead", Effect: "Allow", Principal: { AWS: [...readerPrincipals] }, Action: ["s3:GetObject", "s3:GetObjectVersion"], Resource: artifactArns });
  }
  if (publicDistributionArn) {
    statements.push({
      Sid: "PublicPkiEndpointReads",
      Effect: "Allow",
      Principal: { Service: "cloudfront.amazonaws.com" },
      Action: "s3:GetObject",
      Resource: artifactArns,
      Condition: { StringEquals: { "AWS:SourceArn": publicDistributionArn } },
    });
  }
  return document(...statements);
}

/**
 * ca-inventory's role: query the expiry and revoked indexes and read the two CA records (their
 * certificates bound the expiry range) — nothing else, no table scan, no write. GetItem is held
 * to those two items by `dynamodb:LeadingKeys`.
 */
export function inventoryStatements(tableArn: string): PolicyStatement[] {
  return [
    { Sid: "QueryInventoryIndexes", Effect: "Allow", Action: "dynamodb:Query", Resource: [`${tableArn}/index/${TABLE_LAYOUT.expiryIndex}`, `${tableArn}/index/${TABLE_LAYOUT.revokedIndex}`] },
    { Sid: "ReadCaRecords", Effect: "Allow", Action: "dynamodb:GetItem", Resource: tableArn, Condition: { "ForAllValues:StringEquals": { "dynamodb:LeadingKeys": ["CA#root", "CA#issuing"] } } },
  ];
}

/**
 * ca-reminders' role: query the expiry and series indexes, write only reminder records (held to
 * partition keys `REMINDER#…` by `dynamodb:LeadingKeys`: it cannot touch a certificate, a CA
 * record or an idempotency record), and publish to the one notification topic.
 */
export function reminderStatements(tableArn: string, topicArn: string): PolicyStatement[] {
  return [
    { Sid: "QueryExpiryIndexes", Effect: "Allow", Action: "dynamodb:Query", Resource: [`${tableArn}/index/${TABLE_LAYOUT.expiryIndex}`, `${tableArn}/index/${TABLE_LAYOUT.seriesIndex}`] },
    { Sid: "RecordReminders", Effect: "Allow", Action: ["dynamodb:PutItem", "dynamodb:UpdateItem"], Resource: tableArn, Condition: { "ForAllValues:StringLike": { "dynamodb:LeadingKeys": ["REMINDER#*"] } } },
    { Sid: "PublishReminders", Effect: "Allow", Action: "sns:Publish", Resource: topicArn },
  ];
}

/**
 * Trust policy for a role a service assumes. With `sourceAccount`, only on behalf of that account
 * (EventBridge Scheduler documents this condition). Lambda execution roles get the plain trust AWS
 * documents: a role cannot be passed across accounts, so there is no confused deputy to stop.
 */
export function serviceAssumeRolePolicy(service: string, sourceAccount?: string): PolicyDocument {
  const statement: PolicyStatement = { Sid: "ServiceAssumesRole", Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" };
  return document(sourceAccount ? { ...statement, Condition: { StringEquals: { "aws:SourceAccount": sourceAccount } } } : statement);
}

/** The scheduler's role: invoke exactly these functions. */
export function schedulerPolicy(functionArns: readonly string[]): PolicyDocument {
  return document({ Sid: "InvokeScheduledFunctions", Effect: "Allow", Action: "lambda:InvokeFunction", Resource: [...functionArns] });
}

/**
 * The statement an SNS alarm topic's policy needs for the key-change rule to publish to it:
 * EventBridge publishes under the topic's resource-based policy, and `aws:SourceArn` limits the
 * grant to this one rule.
 */
export function alarmTopicEventsStatement(topicArn: string, ruleArn: string): PolicyStatement {
  return {
    Sid: "EdgeMtlsCaKeyChangesPublish",
    Effect: "Allow",
    Principal: { Service: "events.amazonaws.com" },
    Action: "sns:Publish",
    Resource: topicArn,
    Condition: { ArnEquals: { "aws:SourceArn": ruleArn } },
  };
}

/** The principal ARN for an account id (`arn:aws:iam::<id>:root`) or a role ARN as given. */
export function principalFor(partition: string, accountOrRoleArn: string): string {
  return /^\d{12}$/.test(accountOrRoleArn) ? `arn:${partition}:iam::${accountOrRoleArn}:root` : accountOrRoleArn;
}
