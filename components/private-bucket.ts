import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** A bucket no one outside the account can reach by accident, and the resources that make it so. */
export interface PrivateBucket {
  readonly bucket: aws.s3.Bucket;
  readonly versioning?: aws.s3.BucketVersioning;
  readonly publicAccessBlock: aws.s3.BucketPublicAccessBlock;
}

/**
 * Creates `${name}` as a private bucket: Block Public Access (all four), bucket owner enforced,
 * SSE-S3 by default, optionally versioned. The caller writes its policy (which must deny
 * insecure transport; {@link tlsOnlyStatement}).
 */
export function privateBucket(name: string, parent: pulumi.Resource, options: { versioned: boolean; forceDestroy?: boolean; bucketOptions?: pulumi.CustomResourceOptions }): PrivateBucket {
  const opts = { parent };
  const bucket = new aws.s3.Bucket(name, { forceDestroy: options.forceDestroy ?? false }, { ...options.bucketOptions, parent });
  new aws.s3.BucketOwnershipControls(`${name}-ownership`, { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } }, opts);
  const publicAccessBlock = new aws.s3.BucketPublicAccessBlock(`${name}-public-access`, { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true }, opts);
  new aws.s3.BucketServerSideEncryptionConfiguration(`${name}-encryption`, { bucket: bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] }, opts);
  const versioning = options.versioned ? new aws.s3.BucketVersioning(`${name}-versioning`, { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } }, opts) : undefined;
  return { bucket, versioning, publicAccessBlock };
}

/** The statement every bucket policy of ours starts with: no request over plain HTTP. */
export function tlsOnlyStatement(bucketArn: string) {
  return { Sid: "DenyInsecureTransport", Effect: "Deny" as const, Principal: "*" as const, Action: "s3:*", Resource: [bucketArn, `${bucketArn}/*`], Condition: { Bool: { "aws:SecureTransport": false } } };
}
