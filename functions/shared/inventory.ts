import { createHash, X509Certificate } from "node:crypto";
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { PkiError } from "../../pki/errors";
import { compareEntries, InventoryEntry, InventoryFilters, listedStatus, matchesFilters, subjectGlob } from "../../pki/inventory-query";
import type { CertificateRecord } from "./ca-store";
import { TABLE_LAYOUT } from "./contract";
import { idempotencySeries } from "./idempotency-key";

const DAY_MS = 86400_000;

/**
 * The year (UTC, `YYYY`) a notAfter falls in: the expiry index's partition. Reads cost only what the
 * notAfter range holds (the sort key bounds them), so the partition only spreads writes and bounds
 * how many queries a range needs: a year keeps a ten-year CA to eleven. A year partition takes the
 * CA's whole issuance rate, far below a partition's write throughput (KMS signing bounds it first).
 */
export const expiryYear = (notAfter: string): string => notAfter.slice(0, 4);

/**
 * The attributes that put a certificate record into the expiry index (every certificate) and the
 * series index (certificates whose idempotency key names a stack component): written with the
 * record, so the indexes need no second write.
 */
export function inventoryIndexAttributes(record: Pick<CertificateRecord, "notAfter" | "idempotencyKey">): Record<string, string> {
  const series = idempotencySeries(record.idempotencyKey);
  return { [TABLE_LAYOUT.expiryIndexKey]: expiryYear(record.notAfter), ...(series ? { [TABLE_LAYOUT.seriesIndexKey]: series } : {}) };
}

/** Every `YYYY` from the year of `from` to the year of `to` (UTC), in order; none when `to` is before `from`. */
export function yearsBetween(from: Date, to: Date): string[] {
  if (to.getTime() < from.getTime()) return [];
  const years: string[] = [];
  for (let year = from.getUTCFullYear(); year <= to.getUTCFullYear(); year++) years.push(String(year).padStart(4, "0"));
  return years;
}

/** How one listing reads the table: which index, which partitions, which notAfter range, which stored status. */
export type InventoryQueryPlan =
  | { readonly index: "revoked" }
  | { readonly index: "expiry"; readonly partitions: readonly string[]; readonly from: string; readonly to: string; readonly storedStatus?: "valid" | "revoked" };

/** The notAfter range any certificate of this CA can have: from the root's notBefore to the issuing CA's notAfter. */
export interface InventoryBounds {
  readonly earliest: Date;
  readonly latest: Date;
}

/**
 * The cheapest way to answer `filters` (pure): revoked certificates from the sparse revoked index;
 * everything else from the expiry index, only the years and notAfter range the filters allow
 * (expiring within D days: now..now+D; valid: now..the issuing CA's end; expired: the root's
 * start..now), with the stored status as a filter. The subject glob has no index: it is applied to
 * what the plan reads.
 */
export function planInventoryQuery(filters: InventoryFilters, now: Date, bounds: InventoryBounds): InventoryQueryPlan {
  if (filters.status === "revoked" && filters.expiringWithinDays === undefined) return { index: "revoked" };
  let from = bounds.earliest;
  let to = bounds.latest;
  if (filters.expiringWithinDays !== undefined) {
    from = now;
    to = new Date(Math.min(bounds.latest.getTime(), now.getTime() + filters.expiringWithinDays * DAY_MS));
  } else if (filters.status === "valid") {
    from = now;
  } else if (filters.status === "expired") {
    to = new Date(now.getTime() - 1);
  }
  const storedStatus = filters.status === "revoked" ? "revoked" : filters.status === "valid" || filters.status === "expired" ? "valid" : undefined;
  return { index: "expiry", partitions: yearsBetween(from, to), from: from.toISOString(), to: to.toISOString(), ...(storedStatus ? { storedStatus } : {}) };
}

/**
 * The most items one page reads. The subject glob has no index, so a glob that matches little
 * over a wide range would otherwise read the whole range in one invocation (ca-inventory has 30
 * seconds); a page that reaches this returns what it found and a cursor.
 */
export const MAX_ITEMS_READ_PER_PAGE = 10_000;

/** A page of a listing: entries, how many items DynamoDB read for them, and where to go on. */
export interface InventoryPage {
  readonly entries: InventoryEntry[];
  /** Items DynamoDB read (the sum of the queries' ScannedCount): what the listing cost. */
  readonly itemsRead: number;
  readonly index: InventoryQueryPlan["index"];
  /** Pass back to get the next page; absent on the last page. */
  readonly cursor?: string;
}

/** Where a listing stopped: the plan's time, the filters it answers, the partition and the key to resume from. */
interface Cursor {
  readonly now: string;
  readonly filters: string;
  readonly partition: number;
  readonly key?: Record<string, unknown>;
}

const filtersHash = (filters: InventoryFilters) => createHash("sha256").update(JSON.stringify([filters.status ?? null, filters.expiringWithinDays ?? null, filters.subject ?? null])).digest("base64url");

