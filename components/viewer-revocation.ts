import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { connectionFunctionSource } from "../functions/connection-function/source";
import { STORE_METRIC, SYNC_ENV } from "../functions/shared/contract";
import { BundledFunction, functionErrorAlarm } from "./bundled-function";
import { scheduleInvocations } from "./schedules";

/** Arguments of {@link ViewerRevocation}. */
export interface ViewerRevocationArgs {
  readonly environment: string;
  /** The CA's CRL: bucket (in the CA account), key, and the issuing CA that signs it. */
  readonly crlBucket: pulumi.Input<string>;
  readonly crlKey: string;
  readonly issuingCaPem: pulumi.Input<string>;
  /** How often the store is synced; default every 5 minutes. */
  readonly syncSchedule?: string;
  /** Provider pinned to us-east-1 (CloudFront functions and key value stores). */
  readonly usEast1: aws.Provider;
  readonly logRetentionDays?: number;
  /**
   * The store size (bytes, as CloudFront counts keys plus values) above which the overflow alarm
   * fires; default 4,500,000, 90% of the 5 MB a key value store can hold.
   */
  readonly storeBytesAlarmThreshold?: number;
  /** Where the alarms notify (an SNS topic ARN); default nowhere. */
  readonly alarmTopicArn?: pulumi.Input<string>;
}

/** revocation-sync's timeout: a run stops starting KeyValueStore writes 60 s before it (the next run resumes). */
export const SYNC_TIMEOUT_SECONDS = 300;

/**
 * CloudFront does not check viewer certificates for revocation. This adds it: a KeyValueStore
 * of revoked serials, a Connection Function (cloudfront-js-2.0) that denies them at the handshake,
 * and a scheduled revocation-sync function that reads the CA's CRL, verifies it against the
 * issuing CA, and makes the store match.
 */
export class ViewerRevocation extends pulumi.ComponentResource {
  public readonly connectionFunctionId: pulumi.Output<string>;
  public readonly keyValueStoreArn: pulumi.Output<string>;

  constructor(name: string, args: ViewerRevocationArgs, opts?: pulumi.ComponentResourceOptions) {
    super("edge-mtls:workload:ViewerRevocation", name, {}, opts);
    const parent = { parent: this };
    const prefix = `edge-mtls-${args.environment}`;
    const metricNamespace = `${STORE_METRIC.namespace}/${args.environment}`;
    const store = new aws.cloudfront.KeyValueStore(`${name}-store`, { name: `${prefix}-revoked-serials`, comment: "edge-mtls: serials of revoked viewer certificates (from the CA's CRL)" }, { parent: this, provider: args.usEast1 });
    const connectionFunction = new aws.cloudfront.ConnectionFunction(
      `${name}-connection-function`,
      {
        name: `${prefix}-viewer-revocation`,
        connectionFunctionCode: connectionFunctionSource(),
        connectionFunctionConfig: { comment: "edge-mtls: deny revoked viewer certificates", runtime: "cloudfront-js-2.0", keyValueStoreAssociation: { keyValueStoreArn: store.arn } },
        publish: true,
      },
      { parent: this, provider: args.usEast1 },
    );
    const sync = new BundledFunction(
      `${name}-sync`,
      {
        source: "revocation-sync",
        functionName: `${prefix}-revocation-sync`,
        description: "edge-mtls: CA CRL → CloudFront KeyValueStore of revoked serials",
        environment: {
          [SYNC_ENV.crlBucket]: args.crlBucket,
          [SYNC_ENV.crlKey]: args.crlKey,
          [SYNC_ENV.issuingCaPem]: args.issuingCaPem,
          [SYNC_ENV.kvsArn]: store.arn,
          [SYNC_ENV.metricNamespace]: metricNamespace,
          [SYNC_ENV.budgetSeconds]: String(SYNC_TIMEOUT_SECONDS - 60),
        },
        statements: pulumi.all([args.crlBucket, store.arn]).apply(([bucket, kvsArn]) => [
          // GetObjectVersion: the sync diffs against the CRL version it last synced.
          { Sid: "ReadCaCrl", Effect: "Allow" as const, Action: ["s3:GetObject", "s3:GetObjectVersion"], Resource: `arn:aws:s3:::${bucket}/${args.crlKey}` },
          {
            Sid: "SyncRevokedSerials",
            Effect: "Allow" as const,
            Action: ["cloudfront-keyvaluestore:DescribeKeyValueStore", "cloudfront-keyvaluestore:GetKey", "cloudfront-keyvaluestore:ListKeys", "cloudfront-keyvaluestore:UpdateKeys"],
            Resource: kvsArn,
          },
        ]),
        memorySize: 512,
        timeout: SYNC_TIMEOUT_SECONDS,
        logRetentionDays: args.logRetentionDays,
      },
      parent,
    );
    scheduleInvocations(name, this, [{ key: "sync", functionArn: sync.arn, expression: args.syncSchedule ?? "rate(5 minutes)", input: "{}" }]);
    const alarmActions = args.alarmTopicArn ? [args.alarmTopicArn] : [];
    functionErrorAlarm(`${name}-sync-errors`, this, { functionName: sync.functionName, description: `${prefix}-revocation-sync failed: revoked viewer certificates may still be accepted`, periodSeconds: 900, alarmActions });
    // Before the store overflows: past 5 MB UpdateKeys fails and newly revoked serials never reach the edge.
    new aws.cloudwatch.MetricAlarm(
      `${name}-store-size`,
      {
        alarmDescription: `${prefix}: the key value store of revoked serials is near CloudFront's 5 MB limit; prune the CRL (shorter certificate lifetimes) or split the CA`,
        namespace: metricNamespace,
        metricName: STORE_METRIC.name,
        statistic: "Maximum",
        period: 900,
        evaluationPeriods: 1,
        threshold: args.storeBytesAlarmThreshold ?? 4_500_000,
        comparisonOperator: "GreaterThanOrEqualToThreshold",
        treatMissingData: "notBreaching",
        alarmActions,
      },
      parent,
    );
    this.connectionFunctionId = connectionFunction.id;
    this.keyValueStoreArn = store.arn;
    this.registerOutputs({ connectionFunctionId: this.connectionFunctionId, keyValueStoreArn: this.keyValueStoreArn });
  }
}
