import { readdirSync, statSync } from "node:fs";
import { extname, join, relative } from "node:path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { privateBucket, tlsOnlyStatement } from "./private-bucket";

/** Arguments of {@link S3Origin}. */
export interface S3OriginArgs {
  /** A folder whose files are uploaded as the site content; default none. */
  readonly contentDir?: string;
}

const CONTENT_TYPES: Record<string, string> = { ".html": "text/html; charset=utf-8", ".css": "text/css", ".js": "text/javascript", ".json": "application/json", ".svg": "image/svg+xml", ".png": "image/png", ".txt": "text/plain; charset=utf-8" };

/**
 * The private S3 origin: Block Public Access, SSE, ownership enforced, TLS only, and an Origin
 * Access Control (s3, sigv4, always). {@link grantDistribution} writes the bucket policy that lets
 * exactly one distribution read it (`AWS:SourceArn` condition), once that distribution exists.
 */
export class S3Origin extends pulumi.ComponentResource {
  public readonly bucketName: pulumi.Output<string>;
  public readonly bucketArn: pulumi.Output<string>;
  public readonly regionalDomainName: pulumi.Output<string>;
  public readonly originAccessControlId: pulumi.Output<string>;
  private readonly bucket: aws.s3.Bucket;
  private readonly name: string;

  constructor(name: string, args: S3OriginArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    super("edge-mtls:workload:S3Origin", name, {}, opts);
    this.name = name;
    this.bucket = privateBucket(`${name}-bucket`, this, { versioned: true, forceDestroy: true }).bucket;
    const oac = new aws.cloudfront.OriginAccessControl(
      `${name}-oac`,
      { name: pulumi.interpolate`${this.bucket.bucket}-oac`, originAccessControlOriginType: "s3", signingBehavior: "always", signingProtocol: "sigv4", description: "edge-mtls: CloudFront signs every request to the S3 origin" },
      { parent: this },
    );
    if (args.contentDir) {
      for (const file of listFiles(args.contentDir)) {
        const key = relative(args.contentDir, file).split("\\").join("/");
        new aws.s3.BucketObjectv2(`${name}-content-${key.replace(/[^A-Za-z0-9]+/g, "-")}`, { bucket: this.bucket.id, key, source: new pulumi.asset.FileAsset(file), contentType: CONTENT_TYPES[extname(file)] ?? "application/octet-stream" }, { parent: this });
      }
    }
    this.bucketName = this.bucket.bucket;
    this.bucketArn = this.bucket.arn;
    this.regionalDomainName = this.bucket.bucketRegionalDomainName;
    this.originAccessControlId = oac.id;
    this.registerOutputs({ bucketName: this.bucketName, regionalDomainName: this.regionalDomainName, originAccessControlId: this.originAccessControlId });
  }

  /** The bucket policy: TLS only, and `s3:GetObject` for CloudFront on behalf of this distribution only. */
  grantDistribution(distributionArn: pulumi.Input<string>): aws.s3.BucketPolicy {
    const policy = pulumi.all([this.bucket.arn, distributionArn]).apply(([bucketArn, sourceArn]) =>
      JSON.stringify(s3OriginPolicy(bucketArn, sourceArn)),
    );
    return new aws.s3.BucketPolicy(`${this.name}-policy`, { bucket: this.bucket.id, policy }, { parent: this });
  }
}

/** The S3 origin's bucket policy (pure): TLS only; CloudFront may GetObject only for `distributionArn`. */
export function s3OriginPolicy(bucketArn: string, distributionArn: string) {
  return {
    Version: "2012-10-17",
    Statement: [
      tlsOnlyStatement(bucketArn),
      { Sid: "CloudFrontReadsThroughOac", Effect: "Allow", Principal: { Service: "cloudfront.amazonaws.com" }, Action: "s3:GetObject", Resource: `${bucketArn}/*`, Condition: { StringEquals: { "AWS:SourceArn": distributionArn } } },
    ],
  };
}

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? listFiles(path) : [path];
  });
}
