import { clip, type Field } from "../../policies/normalise";
import { AwsResourceRule, fieldsOf, label } from "./rule";
import { SOURCES } from "./sources";

/** `arn:<partition>:s3:::<bucket>/<key>` with no wildcard: one object. */
const OBJECT_ARN = /^arn:([^:*?]+):s3:::([^/*?]+)\/([^*?]+)$/s;

/** Whether `actions` (IAM action patterns, case-insensitive) include `action`. */
const grants = (actions: readonly string[], action: string) =>
  actions.some((pattern) => new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`, "i").test(action));

/** The Allow statements of an identity policy (a JSON string or an object), as fields. */
function allowStatements(policy: Field): Field[] {
  return policy
    .json()
    .get("Statement")
    .objectList()
    .filter((statement) => statement.get("Effect").text() === "Allow" && !statement.get("NotAction").exists() && !statement.get("NotResource").exists());
}

/**
 * A role that reads an object before writing it (a publisher that skips an unchanged object, or
 * writes only over what it read) learns that the object is missing only with s3:ListBucket: S3
 * answers a read of a missing key 404 to a caller allowed to list the bucket, 403 to anyone else.
 * Without it the first publication into an empty bucket fails.
 */
export const s3ReadBeforeWriteNeedsList: AwsResourceRule = {
  id: "s3-read-before-write-needs-list-bucket",
  service: "S3",
  scope: "resource",
  kind: "hard",
  summary: "A role policy that lets a role both read (s3:GetObject) and write (s3:PutObject) the same object also allows s3:ListBucket on that object's bucket: without it S3 answers a read of a missing object 403 Access Denied, not 404, and a publisher that reads first cannot tell a first publication from a refusal.",
  awsError: "AccessDenied 403 (HeadObject / GetObject of a missing object), where 404 NoSuchKey was expected",
  sources: [SOURCES.s3HeadObject, SOURCES.s3GetObject],
  disagreement:
    "Stricter than AWS: S3 refuses nothing here; the rule assumes that a role allowed to read and write the same object reads it first (as the CA's publishers do) and needs the 404. Not found in AWS text reachable here: whether an s3:prefix condition on s3:ListBucket is evaluated for this check; the rule counts only an unconditioned s3:ListBucket on the bucket ARN.",
  resourceTypes: ["aws:iam/rolePolicy:RolePolicy"],
  check(resource) {
    const statements = allowStatements(fieldsOf(resource).get("policy"));
    const readable = new Set<string>();
    const writable = new Set<string>();
    const listable = new Set<string>();
    for (const statement of statements) {
      const actions = statement.get("Action").textList();
      const resources = statement.get("Resource").textList();
      const conditioned = statement.get("Condition").exists();
      for (const arn of resources) {
        if (grants(actions, "s3:GetObject") && OBJECT_ARN.test(arn)) readable.add(arn);
        if (grants(actions, "s3:PutObject") && OBJECT_ARN.test(arn)) writable.add(arn);
        const bucket = /^arn:[^:*?]+:s3:::([^/*?]+)$/.exec(arn)?.[1];
        if (bucket !== undefined && !conditioned && grants(actions, "s3:ListBucket")) listable.add(bucket);
      }
    }
    const missing = new Map<string, string[]>();
    for (const arn of readable) {
      if (!writable.has(arn)) continue;
      const [, , bucket, key] = OBJECT_ARN.exec(arn)!;
      if (!listable.has(bucket!)) missing.set(bucket!, [...(missing.get(bucket!) ?? []), key!]);
    }
    return [...missing].map(
      ([bucket, keys]) =>
        `${label(resource)}: reads and writes ${clip(keys.join(", "), 200)} in bucket ${clip(bucket, 63)} without s3:ListBucket on the bucket (its ARN, no condition); S3 would answer a read of a missing object 403, not 404`,
    );
  },
};

export const S3_RULES = [s3ReadBeforeWriteNeedsList];
