import { createHash } from "node:crypto";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ARTIFACT_KEYS, CA_ENV, CRL_METRIC, INVENTORY_ENV, REMINDER_ENV } from "../functions/shared/contract";
import type { NamePolicy } from "../pki/issuance-policy";
import type { SubjectFields } from "../pki/names";
import type { CertificatePurpose } from "../pki/profiles";
import {
  alarmTopicEventsStatement,
  caBucketPolicy,
  CA_FUNCTIONS,
  CaFunction,
  functionStatements,
  inventoryStatements,
  keygenKeyPolicy,
  principalFor,
  reminderStatements,
  signingKeyPolicy,
} from "./ca-policies";
import { BundledFunction, functionErrorAlarm, lambdaRole } from "./bundled-function";
import { inventoryTableShape } from "./inventory-table";
import { keyChangeAlarm } from "./key-change-alarm";
import { SMOKE_TEST_SUBJECT } from "./origin-smoke-test";
import { privateBucket } from "./private-bucket";
import { PublicPkiEndpoint } from "./public-pki-endpoint";
import { scheduleInvocations } from "./schedules";
import { bundleFunction } from "./lambda-bundle";

/** KMS key specs a CA key may have: what CloudFront trust stores and API Gateway truststores accept. */
export type CaKeySpec = "ECC_NIST_P256" | "ECC_NIST_P384" | "RSA_2048" | "RSA_3072" | "RSA_4096";

/** Arguments of {@link ServerlessCa}. */
export interface ServerlessCaArgs {
  /** Environment name in resource names, e.g. `dev` (functions are `edge-mtls-<env>-ca-issuer`). */
  readonly environment: string;
  /** Subject of the root CA certificate. */
  readonly rootSubject: SubjectFields;
  /** Subject of the issuing CA certificate. */
  readonly issuingSubject: SubjectFields;
  /** Root key spec; default ECC_NIST_P384. */
  readonly rootKeySpec?: CaKeySpec;
  /** Issuing key spec; default ECC_NIST_P256. */
  readonly issuingKeySpec?: CaKeySpec;
  /** Root lifetime in days; default 7305 (20 years). */
  readonly rootLifetimeDays?: number;
  /** Issuing CA lifetime in days; default 3652 (10 years). */
  readonly issuingLifetimeDays?: number;
  /** Longest leaf lifetime in days; default 365. */
  readonly maxLeafLifetimeDays?: number;
  /**
   * Names each purpose may certify, in addition to the defaults ({@link DEFAULT_NAME_POLICIES}:
   * client_auth CN/OU `CloudFront` and the smoke test's): configured lists extend the default
   * lists, they never replace them, so the workload stack's own certificates stay issuable.
   */
  readonly namePolicies?: Partial<Record<CertificatePurpose, NamePolicy>>;
  /** Certificate policy OIDs to assert; default none. */
  readonly policyOids?: readonly string[];
  /** An HTTP(S) base URL where the CA bucket's CRLs and certificates are served publicly; adds CRL DP and AIA to certificates. Default none. */
  readonly publicBaseUrl?: string;
  /** Workload accounts (12-digit ids) or role ARNs that may invoke ca-issuer, read the bucket and generate key pairs. Default none. */
  readonly workloadPrincipals?: readonly string[];
  /**
   * IAM role ARNs (never whole accounts) of the administrators who may invoke ca-revoker from
   * other accounts. Default none: only principals of the CA account whose IAM policies allow it.
   */
  readonly revokerPrincipals?: readonly string[];
  /** EventBridge Scheduler expression for the issuing CRL; default `rate(1 hour)`. */
  readonly crlSchedule?: string;
  /** Hours an issuing CRL is valid; default 6 (a few publishing periods). */
  readonly crlValidityHours?: number;
  /** SNS topic for alarms; default none (alarms still show in CloudWatch). */
  readonly alarmTopicArn?: pulumi.Input<string>;
  /** SNS topic for expiry reminders; default the alarm topic; without either there are no reminders. */
  readonly notificationTopicArn?: pulumi.Input<string>;
  /** Days before expiry at which each certificate is reminded of, once each; default 30, 14, 7, 1. */
  readonly reminderWindowsDays?: readonly number[];
  /** IAM role ARNs of other accounts that may invoke ca-inventory (read-only listings). Default none. */
  readonly inventoryReaderPrincipals?: readonly string[];
  /** A public endpoint for the CA certificates and CRLs (CloudFront + OAC); sets the CRL DP / AIA base to `http://<domainName>`. Default none. */
  readonly publicEndpoint?: {
    readonly domainName: string;
    readonly hostedZoneId?: string;
    readonly certificateArn?: string;
    readonly priceClass?: string;
    /** Provider pinned to us-east-1, for the endpoint's ACM certificate. */
    readonly usEast1: aws.Provider;
  };
  /** KMS deletion window in days (7–30); default 30. */
  readonly keyDeletionWindowDays?: number;
  /** Production guard: keys, table and bucket get `protect` and `retainOnDelete`, the table deletion protection. Default false. */
  readonly protect?: boolean;
  /** CloudWatch Logs retention in days; default 365. */
  readonly logRetentionDays?: number;
}

