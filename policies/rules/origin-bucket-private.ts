import { DISTRIBUTION_TYPES, Finding, originLabel, originsOf, PolicyResource, S3_REST_DOMAIN, StackRule } from "./rule";

const FLAGS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"];

function bucketName(bucket: PolicyResource): string | undefined {
  return bucket.outputs?.bucket ?? bucket.props.bucket;
}

/** Rule 9: every bucket behind a distribution blocks all public access. */
export const originBucketPrivate: StackRule = {
  kind: "stack",
  name: "origin-bucket-private",
  description: "S3 buckets used as CloudFront origins must block all public access (all four Block Public Access settings).",
  enforcementLevel: "mandatory",
  check(resources) {
    const findings: Finding[] = [];
    const buckets = resources.filter((r) => r.type === "aws:s3/bucket:Bucket" || r.type === "aws:s3/bucketV2:BucketV2");
    const blocks = resources.filter((r) => r.type === "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock");
    for (const distribution of resources.filter((r) => (DISTRIBUTION_TYPES as readonly string[]).includes(r.type))) {
      for (const origin of originsOf(distribution.props)) {
        const domain = typeof origin.domainName === "string" ? origin.domainName : undefined;
        const match = domain?.match(S3_REST_DOMAIN);
        if (!domain || !match) continue;
        const bucket = buckets.find((b) => b.outputs?.bucketRegionalDomainName === domain || b.outputs?.bucketDomainName === domain || bucketName(b) === match[1]);
        if (!bucket) {
          findings.push({ resource: distribution, message: `${originLabel(origin)}: bucket ${match[1]} is not in this stack, so its Block Public Access cannot be checked here`, advisory: true });
          continue;
        }
        const ids = new Set([bucketName(bucket), bucket.outputs?.id].filter(Boolean));
        const block = blocks.find((b) => ids.has(b.props.bucket));
        const off = block ? FLAGS.filter((flag) => block.props[flag] !== true) : FLAGS;
        if (off.length > 0) findings.push({ resource: bucket, message: `${bucket.name} is an origin of ${distribution.name} but does not block public access (${off.join(", ")} not true); add a BucketPublicAccessBlock with all four true` });
      }
    }
    return findings;
  },
};
