import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, ScanCommand, TransactWriteCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { RevocationReason, RevokedEntry } from "../../pki/crl";
import { TABLE_LAYOUT } from "./contract";
import { inventoryIndexAttributes } from "./inventory";

export { TABLE_LAYOUT };

/** A CA certificate as the inventory keeps it, with the CRL counter of that CA. */
export interface CaRecord {
  readonly role: "root" | "issuing";
  readonly certificatePem: string;
  readonly serialHex: string;
  readonly notAfter: string;
  readonly crlNumber: number;
  /** How many certificates this CA has revoked (kept with each revocation, atomically). */
  readonly revocations?: number;
}

/** An issued leaf certificate in the inventory. Private keys are never stored. */
export interface CertificateRecord {
  readonly serialHex: string;
  readonly serialDecimal: string;
  readonly subject: string;
  readonly sans: readonly string[];
  readonly purposes: readonly string[];
  readonly notBefore: string;
  readonly notAfter: string;
  readonly certificatePem: string;
  /** Who asked, as far as Lambda can tell (the request id; the caller's principal is in CloudTrail). */
  readonly requestId: string;
  readonly idempotencyKey?: string;
  readonly status: "valid" | "revoked";
  readonly revokedAt?: string;
  readonly reason?: RevocationReason;
}

/** The idempotency record: which certificate a key produced, and a hash of the request it came with. */
export interface IdempotencyRecord {
  readonly serialHex: string;
  readonly requestHash: string;
}

/** What {@link CaStore.putCertificate} did. */
export type PutCertificateOutcome = "created" | "idempotency-exists" | "serial-exists";

/** The CA inventory, as the handlers use it (DynamoDB in AWS, a map in tests). */
export interface CaStore {
  getCa(role: CaRecord["role"]): Promise<CaRecord | undefined>;
  /** Creates the CA record unless one exists; false when another run created it first. */
  createCa(record: CaRecord): Promise<boolean>;
  /** Atomically increments and returns the CA's CRL number. */
  nextCrlNumber(role: CaRecord["role"]): Promise<number>;
  getIdempotency(key: string): Promise<IdempotencyRecord | undefined>;
  /**
   * Creates a certificate record and, with a key, its idempotency record, all or nothing, never
   * over an existing one. Returns "idempotency-exists" when another request already used the key,
   * "serial-exists" when the inventory already holds the serial (whatever its status: a revoked
   * record is never overwritten, so never un-revoked); either way nothing is stored.
   */
  putCertificate(record: CertificateRecord, idempotency?: IdempotencyRecord & { key: string }): Promise<PutCertificateOutcome>;
  getCertificate(serialHex: string): Promise<CertificateRecord | undefined>;
  /** Marks a valid certificate revoked; says why not otherwise. */
  revoke(serialHex: string, revokedAt: string, reason: RevocationReason): Promise<"revoked" | "not-found" | "already-revoked">;
  /** Every revoked certificate, for the CRL: at least every revocation made before the call. */
  listRevoked(): Promise<RevokedEntry[]>;
  /**
   * Gives certificate records written before the expiry and series indexes existed their index
   * attributes (one scan, one conditional update each); returns how many it indexed. Optional:
   * stores that never held such records need not have it.
   */
  indexUnindexedCertificates?(): Promise<number>;
}

/** How long {@link DynamoCaStore.listRevoked} waits for the revoked index to catch up, in total. */
export const INDEX_CATCH_UP_MS = 6_000;


const caKey = (role: string) => ({ pk: `CA#${role}`, sk: "CA" });
const certKey = (serialHex: string) => ({ pk: `CERT#${serialHex}`, sk: "CERT" });

/** A certificate record as the table holds it: its key, the record, and the attributes that index it (expiry year, series). */
export function certificateItem(record: CertificateRecord): Record<string, unknown> {
  return { ...certKey(record.serialHex), ...record, ...inventoryIndexAttributes(record) };
}

const idempotencyKey = (key: string) => ({ pk: `IDEMPOTENCY#${key}`, sk: "IDEMPOTENCY" });

function isConditionFailure(error: unknown): boolean {
  const name = (error as Error)?.name;
  return name === "ConditionalCheckFailedException" || name === "TransactionCanceledException";
}