/** The default name policy: the how-to's CloudFront origin certificate and the workload stack's smoke-test certificate. */
export const DEFAULT_NAME_POLICIES: Record<CertificatePurpose, NamePolicy> = {
  client_auth: { commonNames: ["CloudFront", SMOKE_TEST_SUBJECT.commonName], organizationalUnits: ["CloudFront", SMOKE_TEST_SUBJECT.organizationalUnit], dnsNames: [], ipAddresses: [] },
  server_auth: { commonNames: [], organizationalUnits: [], dnsNames: [], ipAddresses: [] },
};

/** The name policy the CA enforces: each configured list added to the default one (duplicates dropped). */
export function extendDefaultNamePolicies(configured: Partial<Record<CertificatePurpose, NamePolicy>> = {}): Record<CertificatePurpose, NamePolicy> {
  const merge = (purpose: CertificatePurpose): NamePolicy => {
    const base = DEFAULT_NAME_POLICIES[purpose];
    const extra = configured[purpose];
    const union = (key: keyof NamePolicy) => [...new Set([...base[key], ...(extra?.[key] ?? [])])];
    return { commonNames: union("commonNames"), organizationalUnits: union("organizationalUnits"), dnsNames: union("dnsNames"), ipAddresses: union("ipAddresses") };
  };
  return { client_auth: merge("client_auth"), server_auth: merge("server_auth") };
}

const FUNCTION_SETTINGS: Record<CaFunction, { memorySize: number; timeout: number; description: string }> = {
  "ca-admin": { memorySize: 512, timeout: 60, description: "edge-mtls CA: bootstrap the root and issuing CA, publish certificates, bundle and root CRL" },
  "ca-issuer": { memorySize: 512, timeout: 30, description: "edge-mtls CA: issue certificates from CSRs" },
  // Revoking publishes the issuing CRL at once: the same work as ca-crl.
  "ca-revoker": { memorySize: 1024, timeout: 120, description: "edge-mtls CA: revoke certificates and publish the issuing CRL (admin roles only)" },
  "ca-crl": { memorySize: 1024, timeout: 120, description: "edge-mtls CA: publish the issuing CRL" },
};

/** The default reminder windows, in days before expiry. */
export const DEFAULT_REMINDER_WINDOWS_DAYS: readonly number[] = [30, 14, 7, 1];

/** What ca-admin's bootstrap answers (parsed from the invocation result). */
interface Bootstrap {
  rootCaCertPem: string;
  issuingCaCertPem: string;
  trustBundlePem: string;
  trustBundleS3Uri: string;
  trustBundleS3Version?: string;
  error?: { code: string; message: string; field?: string };
}

/**
 * A serverless certificate authority whose private keys never leave KMS: root, issuing and keygen
 * keys; the ca-admin, ca-issuer, ca-revoker and ca-crl functions (one least-privilege role each);
 * a DynamoDB inventory; a versioned, private S3 bucket for certificates, the trust bundle and
 * CRLs; schedules for CRLs; alarms, including one on changes to the keys. It bootstraps itself on
 * `pulumi up` through ca-admin, so the deployer never needs `kms:Sign`.
 */
