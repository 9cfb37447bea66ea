import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { API_ORIGIN_REQUEST_HEADERS, MANAGED_POLICIES } from "./edge-rules";

/** Arguments of {@link MtlsDistribution}. */
export interface MtlsDistributionArgs {
  readonly environment: string;
  /** Alternate domain names of the distribution (the viewer-facing host names). */
  readonly aliases: pulumi.Input<string>[];
  /** ACM certificate (us-east-1) covering the aliases. */
  readonly viewerCertificateArn: pulumi.Input<string>;
  /** The CloudFront trust store of our CA bundle (viewer mTLS). */
  readonly trustStoreId: pulumi.Input<string>;
  /** The viewer-revocation Connection Function. */
  readonly connectionFunctionId: pulumi.Input<string>;
  /** The S3 origin: bucket regional domain name and Origin Access Control. */
  readonly s3DomainName: pulumi.Input<string>;
  readonly s3OriginAccessControlId: pulumi.Input<string>;
  /** The API custom domain (origin mTLS) and the client certificate CloudFront presents to it. */
  readonly apiDomainName: pulumi.Input<string>;
  readonly originClientCertificateArn: pulumi.Input<string>;
  /** The secret header that tells the API the request came through CloudFront. */
  readonly secretHeaderName: string;
  readonly secretHeaderValue: pulumi.Input<string>;
  /** Default PriceClass_100. */
  readonly priceClass?: string;
  /** WAF web ACL ARN; default none. */
  readonly webAclArn?: pulumi.Input<string>;
  /** Standard logging bucket domain name (`bucket.s3.amazonaws.com`); default none. */
  readonly loggingBucketDomainName?: pulumi.Input<string>;
}

/**
 * CloudFront with mutual TLS on both hops: viewers must present a certificate from our CA (trust
 * store, mode `required`, revocation through the Connection Function); the default behaviour
 * serves the S3 origin through OAC; `/api*` goes to the API custom domain over origin mTLS with
 * CloudFront's client certificate and the secret header, uncached, all methods, forwarding the
 * viewer-certificate headers so the API learns who the end user is. TLS 1.2+ for viewers, HTTP/3
 * off (CloudFront requires it with viewer mTLS), no plain HTTP anywhere.
 */
export class MtlsDistribution extends pulumi.ComponentResource {
  public readonly distributionId: pulumi.Output<string>;
  public readonly distributionArn: pulumi.Output<string>;
  public readonly domainName: pulumi.Output<string>;
  public readonly hostedZoneId: pulumi.Output<string>;
  /** Changes whenever the distribution's configuration does. */
  public readonly etag: pulumi.Output<string>;

  constructor(name: string, args: MtlsDistributionArgs, opts?: pulumi.ComponentResourceOptions) {
    super("edge-mtls:workload:MtlsDistribution", name, {}, opts);
    const prefix = `edge-mtls-${args.environment}`;
    // The API needs its own Host header, so no managed "all viewer" policy: a whitelist of what the
    // backend reads (CloudFront headers cannot be added to an "all except" list; 10 headers at most).
    const originRequestPolicy = new aws.cloudfront.OriginRequestPolicy(
      `${name}-api-origin-request`,
      {
        name: `${prefix}-api-viewer-certificate`,
        comment: "edge-mtls: Content-Type and the viewer certificate headers the API reads",
        headersConfig: { headerBehavior: "whitelist", headers: { items: [...API_ORIGIN_REQUEST_HEADERS] } },
        cookiesConfig: { cookieBehavior: "none" },
        queryStringsConfig: { queryStringBehavior: "all" },
      },
      { parent: this },
    );
    const distribution = new aws.cloudfront.Distribution(
      `${name}-distribution`,
      {
        enabled: true,
        comment: `${prefix}: end-to-end mTLS`,
        aliases: args.aliases,
        httpVersion: "http2",
        isIpv6Enabled: true,
        priceClass: args.priceClass ?? "PriceClass_100",
        defaultRootObject: "index.html",
        webAclId: args.webAclArn,
        viewerCertificate: { acmCertificateArn: args.viewerCertificateArn, sslSupportMethod: "sni-only", minimumProtocolVersion: "TLSv1.2_2021" },
        viewerMtlsConfig: { mode: "required", trustStoreConfig: { trustStoreId: args.trustStoreId, advertiseTrustStoreCaNames: true, ignoreCertificateExpiry: false } },
        connectionFunctionAssociation: { id: args.connectionFunctionId },
        origins: [
          { originId: "s3-site", domainName: args.s3DomainName, originAccessControlId: args.s3OriginAccessControlId, s3OriginConfig: { originAccessIdentity: "" } },
          {
            originId: "api",
            domainName: args.apiDomainName,
            customOriginConfig: { httpPort: 80, httpsPort: 443, originProtocolPolicy: "https-only", originSslProtocols: ["TLSv1.2"], originMtlsConfig: { clientCertificateArn: args.originClientCertificateArn } },
            customHeaders: [{ name: args.secretHeaderName, value: args.secretHeaderValue }],
          },
        ],
        defaultCacheBehavior: {
          targetOriginId: "s3-site",
          viewerProtocolPolicy: "redirect-to-https",
          allowedMethods: ["GET", "HEAD"],
          cachedMethods: ["GET", "HEAD"],
          cachePolicyId: MANAGED_POLICIES.cachingOptimized,
          compress: true,
        },
        orderedCacheBehaviors: [
          {
            pathPattern: "/api*",
            targetOriginId: "api",
            viewerProtocolPolicy: "redirect-to-https",
            allowedMethods: ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"],
            cachedMethods: ["GET", "HEAD"],
            cachePolicyId: MANAGED_POLICIES.cachingDisabled,
            originRequestPolicyId: originRequestPolicy.id,
            compress: true,
          },
        ],
        restrictions: { geoRestriction: { restrictionType: "none" } },
        loggingConfig: args.loggingBucketDomainName ? { bucket: args.loggingBucketDomainName, includeCookies: false, prefix: `${prefix}/` } : undefined,
      },
      { parent: this },
    );
    this.distributionId = distribution.id;
    this.distributionArn = distribution.arn;
    this.domainName = distribution.domainName;
    this.hostedZoneId = distribution.hostedZoneId;
    this.etag = distribution.etag;
    this.registerOutputs({ distributionId: this.distributionId, distributionArn: this.distributionArn, domainName: this.domainName });
  }
}
