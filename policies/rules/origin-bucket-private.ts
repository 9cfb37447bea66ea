import { bucketNamesOf, BUCKET_TYPES, fieldsOf, Finding, isDistribution, originsOf, StackRule } from "./rule";

const FLAGS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"];

/** Rule 9: every bucket behind a distribution blocks all public access. */
export const originBucketPrivate: StackRule = {
  kind: "stack",
  name: "origin-bucket-private",
  description: "S3 buckets used as CloudFront origins must block all public access (all four Block Public Access settings).",
  enforcementLevel: "mandatory",
  check(resources) {
    const findings: Finding[] = [];
    const buckets = resources.filter((r) => BUCKET_TYPES.includes(r.type)).map((bucket) => ({ bucket, names: bucketNamesOf(bucket) }));
    const blocks = resources.filter((r) => r.type === "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock");
    for (const distribution of resources.filter(isDistribution)) {
      for (const origin of originsOf(distribution)) {
        if (origin.target.kind !== "s3-rest") continue;
        const { domain } = origin;
        const name = origin.target.bucket;
        const found = buckets.find((b) => (domain !== undefined && b.names.has(domain)) || b.names.has(name));
        if (!found) {
          findings.push({ resource: distribution, message: `${origin.label}: bucket ${name.slice(0, 80)} is not in this stack, so its Block Public Access cannot be checked here`, advisory: true });
          continue;
        }
        const { bucket, names } = found;
        const block = blocks.find((b) => {
          const target = fieldsOf(b).get("bucket").text();
          return target !== undefined && names.has(target.toLowerCase());
        });
        const off = block ? FLAGS.filter((flag) => fieldsOf(block).get(flag).flag() !== true) : FLAGS;
        if (off.length > 0) findings.push({ resource: bucket, message: `${bucket.name} is an origin of ${distribution.name} but does not block public access (${off.join(", ")} not true); add a BucketPublicAccessBlock with all four true` });
      }
    }
    return findings;
  },
};