export class ServerlessCa extends pulumi.ComponentResource {
  public readonly rootCaCertPem: pulumi.Output<string>;
  public readonly issuingCaCertPem: pulumi.Output<string>;
  /** Root then issuing CA: the trust store content. */
  public readonly trustBundlePem: pulumi.Output<string>;
  public readonly trustBundleS3Uri: pulumi.Output<string>;
  public readonly trustBundleS3Version: pulumi.Output<string>;
  public readonly issuerFunctionArn: pulumi.Output<string>;
  public readonly issuerFunctionName: pulumi.Output<string>;
  public readonly revokerFunctionArn: pulumi.Output<string>;
  public readonly keygenKeyArn: pulumi.Output<string>;
  public readonly crlUrls: pulumi.Output<string[]>;
  public readonly caBucketName: pulumi.Output<string>;
  public readonly caAccountId: pulumi.Output<string>;
  /** The statement to add to the alarm topic's policy so key changes reach it (JSON); empty without a topic. */
  public readonly alarmTopicPolicyStatement: pulumi.Output<string>;
  /** ca-inventory, which `edge-mtls cert list --ca-function` invokes. */
  public readonly inventoryFunctionArn: pulumi.Output<string>;
  /** Where relying parties fetch CRLs and CA certificates (`http://<publicDomain>`, or publicBaseUrl); empty without either. */
  public readonly publicBaseUrl: pulumi.Output<string>;