/** The per-action codes of a cancelled transaction (`CancellationReasons`), empty when DynamoDB gave none. */
function cancellationCodes(error: unknown): string[] {
  const reasons = (error as { CancellationReasons?: { Code?: string }[] })?.CancellationReasons;
  return Array.isArray(reasons) ? reasons.map((r) => r?.Code ?? "None") : [];
}

/**
 * Whether a write lost to another transaction on one of its items: a transaction cancelled with
 * `TransactionConflict`, or a single-item write refused with TransactionConflictException. DynamoDB
 * wrote nothing, and the SDK's retry strategy does not retry either, so the caller tries again
 * ("Transaction conflict handling in DynamoDB", Amazon DynamoDB Developer Guide,
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis.html#transaction-conflict-handling).
 */
function lostToTransaction(error: unknown): boolean {
  return (error as Error)?.name === "TransactionConflictException" || cancellationCodes(error).includes("TransactionConflict");
}

/** Attempts at a write that keeps losing to concurrent transactions (every revoke touches the issuing CA's record). */
export const CONFLICT_ATTEMPTS = 6;

/** {@link CaStore} on DynamoDB (document client). Every write that must not clobber is conditional. */
export class DynamoCaStore implements CaStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  ) {}

  async getCa(role: CaRecord["role"]): Promise<CaRecord | undefined> {
    const result = await this.client.send(new GetCommand({ TableName: this.tableName, Key: caKey(role), ConsistentRead: true }));
    return result.Item as CaRecord | undefined;
  }

  async createCa(record: CaRecord): Promise<boolean> {
    try {
      await this.client.send(new PutCommand({ TableName: this.tableName, Item: { ...caKey(record.role), ...record }, ConditionExpression: "attribute_not_exists(pk)" }));
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async nextCrlNumber(role: CaRecord["role"]): Promise<number> {
    const update = () =>
      new UpdateCommand({
        TableName: this.tableName,
        Key: caKey(role),
        UpdateExpression: "ADD crlNumber :one",
        ConditionExpression: "attribute_exists(pk)",
        ExpressionAttributeValues: { ":one": 1 },
        ReturnValues: "UPDATED_NEW",
      });
    const result = await this.retryConflicts(() => this.client.send(update()));
    return Number(result.Attributes!.crlNumber);
  }

  /** Runs `write` again (up to {@link CONFLICT_ATTEMPTS} times, with jittered backoff) while it loses to a concurrent transaction. */
  private async retryConflicts<T>(write: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await write();
      } catch (error) {
        if (!lostToTransaction(error) || attempt >= CONFLICT_ATTEMPTS) throw error;
        await this.sleep(Math.round(20 * 2 ** attempt * (0.5 + Math.random() / 2)));
      }
    }
  }

  async getIdempotency(key: string): Promise<IdempotencyRecord | undefined> {
    const result = await this.client.send(new GetCommand({ TableName: this.tableName, Key: idempotencyKey(key), ConsistentRead: true }));
    return result.Item as IdempotencyRecord | undefined;
  }

  /**
   * One transaction of puts conditional on `attribute_not_exists(pk)`: nothing is ever written over
   * an existing item. When it is cancelled, strongly consistent reads say which item was there (the
   * serial first: a collision must not pass for an idempotent replay).
   */
  async putCertificate(record: CertificateRecord, idempotency?: IdempotencyRecord & { key: string }): Promise<PutCertificateOutcome> {
    const items: { Put: { TableName: string; Item: Record<string, unknown>; ConditionExpression: string } }[] = [
      { Put: { TableName: this.tableName, Item: certificateItem(record), ConditionExpression: "attribute_not_exists(pk)" } },
    ];
    if (idempotency) {
      const item = { ...idempotencyKey(idempotency.key), serialHex: idempotency.serialHex, requestHash: idempotency.requestHash };
      items.push({ Put: { TableName: this.tableName, Item: item, ConditionExpression: "attribute_not_exists(pk)" } });
    }
    try {
      await this.client.send(new TransactWriteCommand({ TransactItems: items }));
      return "created";
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      if (await this.getCertificate(record.serialHex)) return "serial-exists";
      if (idempotency && (await this.getIdempotency(idempotency.key))) return "idempotency-exists";
      throw error; // cancelled for another reason (a conflicting transaction): nothing was written
    }
  }

  async getCertificate(serialHex: string): Promise<CertificateRecord | undefined> {
    const result = await this.client.send(new GetCommand({ TableName: this.tableName, Key: certKey(serialHex), ConsistentRead: true }));
    return result.Item as CertificateRecord | undefined;
  }

  /**
   * Marks the certificate revoked and counts the revocation on the issuing CA's record in one
   * transaction: the count is what {@link listRevoked} checks the eventually consistent index against.
   */
  async revoke(serialHex: string, revokedAt: string, reason: RevocationReason): Promise<"revoked" | "not-found" | "already-revoked"> {
    // A new command per attempt: a sent command is not reused.
    const transaction = () =>
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: this.tableName,
              Key: certKey(serialHex),
              UpdateExpression: "SET #status = :revoked, revokedAt = :at, reason = :reason, revokedBy = :issuing",
              ConditionExpression: "attribute_exists(pk) AND #status = :valid",
              ExpressionAttributeNames: { "#status": "status" },
              ExpressionAttributeValues: { ":revoked": "revoked", ":valid": "valid", ":at": revokedAt, ":reason": reason, ":issuing": "issuing" },
            },
          },
          { Update: { TableName: this.tableName, Key: caKey("issuing"), UpdateExpression: "ADD revocations :one", ConditionExpression: "attribute_exists(pk)", ExpressionAttributeValues: { ":one": 1 } } },
        ],
      });
    try {
      await this.retryConflicts(() => this.client.send(transaction()));
      return "revoked";
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      // Only the certificate's own condition says it is not valid; a conflict that outlasted the
      // retries, or the CA record missing, is a fault (nothing was written), not "already revoked".
      const codes = cancellationCodes(error);
      if (codes.length > 0 && codes[0] !== "ConditionalCheckFailed") throw error;
      return (await this.getCertificate(serialHex)) ? "already-revoked" : "not-found";
    }
  }

  /**
   * Reads the revoked index (a GSI: eventually consistent, and DynamoDB refuses ConsistentRead on
   * it), then reads the issuing CA's revocation count with a strongly consistent read. Every
   * revoked certificate the index returns was revoked before that count was read, and revocations
   * are never undone, so the index is complete when it returns at least that many; until it does,
   * it is read again, for up to {@link INDEX_CATCH_UP_MS}, then the CRL is not built at all.
   */
  async listRevoked(): Promise<RevokedEntry[]> {
    let waited = 0;
    for (let delay = 100; ; delay *= 2) {
      const entries = await this.queryRevokedIndex();
      const expected = (await this.getCa("issuing"))?.revocations ?? 0;
      if (entries.length >= expected) return entries;
      if (waited >= INDEX_CATCH_UP_MS) {
        throw new Error(`the revoked index lists ${entries.length} certificates but the CA has revoked ${expected}; DynamoDB's index did not catch up within ${INDEX_CATCH_UP_MS / 1000} s, so no CRL was built`);
      }
      await this.sleep(delay);
      waited += delay;
    }
  }

  private async queryRevokedIndex(): Promise<RevokedEntry[]> {
    const entries: RevokedEntry[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: TABLE_LAYOUT.revokedIndex,
          KeyConditionExpression: "revokedBy = :issuing",
          ExpressionAttributeValues: { ":issuing": "issuing" },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) {
        entries.push({ serialHex: item.serialHex, revokedAt: new Date(item.revokedAt), reason: item.reason, notAfter: new Date(item.notAfter) });
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return entries;
  }

  async indexUnindexedCertificates(): Promise<number> {
    let indexed = 0;
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new ScanCommand({
          TableName: this.tableName,
          FilterExpression: "begins_with(pk, :cert) AND attribute_not_exists(#year)",
          ProjectionExpression: "pk, sk, notAfter, idempotencyKey",
          ExpressionAttributeNames: { "#year": TABLE_LAYOUT.expiryIndexKey },
          ExpressionAttributeValues: { ":cert": "CERT#" },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) {
        const attributes = inventoryIndexAttributes({ notAfter: item.notAfter, idempotencyKey: item.idempotencyKey });
        const names = Object.keys(attributes);
        await this.client.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { pk: item.pk, sk: item.sk },
            UpdateExpression: `SET ${names.map((_, i) => `#a${i} = :a${i}`).join(", ")}`,
            ConditionExpression: "attribute_exists(pk)",
            ExpressionAttributeNames: Object.fromEntries(names.map((name, i) => [`#a${i}`, name])),
            ExpressionAttributeValues: Object.fromEntries(names.map((name, i) => [`:a${i}`, attributes[name]])),
          }),
        );
        indexed++;
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return indexed;
  }
}
