import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { connectionFunctionSource } from "../functions/connection-function/source";
import { SYNC_ENV } from "../functions/shared/contract";
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
}

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
        environment: { [SYNC_ENV.crlBucket]: args.crlBucket, [SYNC_ENV.crlKey]: args.crlKey, [SYNC_ENV.issuingCaPem]: args.issuingCaPem, [SYNC_ENV.kvsArn]: store.arn },
        statements: pulumi.all([args.crlBucket, store.arn]).apply(([bucket, kvsArn]) => [
          { Sid: "ReadCaCrl", Effect: "Allow" as const, Action: "s3:GetObject", Resource: `arn:aws:s3:::${bucket}/${args.crlKey}` },
          { Sid: "SyncRevokedSerials", Effect: "Allow" as const, Action: ["cloudfront-keyvaluestore:DescribeKeyValueStore", "cloudfront-keyvaluestore:ListKeys", "cloudfront-keyvaluestore:UpdateKeys"], Resource: kvsArn },
        ]),
        timeout: 60,
        logRetentionDays: args.logRetentionDays,
      },
      parent,
    );
    scheduleInvocations(name, this, [{ key: "sync", functionArn: sync.arn, expression: args.syncSchedule ?? "rate(5 minutes)", input: "{}" }]);
    functionErrorAlarm(`${name}-sync-errors`, this, { functionName: sync.functionName, description: `${prefix}-revocation-sync failed: revoked viewer certificates may still be accepted`, periodSeconds: 900 });
    this.connectionFunctionId = connectionFunction.id;
    this.keyValueStoreArn = store.arn;
    this.registerOutputs({ connectionFunctionId: this.connectionFunctionId, keyValueStoreArn: this.keyValueStoreArn });
  }
}
