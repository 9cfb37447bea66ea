import { ARTIFACT_KEYS } from "../../functions/shared/contract";
import type { Field } from "../normalise";
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

/** `arn:<partition>:s3:::<bucket>[/<key>]`. */
const S3_ARN = /^arn:[^:]+:s3:::([^/]*)(?:\/(.*))?$/s;

/** Why one statement of the PKI bucket's policy grants reads beyond the PKI objects (none when it does not). */
function statementProblems(statement: Field, bucketNames: Set<string>, where: string): string[] {
  if (statement.get("Effect").text() !== "Allow") return [];
  const notAction = statement.get("NotAction");
  if (notAction.exists()) {
    const excluded = notAction.textList();
    // Allow + NotAction grants every action it does not list: object reads too, unless it lists them.
    if (!OBJECT_READS.every((read) => excluded.some((action) => wildcard(action).test(read)))) return [`${where} allows every action but ${excluded.join(", ")} (NotAction), s3:GetObject included`];
  } else if (!grantsObjectRead(statement.get("Action").textList())) {
    return [];
  }
  if (statement.get("NotResource").exists()) return [`${where} grants s3:GetObject on everything but ${statement.get("NotResource").textList().join(", ")} (NotResource)`];
  const problems: string[] = [];
  for (const resource of statement.get("Resource").textList()) {
    if (resource === "*") {
      problems.push(`${where} grants s3:GetObject on "*" (every object of every bucket)`);
      continue;
    }
    const arn = resource.match(S3_ARN);
    if (!arn) continue;
    const [, bucket, key] = arn;
    const thisBucket = /[*?]/.test(bucket!) ? [...bucketNames].some((name) => wildcard(bucket!).test(name)) : bucketNames.has(bucket!.toLowerCase());
    // A bucket ARN without a key names no object; another bucket's objects are not this rule's.
    if (!thisBucket || key === undefined) continue;
    if (/[*?]/.test(key)) problems.push(`${where} grants s3:GetObject on ${resource}, a wildcard object ARN (every object it matches, not only the PKI objects)`);
    else if (!PUBLIC_PKI_OBJECT_KEYS.includes(key)) problems.push(`${where} grants s3:GetObject on ${resource}, which is not one of the PKI objects`);
  }
  return problems;
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
          const statements = fieldsOf(bucketPolicy).get("policy").json().get("Statement").objectList();
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