function decodeCursor(cursor: string, filters: InventoryFilters): Cursor {
  let decoded: Cursor;
  try {
    decoded = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw new PkiError("REQUEST_INVALID", "cursor is not one this function returned", "cursor");
  }
  if (!decoded || typeof decoded.now !== "string" || Number.isNaN(Date.parse(decoded.now)) || !Number.isInteger(decoded.partition) || decoded.partition < 0 || (decoded.key !== undefined && (typeof decoded.key !== "object" || decoded.key === null))) {
    throw new PkiError("REQUEST_INVALID", "cursor is not one this function returned", "cursor");
  }
  if (decoded.filters !== filtersHash(filters)) throw new PkiError("REQUEST_INVALID", "cursor belongs to a listing with other filters; start again without it", "cursor");
  return decoded;
}

const encodeCursor = (cursor: Cursor) => Buffer.from(JSON.stringify(cursor)).toString("base64url");

/** The series of an inventory item: its attribute, or (as the expiry index projects it) its idempotency key's. */
export function seriesOf(item: Record<string, any>): string | undefined {
  return item[TABLE_LAYOUT.seriesIndexKey] ?? idempotencySeries(item.idempotencyKey);
}

/** An inventory item (as the expiry or revoked index returns it) as a listing entry. */
export function toEntry(item: Record<string, any>, now: Date): InventoryEntry {
  return {
    serialHex: item.serialHex ?? String(item.pk).replace(/^CERT#/, ""),
    status: listedStatus({ status: item.status, notAfter: item.notAfter }, now),
    subject: item.subject ?? "",
    sans: item.sans ?? [],
    purposes: item.purposes ?? [],
    notBefore: item.notBefore ?? "",
    notAfter: item.notAfter,
    ...(item.revokedAt ? { revokedAt: item.revokedAt } : {}),
    ...(item.reason ? { reason: item.reason } : {}),
    requester: seriesOf(item) ?? "",
    ...(item.requestId ? { requestId: item.requestId } : {}),
  };
}

/** The inventory, read-only, through its indexes (DynamoDB document client). */
export class DynamoInventory {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** The range of notAfter this CA's certificates can have, from its CA records. */
  async bounds(): Promise<InventoryBounds> {
    const read = async (role: "root" | "issuing") => {
      const result = await this.client.send(new GetCommand({ TableName: this.tableName, Key: { pk: `CA#${role}`, sk: "CA" } }));
      if (!result.Item) throw new PkiError("CA_NOT_INITIALISED", `the ${role} CA does not exist yet; run the ca-admin function's bootstrap (it runs on 'pulumi up')`);
      return new X509Certificate(result.Item.certificatePem as string);
    };
    const [root, issuing] = await Promise.all([read("root"), read("issuing")]);
    return { earliest: new Date(root.validFrom), latest: new Date(issuing.validTo) };
  }

  /**
   * One page (at most `pageSize` entries) of the certificates that pass `filters`, read through
   * {@link planInventoryQuery}'s plan; `cursor` continues a listing (with the time it started at).
   */
  async list(filters: InventoryFilters, options: { now: Date; pageSize: number; cursor?: string; bounds?: InventoryBounds; maxItemsRead?: number }): Promise<InventoryPage> {
    const resumed = options.cursor ? decodeCursor(options.cursor, filters) : undefined;
    const now = resumed ? new Date(resumed.now) : options.now;
    const plan = planInventoryQuery(filters, now, options.bounds ?? (await this.bounds()));
    const subjectMatches = filters.subject ? subjectGlob(filters.subject) : undefined;
    const entries: InventoryEntry[] = [];
    let itemsRead = 0;
    let partition = resumed?.partition ?? 0;
    let key = resumed?.key;
    const partitions = plan.index === "revoked" ? 1 : plan.partitions.length;
    const maxItemsRead = options.maxItemsRead ?? MAX_ITEMS_READ_PER_PAGE;
    while (partition < partitions && entries.length < options.pageSize && itemsRead < maxItemsRead) {
      const page = await this.client.send(
        new QueryCommand({ TableName: this.tableName, ...this.partitionQuery(plan, partition), ExclusiveStartKey: key, Limit: Math.min(options.pageSize - entries.length, maxItemsRead - itemsRead) }),
      );
      itemsRead += page.ScannedCount ?? 0;
      for (const item of page.Items ?? []) {
        const entry = toEntry(item, now);
        if (matchesFilters(entry, filters, now, subjectMatches)) entries.push(entry);
      }
      key = page.LastEvaluatedKey;
      if (!key) partition++;
    }
    const cursor = partition < partitions ? encodeCursor({ now: now.toISOString(), filters: filtersHash(filters), partition, ...(key ? { key } : {}) }) : undefined;
    return { entries: entries.sort(compareEntries), itemsRead, index: plan.index, ...(cursor ? { cursor } : {}) };
  }

  /**
   * Valid certificates whose notAfter is in [from, to], from the expiry index (what the reminders
   * look at), with the number of items read.
   */
  async validExpiringBetween(from: Date, to: Date): Promise<{ items: Record<string, any>[]; itemsRead: number }> {
    const plan: InventoryQueryPlan = { index: "expiry", partitions: yearsBetween(from, to), from: from.toISOString(), to: to.toISOString(), storedStatus: "valid" };
    const items: Record<string, any>[] = [];
    let itemsRead = 0;
    for (let partition = 0; partition < plan.partitions.length; partition++) {
      let key: Record<string, unknown> | undefined;
      do {
        const page = await this.client.send(new QueryCommand({ TableName: this.tableName, ...this.partitionQuery(plan, partition), ExclusiveStartKey: key }));
        itemsRead += page.ScannedCount ?? 0;
        items.push(...(page.Items ?? []));
        key = page.LastEvaluatedKey;
      } while (key);
    }
    return { items, itemsRead };
  }

  /** True when the series has a valid certificate that expires after `notAfter` (a renewal happened). */
  async hasSuccessor(series: string, notAfter: string): Promise<boolean> {
    let key: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: TABLE_LAYOUT.seriesIndex,
          KeyConditionExpression: "#series = :series AND #notAfter > :notAfter",
          FilterExpression: "#status = :valid",
          ExpressionAttributeNames: { "#series": TABLE_LAYOUT.seriesIndexKey, "#notAfter": TABLE_LAYOUT.seriesIndexSortKey, "#status": "status" },
          ExpressionAttributeValues: { ":series": series, ":notAfter": notAfter, ":valid": "valid" },
          ExclusiveStartKey: key,
        }),
      );
      if ((page.Items ?? []).length > 0) return true;
      key = page.LastEvaluatedKey;
    } while (key);
    return false;
  }

  private partitionQuery(plan: InventoryQueryPlan, partition: number): Record<string, unknown> {
    if (plan.index === "revoked") {
      return { IndexName: TABLE_LAYOUT.revokedIndex, KeyConditionExpression: "revokedBy = :issuing", ExpressionAttributeValues: { ":issuing": "issuing" } };
    }
    return {
      IndexName: TABLE_LAYOUT.expiryIndex,
      KeyConditionExpression: "#year = :year AND #notAfter BETWEEN :from AND :to",
      ...(plan.storedStatus ? { FilterExpression: "#status = :status" } : {}),
      ExpressionAttributeNames: { "#year": TABLE_LAYOUT.expiryIndexKey, "#notAfter": TABLE_LAYOUT.expiryIndexSortKey, ...(plan.storedStatus ? { "#status": "status" } : {}) },
      ExpressionAttributeValues: { ":year": plan.partitions[partition], ":from": plan.from, ":to": plan.to, ...(plan.storedStatus ? { ":status": plan.storedStatus } : {}) },
    };
  }
}

