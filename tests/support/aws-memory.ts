import { createHash } from "node:crypto";
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { awsError } from "./kms-mock";

type Item = Record<string, unknown>;

/**
 * An in-memory DynamoDB table behind the document client, for the conditional writes the CA
 * store uses: `attribute_not_exists(pk)`, `attribute_exists(pk)`, `... AND #status = :valid`,
 * `ADD n :v` and `SET a = :v, ...` updates, queries on a sparse GSI. Anything else throws, so a
 * new expression in the store cannot pass unexamined.
 */
export function memoryDynamo() {
  const items = new Map<string, Item>();
  const key = (k: Item) => `${k.pk}|${k.sk}`;
  const writes: string[] = [];
  const names = (expr: string, attributeNames: Record<string, string> = {}) => expr.replace(/#\w+/g, (n) => attributeNames[n] ?? n);
  const condition = (expr: string | undefined, item: Item | undefined, values: Item = {}, attributeNames: Record<string, string> = {}): boolean => {
    if (!expr) return true;
    return names(expr, attributeNames)
      .split(/\s+AND\s+/)
      .every((part) => {
        if (part === "attribute_not_exists(pk)") return item === undefined;
        if (part === "attribute_exists(pk)") return item !== undefined;
        const eq = part.match(/^(\w+) = (:\w+)$/);
        if (eq) return item !== undefined && item[eq[1]!] === values[eq[2]!];
        throw new Error(`memoryDynamo: unsupported condition ${part}`);
      });
  };
  const failed = () => awsError("ConditionalCheckFailedException", "The conditional request failed");
  const ddb = mockClient(DynamoDBDocumentClient);
  ddb.on(GetCommand).callsFake((input) => ({ Item: structuredClone(items.get(key(input.Key))) }));
  ddb.on(PutCommand).callsFake((input) => {
    if (!condition(input.ConditionExpression, items.get(key(input.Item)))) throw failed();
    items.set(key(input.Item), structuredClone(input.Item));
    writes.push(`put ${key(input.Item)}`);
    return {};
  });
  ddb.on(TransactWriteCommand).callsFake((input) => {
    for (const op of input.TransactItems) {
      const ok = op.Put
        ? condition(op.Put.ConditionExpression, items.get(key(op.Put.Item)))
        : condition(op.Update.ConditionExpression, items.get(key(op.Update.Key)), op.Update.ExpressionAttributeValues, op.Update.ExpressionAttributeNames);
      if (!ok) throw awsError("TransactionCanceledException", "Transaction cancelled, ConditionalCheckFailed");
    }
    for (const op of input.TransactItems) {
      if (op.Update) {
        update(op.Update);
        continue;
      }
      items.set(key(op.Put.Item), structuredClone(op.Put.Item));
      writes.push(`put ${key(op.Put.Item)}`);
    }
    return {};
  });
  ddb.on(UpdateCommand).callsFake((input) => {
    const current = items.get(key(input.Key));
    if (!condition(input.ConditionExpression, current, input.ExpressionAttributeValues ?? {}, input.ExpressionAttributeNames)) throw failed();
    return { Attributes: update(input) };
  });
  /** Applies an update whose condition held; returns the new item. */
  function update(input: any): Item {
    const current = items.get(key(input.Key));
    const values = input.ExpressionAttributeValues ?? {};
    const next: Item = { ...(current ?? input.Key) };
    const expr = names(input.UpdateExpression, input.ExpressionAttributeNames);
    const add = expr.match(/^ADD (\w+) (:\w+)$/);
    const set = expr.match(/^SET (.+)$/);
    if (add) next[add[1]!] = Number(next[add[1]!] ?? 0) + Number(values[add[2]!]);
    else if (set) for (const assignment of set[1]!.split(/,\s*/)) {
      const [name, value] = assignment.split(/\s*=\s*/);
      next[name!] = values[value!];
    }
    else throw new Error(`memoryDynamo: unsupported update ${expr}`);
    items.set(key(input.Key), next);
    writes.push(`update ${key(input.Key)}`);
    return next;
  }
  // A GSI is eventually consistent: tests hide items from it to play a lagging index.
  const index = { lagging: (_item: Item) => false, queries: 0 };
  ddb.on(QueryCommand).callsFake((input) => {
    const match = input.KeyConditionExpression.match(/^(\w+) = (:\w+)$/);
    if (!input.IndexName || !match) throw new Error(`memoryDynamo: unsupported query ${input.KeyConditionExpression}`);
    if (input.ConsistentRead) throw awsError("ValidationException", "Consistent reads are not supported on global secondary indexes");
    index.queries++;
    const wanted = input.ExpressionAttributeValues[match[2]];
    return { Items: [...items.values()].filter((i) => i[match[1]!] === wanted && !index.lagging(i)).map((i) => structuredClone(i)) };
  });
  return { ddb, items, writes, index, restore: () => ddb.restore() };
}

/**
 * An in-memory versioned S3 bucket (HeadObject, PutObject with metadata, GetObject), with S3's
 * conditional writes: `If-None-Match: *` and `If-Match: <ETag>` answer 412 PreconditionFailed.
 */
export function memoryS3() {
  const objects = new Map<string, { body: Uint8Array; versionId: string; etag: string; metadata: Record<string, string>; contentType?: string }[]>();
  let version = 0;
  /** Faults to inject: a PutObject for which `put` returns an error fails with it (nothing is written). */
  const faults: { put?: (input: { Key?: string }) => Error | undefined } = {};
  /**
   * Whether the caller may s3:ListBucket. Without it S3 answers a HEAD or GET of a missing key 403,
   * not 404 ("HeadObject" and "GetObject" in the Amazon S3 API Reference, Permissions).
   */
  const access = { canList: true };
  const missing = (head: boolean) => (access.canList ? (head ? awsError("NotFound", "Not Found") : awsError("NoSuchKey", "The specified key does not exist.")) : head ? awsError("Forbidden", "Forbidden") : awsError("AccessDenied", "Access Denied"));
  const s3 = mockClient(S3Client);
  s3.on(HeadObjectCommand).callsFake((input) => {
    const latest = objects.get(input.Key)?.at(-1);
    if (!latest) throw missing(true);
    return { VersionId: latest.versionId, ETag: latest.etag, Metadata: latest.metadata, ContentType: latest.contentType };
  });
  s3.on(PutObjectCommand).callsFake((input) => {
    const fault = faults.put?.(input);
    if (fault) throw fault;
    const versions = objects.get(input.Key) ?? [];
    const current = versions.at(-1);
    if (input.IfNoneMatch === "*" && current) throw awsError("PreconditionFailed", "At least one of the pre-conditions you specified did not hold");
    if (input.IfMatch !== undefined && (!current || current.etag !== input.IfMatch)) throw current ? awsError("PreconditionFailed", "At least one of the pre-conditions you specified did not hold") : awsError("NoSuchKey", "The specified key does not exist.");
    const versionId = `v${++version}`;
    const body = typeof input.Body === "string" ? new Uint8Array(Buffer.from(input.Body)) : new Uint8Array(input.Body);
    const etag = `"${createHash("md5").update(body).digest("hex")}"`;
    versions.push({ body, versionId, etag, metadata: input.Metadata ?? {}, contentType: input.ContentType });
    objects.set(input.Key, versions);
    return { VersionId: versionId, ETag: etag };
  });
  s3.on(GetObjectCommand).callsFake((input) => {
    const latest = objects.get(input.Key)?.at(-1);
    if (!latest) throw missing(false);
    return { Body: { transformToByteArray: async () => latest.body, transformToString: async () => Buffer.from(latest.body).toString("utf8") }, VersionId: latest.versionId };
  });
  /** The latest content of `key`. */
  const latest = (k: string) => objects.get(k)?.at(-1)?.body;
  return { s3, objects, faults, access, latest, putCount: () => s3.commandCalls(PutObjectCommand).length, restore: () => s3.restore() };
}
