import { ARTIFACT_KEYS } from "../../functions/shared/contract";
import { clip, type Field } from "../normalise";
import { taggedPublicPki } from "./public-pki";
import { bucketNamesOf, BUCKET_TYPES, fieldsOf, Finding, isDistribution, isS3Origin, Origin, originsOf, PolicyResource, StackRule } from "./rule";

const BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy";

/** The objects a public PKI endpoint may serve: what ca-admin and ca-crl publish (CA certificates in PEM and DER, the bundle, the CRLs). */
export const PUBLIC_PKI_OBJECT_KEYS: readonly string[] = Object.values(ARTIFACT_KEYS);

/** The actions that read an object's content. */
const OBJECT_READS = ["s3:getobject", "s3:getobjectversion"];

/** An IAM wildcard pattern (`*` any run, `?` one character), compared case-insensitively as IAM compares actions. */
function wildcard(pattern: string): RegExp {
  return new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`, "i");
}

const grantsObjectRead = (actions: readonly string[]) => OBJECT_READS.some((read) => actions.some((action) => wildcard(action).test(read)));

/** `arn:<partition>:s3:::<bucket>/<key>`. */
const S3_OBJECT_ARN = /^arn:[^:*?]+:s3:::([^/*?]+)\/([^*?]*)$/s;

/**
 * "Bucket policies are limited to 20 KB in size." (Amazon S3 User Guide, "Bucket policies and user
 * policies"): a larger policy is refused by S3 and not read further here.
 */
const MAX_BUCKET_POLICY_CHARS = 20 * 1024;
const BUCKET_POLICY_LIMIT_SOURCE = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-iam-policies.html";

/** AWS's partitions, for a Resource pattern whose partition is a wildcard. */
const AWS_PARTITIONS: readonly string[] = ["aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc"];

/** IAM's longest ARN: a Resource entry longer than this names nothing IAM would accept. */
const MAX_ARN_LENGTH = 2048;

/**
 * Whether two IAM wildcard patterns (`*` any run, `?` one character, compared case-insensitively)
 * match some string in common. IAM matches a Resource pattern against the whole ARN, so `*` runs
 * over `:` and `/` alike: `arn:aws:s3:::bucket*`, `arn:aws:s3:*:*:bucket/*` and `arn:*:*:::*`
 * each name every object of `bucket`. Dynamic programming over both patterns (at most
 * {@link MAX_ARN_LENGTH} × a bucket ARN's length).
 */
export function patternsOverlap(a: string, b: string): boolean {
  const [p, q] = [a.toLowerCase(), b.toLowerCase()];
  // reach[i][j]: some string takes p to position i and q to position j, filled in order of i + j.
  const reach: Uint8Array[] = Array.from({ length: p.length + 1 }, () => new Uint8Array(q.length + 1));
  reach[0]![0] = 1;
  for (let i = 0; i <= p.length; i++) {
    for (let j = 0; j <= q.length; j++) {
      if (!reach[i]![j]) continue;
      const [x, y] = [p[i], q[j]];
      if (x === "*") reach[i + 1]![j] = 1; // p's star matches nothing more
      if (y === "*") reach[i]![j + 1] = 1;
      if (x === undefined || y === undefined) continue;
      // One character both can take: a star stays where it is, anything else moves on.
      if (x === "*" && y === "*") continue;
      const ni = x === "*" ? i : i + 1;
      const nj = y === "*" ? j : j + 1;
      if (x === "*" || y === "*" || x === "?" || y === "?" || x === y) reach[ni]![nj] = 1;
    }
  }
  return reach[p.length]![q.length] === 1;
}

/** Why one Resource entry grants reads beyond the PKI objects of the buckets `bucketNames` (none when it does not). */
function resourceProblem(resource: string, bucketNames: Set<string>, where: string): string | undefined {
  if (resource.length > MAX_ARN_LENGTH) return `${where} names a resource of ${resource.length} characters, longer than any ARN IAM accepts (${MAX_ARN_LENGTH})`;
  const literal = resource.match(S3_OBJECT_ARN);
  if (literal) {
    const [, bucket, key] = literal;
    if (!bucketNames.has(bucket!.toLowerCase()) || PUBLIC_PKI_OBJECT_KEYS.includes(key!)) return undefined;
    return `${where} grants s3:GetObject on ${clip(resource, 200)}, which is not one of the PKI objects`;
  }
  if (!/[*?]/.test(resource)) return undefined; // a bucket ARN, another service's ARN: no object of this bucket
  // The bucket's ARN is in one partition: a star there would let the pattern's own stars line up
  // with any text (`arn:*:s3:::b/*` shares a string with `arn:aws:s3:::other/*`).
  const literalPartition = /^arn:([^:*?]+):/.exec(resource)?.[1];
  const partitions = literalPartition === undefined ? AWS_PARTITIONS : [literalPartition];
  const reaches = [...bucketNames].some((name) => partitions.some((partition) => patternsOverlap(resource, `arn:${partition}:s3:::${name}/*`)));
  if (!reaches) return undefined;
  return resource === "*"
    ? `${where} grants s3:GetObject on "*" (every object of every bucket)`
    : `${where} grants s3:GetObject on ${clip(resource, 200)}, a wildcard object ARN (IAM matches it against objects of this bucket: every object it matches, not only the PKI objects)`;
}

/** Why one statement of the PKI bucket's policy grants reads beyond the PKI objects (none when it does not). */
function statementProblems(statement: Field, bucketNames: Set<string>, where: string): string[] {
  if (statement.get("Effect").text() !== "Allow") return [];
  const notAction = statement.get("NotAction");
  if (notAction.exists()) {
    const excluded = notAction.textList();
    // Allow + NotAction grants every action it does not list: object reads too, unless it lists them.
    if (!OBJECT_READS.every((read) => excluded.some((action) => wildcard(action).test(read)))) return [`${where} allows every action but ${clip(excluded.join(", "), 200)} (NotAction), s3:GetObject included`];
  } else if (!grantsObjectRead(statement.get("Action").textList())) {
    return [];
  }
  if (statement.get("NotResource").exists()) return [`${where} grants s3:GetObject on everything but ${clip(statement.get("NotResource").textList().join(", "), 200)} (NotResource)`];
  return statement
    .get("Resource")
    .textList()
    .map((resource) => resourceProblem(resource, bucketNames, where))
    .filter((problem): problem is string => problem !== undefined);
}

/** The S3 origins of other distributions that are the same bucket as `origin`. */
function sharingDistributions(origin: Origin & { target: { bucket: string } }, pki: PolicyResource, distributions: readonly PolicyResource[]): { distribution: PolicyResource; origin: Origin }[] {
  return distributions
    .filter((d) => d !== pki)
    .flatMap((distribution) => originsOf(distribution).filter((o) => isS3Origin(o) && (o.target as { bucket: string }).bucket === origin.target.bucket).map((o) => ({ distribution, origin: o })));
}

/**
 * The public PKI endpoint's bucket serves the PKI and nothing else. The endpoint is exempt from
 * viewer mTLS (relying parties fetch CRLs and CA certificates without a client certificate), so a
 * bucket behind it that is also another distribution's origin, or whose policy lets CloudFront
 * (or anyone) read more than the PKI objects, would publish that content without mTLS: through
 * the endpoint's own behaviours today, or the next path someone adds.
 */
export const publicPkiBucket: StackRule = {
  kind: "stack",
  name: "public-pki-bucket",
  description:
    "A distribution tagged as the public PKI endpoint (exempt from viewer mTLS) must front a bucket that no other distribution uses as an origin, and that bucket's policy may grant s3:GetObject only on the PKI objects (CA certificates, the trust bundle, CRLs), each named: no wildcard object ARN. Advisory when the bucket's policy is not in the stack.",
  enforcementLevel: "mandatory",
  check(resources) {
    const findings: Finding[] = [];
    const distributions = resources.filter(isDistribution);
    const buckets = resources.filter((r) => BUCKET_TYPES.includes(r.type)).map((bucket) => ({ bucket, names: bucketNamesOf(bucket) }));
    const bucketPolicies = resources.filter((r) => r.type === BUCKET_POLICY);
    for (const pki of distributions.filter(taggedPublicPki)) {
      for (const origin of originsOf(pki)) {
        if (!isS3Origin(origin)) continue;
        const s3 = origin as Origin & { target: { bucket: string } };
        for (const other of sharingDistributions(s3, pki, distributions)) {
          findings.push({ resource: pki, message: `${origin.label}: bucket ${s3.target.bucket} is also behind ${other.distribution.name} (${other.origin.label}); the public PKI endpoint is exempt from viewer mTLS, so its bucket must serve nothing else: give ${other.distribution.name} a bucket of its own` });
        }
        const known = buckets.find((b) => (origin.domain !== undefined && b.names.has(origin.domain)) || b.names.has(s3.target.bucket));
        const names = known ? known.names : new Set([s3.target.bucket]);
        const applying = bucketPolicies.filter((p) => names.has(fieldsOf(p).get("bucket").text()?.toLowerCase() ?? ""));
        if (applying.length === 0) {
          findings.push({ resource: pki, message: `${origin.label}: the policy of bucket ${s3.target.bucket} is not in this stack, so what it lets CloudFront read cannot be checked here; grant s3:GetObject only on ${PUBLIC_PKI_OBJECT_KEYS.join(", ")}`, advisory: true });
          continue;
        }
        for (const bucketPolicy of applying) {
          const policy = fieldsOf(bucketPolicy).get("policy");
          const size = policy.exists() ? (typeof policy.value === "string" ? policy.value : JSON.stringify(policy.value) ?? "").length : 0;
          if (size > MAX_BUCKET_POLICY_CHARS) {
            // Judged no further: S3 refuses it, and judging it whole would cost time a hostile export chooses.
            findings.push({ resource: bucketPolicy, message: `${bucketPolicy.name} is the policy of the public PKI endpoint's bucket (${pki.name}) and holds ${size} characters, more than S3's 20 KB bucket policy limit (${BUCKET_POLICY_LIMIT_SOURCE}): S3 would refuse it` });
            continue;
          }
          const statements = policy.json().get("Statement").objectList();
          statements.forEach((statement, i) => {
            const sid = statement.get("Sid").text();
            for (const problem of statementProblems(statement, names, `statement ${sid ?? i + 1}`)) {
              findings.push({ resource: bucketPolicy, message: `${bucketPolicy.name} is the policy of the public PKI endpoint's bucket (${pki.name}): ${problem}; name each PKI object instead (${PUBLIC_PKI_OBJECT_KEYS.join(", ")})` });
            }
          });
        }
      }
    }
    return findings;
  },
};
