import { fieldsOf, Finding, isDistribution, originsOf, PolicyResource, StackRule } from "./rule";

const FLAGS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"];
const BUCKETS = ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"];

/** The names a bucket is known by in this stack: its name, its id, its domain names (normalised). */
function namesOf(bucket: PolicyResource): Set<string> {
  const fields = fieldsOf(bucket);
  const names = [fields.get("bucket").text(), fields.get("id").text()].filter((n): n is string => n !== undefined).map((n) => n.toLowerCase());
  const domains = [fields.get("bucketRegionalDomainName").domain(), fields.get("bucketDomainName").domain()].filter((d): d is string => d !== undefined);
  return new Set([...names, ...domains]);
}

/** Rule 9: every bucket behind a distribution blocks all public access. */
export const originBucketPrivate: StackRule = {
  kind: "stack",
  name: "origin-bucket-private",
  description: "S3 buckets used as CloudFront origins must block all public access (all four Block Public Access settings).",
  enforcementLevel: "mandatory",
  check(resources) {
    const findings: Finding[] = [];
    const buckets = resources.filter((r) => BUCKETS.includes(r.type)).map((bucket) => ({ bucket, names: namesOf(bucket) }));
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