/** The reminder record of one certificate and window. */
const reminderKey = (serialHex: string, windowDays: number) => ({ pk: `REMINDER#${serialHex}`, sk: `W#${windowDays}` });

function isConditionFailure(error: unknown): boolean {
  return (error as Error)?.name === "ConditionalCheckFailedException";
}

/**
 * What the reminders have sent, so a reminder goes out once per certificate and window: a run
 * claims a reminder with a conditional put (only if nobody has, or a claim is older than the
 * lease: its run died before sending), publishes, then marks it sent under its own claim token.
 * Records expire (DynamoDB TTL) some time after the certificate does.
 */
export class DynamoReminderLedger {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** True when this run now owns the reminder; false when it was sent or another run holds it. */
  async claim(serialHex: string, windowDays: number, claim: { token: string; now: Date; leaseMs: number; expiresAt: Date }): Promise<boolean> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...reminderKey(serialHex, windowDays), state: "claimed", claimToken: claim.token, claimedAt: claim.now.toISOString(), [TABLE_LAYOUT.ttlAttribute]: Math.floor(claim.expiresAt.getTime() / 1000) },
          ConditionExpression: "attribute_not_exists(pk) OR (#state = :claimed AND claimedAt < :staleBefore)",
          ExpressionAttributeNames: { "#state": "state" },
          ExpressionAttributeValues: { ":claimed": "claimed", ":staleBefore": new Date(claim.now.getTime() - claim.leaseMs).toISOString() },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /** Marks a claimed reminder sent (only under this run's claim). */
  async markSent(serialHex: string, windowDays: number, token: string, sent: { now: Date; messageId: string }): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: reminderKey(serialHex, windowDays),
        UpdateExpression: "SET #state = :sent, sentAt = :at, messageId = :id",
        ConditionExpression: "claimToken = :token",
        ExpressionAttributeNames: { "#state": "state" },
        ExpressionAttributeValues: { ":sent": "sent", ":at": sent.now.toISOString(), ":id": sent.messageId, ":token": token },
      }),
    );
  }
}
