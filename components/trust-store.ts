import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { cloudFrontTrustBundle } from "./edge-rules";
import { privateBucket, tlsOnlyStatement } from "./private-bucket";

/** Arguments of {@link TrustStore}. */
export interface TrustStoreArgs {
  /** The CA stack's trust bundle (root then issuing CA). */
  readonly trustBundlePem: pulumi.Input<string>;
  /** Provider pinned to us-east-1, where CloudFront trust stores live. */
  readonly usEast1: aws.Provider;
  /** Region of the bundle bucket (the workload region; API Gateway reads it there). */
  readonly region: pulumi.Input<string>;
}

/**
 * The CA bundle where both relying parties read it: a versioned, encrypted, private bucket holding
 * `ca-bundle.pem` (in the form CloudFront accepts), the CloudFront trust store built from that
 * object version, and the S3 URI + version API Gateway's truststore needs. CloudFront reads the
 * bundle only when the trust store is created or updated: pinning the object version makes a new
 * bundle (CA rotation) update the trust store on the next `pulumi up`.
 */
export class TrustStore extends pulumi.ComponentResource {
  public readonly bucketName: pulumi.Output<string>;
  public readonly bundleKey: string = "ca-bundle.pem";
  public readonly truststoreUri: pulumi.Output<string>;
  public readonly truststoreVersion: pulumi.Output<string>;
  public readonly cloudFrontTrustStoreId: pulumi.Output<string>;
  public readonly bundlePem: pulumi.Output<string>;

  constructor(name: string, args: TrustStoreArgs, opts?: pulumi.ComponentResourceOptions) {
    super("edge-mtls:workload:TrustStore", name, {}, opts);
    const { bucket, versioning } = privateBucket(`${name}-bucket`, this, { versioned: true, forceDestroy: true });
    new aws.s3.BucketPolicy(`${name}-bucket-policy`, { bucket: bucket.id, policy: bucket.arn.apply((arn) => JSON.stringify({ Version: "2012-10-17", Statement: [tlsOnlyStatement(arn)] })) }, { parent: this });
    this.bundlePem = pulumi.output(args.trustBundlePem).apply(cloudFrontTrustBundle);
    const object = new aws.s3.BucketObjectv2(
      `${name}-bundle`,
      { bucket: bucket.id, key: this.bundleKey, content: this.bundlePem, contentType: "application/x-pem-file" },
      { parent: this, dependsOn: versioning ? [versioning] : [] },
    );
    const trustStore = new aws.cloudfront.TrustStore(
      `${name}-cloudfront`,
      { caCertificatesBundleSource: { caCertificatesBundleS3Location: { bucket: bucket.bucket, key: object.key, region: args.region, version: object.versionId } } },
      { parent: this, provider: args.usEast1 },
    );
    this.bucketName = bucket.bucket;
    this.truststoreUri = pulumi.interpolate`s3://${bucket.bucket}/${object.key}`;
    this.truststoreVersion = object.versionId;
    this.cloudFrontTrustStoreId = trustStore.id;
    this.registerOutputs({ bucketName: this.bucketName, truststoreUri: this.truststoreUri, truststoreVersion: this.truststoreVersion, cloudFrontTrustStoreId: this.cloudFrontTrustStoreId });
  }
}