  constructor(name: string, args: ServerlessCaArgs, opts?: pulumi.ComponentResourceOptions) {
    super("edge-mtls:ca:ServerlessCa", name, {}, opts);
    const parent = { parent: this };
    const guard: pulumi.CustomResourceOptions = args.protect ? { parent: this, protect: true, retainOnDelete: true } : parent;
    const prefix = `edge-mtls-${args.environment}`;
    const identity = aws.getCallerIdentityOutput({}, parent);
    const partition = aws.getPartitionOutput({}, parent).partition;
    const accountId = identity.accountId;
    const workloadPrincipals = partition.apply((p) => (args.workloadPrincipals ?? []).map((x) => principalFor(p, x)));

    // One role per function first: the key policies name them.
    const roles = {} as Record<CaFunction, aws.iam.Role>;
    for (const fn of CA_FUNCTIONS) {
      roles[fn] = lambdaRole(`${name}-${fn}-role`, `${prefix}-${fn}`, this);
    }

    const deletionWindowInDays = args.keyDeletionWindowDays ?? 30;
    const rootKey = new aws.kms.Key(
      `${name}-root-key`,
      {
        description: `${prefix} root CA key (sign only, used by ca-admin)`,
        customerMasterKeySpec: args.rootKeySpec ?? "ECC_NIST_P384",
        keyUsage: "SIGN_VERIFY",
        deletionWindowInDays,
        policy: pulumi.all([partition, accountId, roles["ca-admin"].arn]).apply(([p, a, admin]) => JSON.stringify(signingKeyPolicy({ partition: p, accountId: a, signerRoleArns: [admin] }))),
      },
      guard,
    );
    const issuingKey = new aws.kms.Key(
      `${name}-issuing-key`,
      {
        description: `${prefix} issuing CA key (sign only, used by ca-admin, ca-issuer, ca-revoker, ca-crl)`,
        customerMasterKeySpec: args.issuingKeySpec ?? "ECC_NIST_P256",
        keyUsage: "SIGN_VERIFY",
        deletionWindowInDays,
        policy: pulumi
          .all([partition, accountId, roles["ca-admin"].arn, roles["ca-issuer"].arn, roles["ca-revoker"].arn, roles["ca-crl"].arn])
          .apply(([p, a, ...signers]) => JSON.stringify(signingKeyPolicy({ partition: p, accountId: a, signerRoleArns: signers }))),
      },
      guard,
    );
    const keygenKey = new aws.kms.Key(
      `${name}-keygen-key`,
      {
        description: `${prefix} key-pair generation for client certificates (GenerateDataKeyPair only)`,
        customerMasterKeySpec: "SYMMETRIC_DEFAULT",
        keyUsage: "ENCRYPT_DECRYPT",
        enableKeyRotation: true,
        deletionWindowInDays,
        policy: pulumi.all([partition, accountId, workloadPrincipals]).apply(([p, a, w]) => JSON.stringify(keygenKeyPolicy(p, a, w))),
      },
      guard,
    );
    new aws.kms.Alias(`${name}-keygen-alias`, { name: `alias/${prefix}-tls-keygen`, targetKeyId: keygenKey.keyId }, parent);
    new aws.kms.Alias(`${name}-root-alias`, { name: `alias/${prefix}-root-ca`, targetKeyId: rootKey.keyId }, parent);
    new aws.kms.Alias(`${name}-issuing-alias`, { name: `alias/${prefix}-issuing-ca`, targetKeyId: issuingKey.keyId }, parent);

    const table = new aws.dynamodb.Table(
      `${name}-inventory`,
      {
        billingMode: "PAY_PER_REQUEST",
        ...inventoryTableShape(),
        pointInTimeRecovery: { enabled: true },
        serverSideEncryption: { enabled: true },
        deletionProtectionEnabled: args.protect ?? false,
      },
      guard,
    );

    // SSE-S3: certificates and CRLs are public data, and workload accounts must read them without KMS grants.
    const { bucket, versioning, publicAccessBlock } = privateBucket(`${name}-artifacts`, this, { versioned: true, forceDestroy: !args.protect, bucketOptions: guard });
    const endpoint = args.publicEndpoint ? new PublicPkiEndpoint(`${name}-public`, { environment: args.environment, bucket, ...args.publicEndpoint }, parent) : undefined;
    new aws.s3.BucketPolicy(
      `${name}-artifacts-policy`,
      { bucket: bucket.id, policy: pulumi.all([bucket.arn, workloadPrincipals, endpoint?.distributionArn]).apply(([arn, readers, publicArn]) => JSON.stringify(caBucketPolicy(arn, readers, publicArn))) },
      { parent: this, dependsOn: [publicAccessBlock] },
    );

    if (endpoint && args.publicBaseUrl && args.publicBaseUrl.replace(/\/+$/, "") !== endpoint.baseUrl) {
      throw new Error(`publicBaseUrl ${args.publicBaseUrl} and the public endpoint ${endpoint.baseUrl} disagree; give one (the endpoint sets the base URL)`);
    }
    const base = endpoint?.baseUrl ?? args.publicBaseUrl?.replace(/\/+$/, "");
    const environment: Record<string, pulumi.Input<string>> = {
      [CA_ENV.tableName]: table.name,
      [CA_ENV.bucketName]: bucket.bucket,
      [CA_ENV.rootKeyId]: rootKey.arn,
      [CA_ENV.issuingKeyId]: issuingKey.arn,
      [CA_ENV.rootSubject]: JSON.stringify(args.rootSubject),
      [CA_ENV.issuingSubject]: JSON.stringify(args.issuingSubject),
      [CA_ENV.rootLifetimeDays]: String(args.rootLifetimeDays ?? 7305),
      [CA_ENV.issuingLifetimeDays]: String(args.issuingLifetimeDays ?? 3652),
      [CA_ENV.issuingProfile]: JSON.stringify({ policyOids: args.policyOids ?? [], ...(base ? { crlUrls: [`${base}/${ARTIFACT_KEYS.rootCrl}`], caIssuersUrls: [`${base}/${ARTIFACT_KEYS.rootCertDer}`] } : {}) }),
      [CA_ENV.leafProfile]: JSON.stringify({ policyOids: args.policyOids ?? [], ...(base ? { crlUrls: [`${base}/${ARTIFACT_KEYS.issuingCrl}`], caIssuersUrls: [`${base}/${ARTIFACT_KEYS.issuingCertDer}`] } : {}) }),
      [CA_ENV.policy]: JSON.stringify({ maxLifetimeDays: args.maxLeafLifetimeDays ?? 365, defaultLifetimeDays: Math.min(90, args.maxLeafLifetimeDays ?? 365), names: extendDefaultNamePolicies(args.namePolicies) }),
      [CA_ENV.crlValidityHours]: String(args.crlValidityHours ?? 6),
      [CA_ENV.revokerFunctionName]: `${prefix}-ca-revoker`,
    };

    const functions = {} as Record<CaFunction, aws.lambda.Function>;
    const rolePolicies: aws.iam.RolePolicy[] = [];
    for (const fn of CA_FUNCTIONS) {
      const statements = pulumi
        .all([partition, accountId, rootKey.arn, issuingKey.arn, table.arn, bucket.arn])
        .apply(([p, a, rootKeyArn, issuingKeyArn, tableArn, bucketArn]) => functionStatements(fn, { partition: p, accountId: a, rootKeyArn, issuingKeyArn, tableArn, bucketArn }));
      const bundled = new BundledFunction(
        `${name}-${fn}`,
        {
          source: fn,
          functionName: `${prefix}-${fn}`,
          description: FUNCTION_SETTINGS[fn].description,
          environment,
          statements,
          memorySize: FUNCTION_SETTINGS[fn].memorySize,
          timeout: FUNCTION_SETTINGS[fn].timeout,
          logRetentionDays: args.logRetentionDays,
          role: roles[fn],
        },
        parent,
      );
      functions[fn] = bundled.function;
      rolePolicies.push(bundled.rolePolicy);
    }

    // Bootstrap at deploy time; re-run when the function code or its configuration changes (it is idempotent).
    const bootstrapTrigger = pulumi.output(environment).apply((env) => createHash("sha256").update(JSON.stringify(env) + bundleFunction("ca-admin").sha256).digest("hex"));
    const invocation = new aws.lambda.Invocation(
      `${name}-bootstrap`,
      { functionName: functions["ca-admin"].name, input: JSON.stringify({ action: "bootstrap" }), triggers: { configuration: bootstrapTrigger } },
      { parent: this, dependsOn: [...rolePolicies, rootKey, issuingKey, ...(versioning ? [versioning] : [])] },
    );
    // Certificates issued before the expiry and series indexes get their attributes, once (bump the
    // version to run it again); on a new CA it finds nothing.
    new aws.lambda.Invocation(
      `${name}-index-inventory`,
      { functionName: functions["ca-admin"].name, input: JSON.stringify({ action: "index-inventory" }), triggers: { indexVersion: "1" } },
      { parent: this, dependsOn: [invocation, table] },
    );
    const bootstrap = invocation.result.apply((raw) => {
      const parsed = JSON.parse(raw) as Bootstrap;
      if (parsed.error) throw new Error(`ca-admin bootstrap refused: ${parsed.error.code}${parsed.error.field ? ` (${parsed.error.field})` : ""}: ${parsed.error.message}`);
      return parsed;
    });

    // Read-only inventory listings (edge-mtls cert list --ca-function).
    const inventory = new BundledFunction(
      `${name}-ca-inventory`,
      {
        source: "ca-inventory",
        functionName: `${prefix}-ca-inventory`,
        description: "edge-mtls CA: list the certificate inventory (read-only, through its indexes)",
        environment: { [INVENTORY_ENV.tableName]: table.name },
        statements: table.arn.apply((tableArn) => inventoryStatements(tableArn)),
        memorySize: 512,
        timeout: 30,
        logRetentionDays: args.logRetentionDays,
      },
      parent,
    );
    (args.inventoryReaderPrincipals ?? []).forEach((principal, index) => {
      new aws.lambda.Permission(`${name}-inventory-invoke-${index}`, { action: "lambda:InvokeFunction", function: inventory.functionName, principal }, parent);
    });

    // Expiry reminders, once a day, to the notification topic (or the alarm topic).
    const notificationTopicArn = args.notificationTopicArn ?? args.alarmTopicArn;
    const reminders = notificationTopicArn
      ? new BundledFunction(
          `${name}-ca-reminders`,
          {
            source: "ca-reminders",
            functionName: `${prefix}-ca-reminders`,
            description: "edge-mtls CA: remind of certificates about to expire, once per certificate and window",
            environment: {
              [REMINDER_ENV.tableName]: table.name,
              [REMINDER_ENV.topicArn]: notificationTopicArn,
              [REMINDER_ENV.windowsDays]: JSON.stringify(args.reminderWindowsDays ?? DEFAULT_REMINDER_WINDOWS_DAYS),
              [REMINDER_ENV.environment]: args.environment,
            },
            statements: pulumi.all([table.arn, notificationTopicArn]).apply(([tableArn, topicArn]) => reminderStatements(tableArn, topicArn)),
            memorySize: 256,
            timeout: 300,
            logRetentionDays: args.logRetentionDays,
          },
          parent,
        )
      : undefined;

    // Schedules: the issuing CRL from ca-crl; the root CRL from ca-admin (the only holder of the root key); reminders daily.
    scheduleInvocations(name, this, [
      { key: "issuing-crl", functionArn: functions["ca-crl"].arn, expression: args.crlSchedule ?? "rate(1 hour)", input: "{}" },
      { key: "root-crl", functionArn: functions["ca-admin"].arn, expression: "rate(1 day)", input: JSON.stringify({ action: "root-crl" }) },
      ...(reminders ? [{ key: "expiry-reminders", functionArn: reminders.arn, expression: "rate(1 day)", input: "{}" }] : []),
    ]);

    const alarmActions = args.alarmTopicArn ? [args.alarmTopicArn] : [];
    for (const fn of CA_FUNCTIONS) {
      functionErrorAlarm(`${name}-${fn}-errors`, this, { functionName: functions[fn].name, description: `${prefix}-${fn} failed (errors, not refused requests)`, periodSeconds: 300, alarmActions });
    }
    functionErrorAlarm(`${name}-ca-inventory-errors`, this, { functionName: inventory.functionName, description: `${prefix}-ca-inventory failed (errors, not refused requests)`, periodSeconds: 300, alarmActions });
    if (reminders) {
      functionErrorAlarm(`${name}-ca-reminders-errors`, this, { functionName: reminders.functionName, description: `${prefix}-ca-reminders failed: some expiry reminders were not sent (the next daily run retries them)`, periodSeconds: 3600, alarmActions });
    }
    new aws.cloudwatch.MetricAlarm(
      `${name}-stale-crl`,
      {
        alarmDescription: `${prefix}: no issuing CRL published for two hours; relying parties will soon hold an expired CRL`,
        namespace: CRL_METRIC.namespace,
        metricName: CRL_METRIC.name,
        statistic: "Sum",
        period: 3600,
        evaluationPeriods: 2,
        threshold: 1,
        comparisonOperator: "LessThanThreshold",
        treatMissingData: "breaching",
        alarmActions,
      },
      parent,
    );

    // Changes to who may use the CA keys, or whether they exist, reach the alarm topic (CloudTrail → EventBridge).
    const keyChanges = keyChangeAlarm(`${name}-key-changes`, this, {
      ruleName: `${prefix}-ca-key-changes`,
      description: `${prefix}: PutKeyPolicy, CreateGrant, ScheduleKeyDeletion or DisableKey on a CA key`,
      keys: [rootKey, issuingKey, keygenKey],
      alarmTopicArn: args.alarmTopicArn,
    });

    // Cross-account issuance: the workload accounts or roles named, nobody else.
    (args.workloadPrincipals ?? []).forEach((principal, index) => {
      new aws.lambda.Permission(`${name}-issuer-invoke-${index}`, { action: "lambda:InvokeFunction", function: functions["ca-issuer"].name, principal }, parent);
    });
    // Revocation: only the admin roles named. A resource policy grants a whole function and Lambda
    // does not tell the function its caller, hence a function of its own.
    (args.revokerPrincipals ?? []).forEach((principal, index) => {
      new aws.lambda.Permission(`${name}-revoker-invoke-${index}`, { action: "lambda:InvokeFunction", function: functions["ca-revoker"].name, principal }, parent);
    });

    this.rootCaCertPem = bootstrap.rootCaCertPem;
    this.issuingCaCertPem = bootstrap.issuingCaCertPem;
    this.trustBundlePem = bootstrap.trustBundlePem;
    this.trustBundleS3Uri = bootstrap.trustBundleS3Uri;
    this.trustBundleS3Version = bootstrap.apply((b) => b.trustBundleS3Version ?? "");
    this.issuerFunctionArn = functions["ca-issuer"].arn;
    this.issuerFunctionName = functions["ca-issuer"].name;
    this.revokerFunctionArn = functions["ca-revoker"].arn;
    this.keygenKeyArn = keygenKey.arn;
    this.caBucketName = bucket.bucket;
    this.caAccountId = accountId;
    this.alarmTopicPolicyStatement = args.alarmTopicArn
      ? pulumi.all([args.alarmTopicArn, keyChanges.arn]).apply(([topic, rule]) => JSON.stringify(alarmTopicEventsStatement(topic, rule)))
      : pulumi.output("");
    this.inventoryFunctionArn = inventory.arn;
    this.publicBaseUrl = pulumi.output(base ?? "");
    this.crlUrls = bucket.bucket.apply((b) => [
      `s3://${b}/${ARTIFACT_KEYS.issuingCrl}`,
      `s3://${b}/${ARTIFACT_KEYS.rootCrl}`,
      ...(base ? [`${base}/${ARTIFACT_KEYS.issuingCrl}`, `${base}/${ARTIFACT_KEYS.rootCrl}`] : []),
    ]);
    this.registerOutputs({
      rootCaCertPem: this.rootCaCertPem,
      issuingCaCertPem: this.issuingCaCertPem,
      trustBundlePem: this.trustBundlePem,
      trustBundleS3Uri: this.trustBundleS3Uri,
      trustBundleS3Version: this.trustBundleS3Version,
      issuerFunctionArn: this.issuerFunctionArn,
      issuerFunctionName: this.issuerFunctionName,
      revokerFunctionArn: this.revokerFunctionArn,
      keygenKeyArn: this.keygenKeyArn,
      crlUrls: this.crlUrls,
      caBucketName: this.caBucketName,
      caAccountId: this.caAccountId,
      alarmTopicPolicyStatement: this.alarmTopicPolicyStatement,
      inventoryFunctionArn: this.inventoryFunctionArn,
      publicBaseUrl: this.publicBaseUrl,
    });
  }
}
