import { createHash } from "node:crypto";
import { CloudFrontKeyValueStoreClient, DescribeKeyValueStoreCommand, GetKeyCommand, ListKeysCommand, UpdateKeysCommand } from "@aws-sdk/client-cloudfront-keyvaluestore";
import "@aws-sdk/signature-v4a"; // KeyValueStore requests are signed with SigV4A
import { readVerifiedCrl, VerifiedCrl } from "../../pki/crl-reader";
import { checkCrlNumber } from "../shared/crl-order";
import { STORE_METRIC, SYNC_ENV } from "../shared/contract";
import { jsonLogger, Logger } from "../shared/log";
import { S3ObjectReader } from "../shared/s3-get";
import { Change, CrlRef, decodeMarker, encodeMarker, KEYS_PER_UPDATE, Marker, MARKER_KEY, planChanges, REVOKED_VALUE, STORE_MAX_BYTES, STORE_RESERVE_BYTES, storeBytes } from "./plan";

export { SYNC_ENV };
export { planChanges, MARKER_KEY, REVOKED_VALUE } from "./plan";

/** The KeyValueStore of revoked serials, as the sync uses it: each method is one API call, except `listKeys`. */
export interface RevokedSerialStore {
  /** The store's ETag (to update against), its size as CloudFront counts it, and how many keys it holds. */
  describe(): Promise<{ etag: string; bytes: number; items: number }>;
  /** The value of one key, or undefined when absent. */
  get(key: string): Promise<string | undefined>;
  /**
   * Every key (pages of 50: the slow path, when the marker cannot say what the store holds, and the
   * daily audit). Given `stop`, it is asked before each page and the listing gives up (undefined) when it says so.
   */
  listKeys(stop?: () => boolean): Promise<Set<string> | undefined>;
  /** One all-or-nothing UpdateKeys call, conditional on `etag`; returns the new ETag and size. */
  update(etag: string, puts: { key: string; value: string }[], deletes: string[]): Promise<{ etag: string; bytes: number }>;
}

/** A CRL object as fetched from S3: its bytes and the version they are. */
export interface FetchedCrl {
  readonly body: Uint8Array;
  readonly versionId?: string;
}

/** The part of a verified CRL the sync uses (the reader's `VerifiedCrl`). */
export type SyncCrl = Pick<VerifiedCrl, "revoked" | "thisUpdate" | "crlNumber">;

/** What the sync keeps between runs in a warm container: the serials of the CRL it last synced. */
export interface SyncMemory {
  last?: { readonly hash: string; readonly serials: ReadonlySet<string> };
}

export interface SyncDeps {
  /** The current CRL, or a given version of it. */
  readonly fetchCrl: (versionId?: string) => Promise<FetchedCrl>;
  readonly issuingCaPem: string;
  readonly store: RevokedSerialStore;
  readonly clock: () => Date;
  readonly log: Logger;
  /** Reads and verifies a CRL (default `readVerifiedCrl`); tests at scale inject a reader. */
  readonly read?: (crl: Uint8Array, issuerPem: string, now: Date) => SyncCrl;
  /** Kept across invocations of a warm container. */
  readonly memory?: SyncMemory;
  /** Stop starting UpdateKeys calls after this long; the next run resumes. Default 240 s. */
  readonly budgetMs?: number;
  /**
   * How often the whole store is listed and repaired even when the key count matches the marker:
   * someone with write access could delete a revoked serial and add another key. Default 24 h.
   */
  readonly auditIntervalMs?: number;
  /** Where the store-size metric goes; default {@link STORE_METRIC}'s namespace. */
  readonly metricNamespace?: string;
}

/** What a run did. */
export interface SyncResult {
  /** The CRL's number, exactly, in decimal (JSON has no bigint). */
  readonly crlNumber: string;
  readonly revoked: number;
  readonly added: number;
  readonly removed: number;
  /** False when the run stopped at its time budget; the next run carries on from the marker. */
  readonly complete: boolean;
  /** The store's size after the run, as CloudFront reports it. */
  readonly storeBytes: number;
}

/** A sync that cannot proceed, with a stable code (the invocation fails, so the error alarm fires). */
export class SyncError extends Error {
  constructor(
    readonly code: "CRL_ROLLBACK" | "STORE_TOO_SMALL" | "STORE_CHANGED",
    message: string,
  ) {
    super(message);
    this.name = "SyncError";
  }
}

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("base64");

/** A CRL verified and summarised for the marker. */
interface LoadedCrl {
  readonly ref: CrlRef & { readonly n: bigint };
  readonly serials: ReadonlySet<string>;
}

function loadCrl(deps: SyncDeps, fetched: FetchedCrl, at: Date): LoadedCrl {
  const read = deps.read ?? readVerifiedCrl;
  const crl = read(fetched.body, deps.issuingCaPem, at);
  return {
    ref: { n: crl.crlNumber, id: fetched.versionId ?? null, h: sha256(fetched.body), t: crl.thisUpdate.toISOString() },
    serials: new Set(crl.revoked.keys()),
  };
}

/**
 * The serials of an earlier CRL the marker names: from memory when this container synced it, else
 * that S3 version, read as of its own thisUpdate and checked against the marker's hash. Undefined
 * when it cannot be had (then the store is listed instead).
 */
async function serialsOf(deps: SyncDeps, ref: CrlRef): Promise<ReadonlySet<string> | undefined> {
  if (deps.memory?.last?.hash === ref.h) return deps.memory.last.serials;
  if (!ref.id) return undefined;
  try {
    const fetched = await deps.fetchCrl(ref.id);
    if (sha256(fetched.body) !== ref.h) return undefined;
    return loadCrl(deps, fetched, new Date(ref.t)).serials;
  } catch (error) {
    deps.log.info("revocation-sync.previous_crl_unavailable", { versionId: ref.id, reason: (error as Error).message });
    return undefined;
  }
}

/**
 * True when the CRL the marker's newest number comes from is in S3 as the marker names it (version,
 * hash) and was signed by the issuing CA with that number: the marker was written by a sync.
 */
async function markerIsGenuine(deps: SyncDeps, marker: Marker): Promise<boolean> {
  const newest = newestNumber(marker);
  const refs = marker.state === "synced" ? [marker.crl] : [marker.to, ...(marker.from ? [marker.from] : [])];
  const ref = refs.find((r) => r.n === newest);
  if (!ref?.id) return false;
  let fetched: FetchedCrl;
  try {
    fetched = await deps.fetchCrl(ref.id);
  } catch (error) {
    // No such version: the marker names something S3 never held. Anything else (S3 unreachable,
    // refused) says nothing about the marker, and the older CRL must not win by it: fail the run.
    if (NO_SUCH_VERSION.has((error as Error).name)) return false;
    throw error;
  }
  if (sha256(fetched.body) !== ref.h) return false;
  try {
    return (deps.read ?? readVerifiedCrl)(fetched.body, deps.issuingCaPem, new Date(ref.t)).crlNumber === ref.n;
  } catch {
    return false; // not a CRL the issuing CA signed, or not at the time the marker says
  }
}

/**
 * S3's answers to a GET of a version it does not have: 404 NoSuchVersion, 400 InvalidArgument for a
 * malformed id (Error responses, https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html).
 */
const NO_SUCH_VERSION = new Set(["NoSuchVersion", "InvalidArgument"]);

/** The CRL number ordering: a CRL older than the newest the marker has seen is refused. */
function newestNumber(marker: Marker | undefined): bigint | undefined {
  if (!marker) return undefined;
  const numbers = (marker.state === "synced" ? [marker.crl.n] : [marker.from?.n ?? null, marker.to.n]).filter((n): n is bigint => n !== null);
  return numbers.reduce<bigint | undefined>((newest, n) => (newest === undefined || n > newest ? n : newest), undefined);
}

/**
 * Writes `changes[start..]` from `from` toward `to`, 49 changes and the marker per UpdateKeys call,
 * each call conditional on the ETag of the last, stopping at the time budget.
 */
async function apply(deps: SyncDeps, etag: string, from: CrlRef | null, to: CrlRef, changes: readonly Change[], start: number, deadline: number, auditedAt: string | undefined): Promise<{ applied: number; etag: string; bytes?: number; complete: boolean }> {
  let applied = start;
  let bytes: number | undefined;
  const perCall = KEYS_PER_UPDATE - 1;
  do {
    if (applied > start && deps.clock().getTime() >= deadline) return { applied, etag, bytes, complete: false };
    const batch = changes.slice(applied, applied + perCall);
    const next = applied + batch.length;
    const audited = auditedAt === undefined ? {} : { auditedAt };
    const marker: Marker = next === changes.length ? { state: "synced", crl: to, ...audited } : { state: "syncing", from, to, applied: next, ...audited };
    const puts = [...batch.flatMap((c) => ("put" in c ? [{ key: c.put, value: REVOKED_VALUE }] : [])), { key: MARKER_KEY, value: encodeMarker(marker) }];
    const deletes = batch.flatMap((c) => ("delete" in c ? [c.delete] : []));
    try {
      ({ etag, bytes } = await deps.store.update(etag, puts, deletes));
    } catch (error) {
      if ((error as Error).name === "ConflictException" || (error as Error).name === "PreconditionFailed") {
        throw new SyncError("STORE_CHANGED", "the key value store changed during this run (another sync?); the next run carries on from its marker");
      }
      throw error;
    }
    applied = next;
  } while (applied < changes.length);
  return { applied, etag, bytes, complete: true };
}

/**
 * revocation-sync: reads the CA's CRL, refuses it unless the issuing CA signed it, it is current
 * and it is not older than the CRL the store already holds, then makes the KeyValueStore hold
 * exactly its serials. The store's marker key says which CRL it holds (number, S3 version, hash),
 * so a run diffs against that CRL instead of listing the store: an unchanged CRL costs two
 * KeyValueStore calls, one new revocation three. Every UpdateKeys call carries the marker and is
 * conditional on the store's ETag, so the marker always describes the store exactly, a run cut
 * short (time budget, crash) is resumed by the next one, and a concurrent run fails instead of
 * interleaving. A refused CRL changes nothing and fails the invocation, so the error alarm fires.
 */
export async function handle(_event: unknown, deps: SyncDeps): Promise<SyncResult> {
  const started = deps.clock();
  const deadline = started.getTime() + (deps.budgetMs ?? 240_000);
  const target = loadCrl(deps, await deps.fetchCrl(), started);
  const { etag, bytes: bytesBefore, items } = await deps.store.describe();
  let marker = decodeMarker(await deps.store.get(MARKER_KEY));

  try {
    checkCrlNumber(newestNumber(marker), target.ref.n);
  } catch (error) {
    // Only a CRL the CA really signed can hold the sync back: a marker naming a number that its S3
    // version does not carry was written by someone else, and would otherwise stop every run.
    if (await markerIsGenuine(deps, marker!)) throw new SyncError("CRL_ROLLBACK", (error as Error).message);
    deps.log.error("revocation-sync.marker_unverifiable", { reason: `the marker claims CRL number ${newestNumber(marker)}, which no CRL version it names carries; the store is listed and repaired` });
    marker = undefined;
  }
  const metric = (bytes: number) => deps.log.metric(deps.metricNamespace ?? STORE_METRIC.namespace, STORE_METRIC.name, bytes);
  const needed = storeBytes(target.serials, STORE_RESERVE_BYTES);
  if (needed > STORE_MAX_BYTES) {
    metric(bytesBefore);
    throw new SyncError("STORE_TOO_SMALL", `the CRL lists ${target.serials.size} serials, which need about ${needed} bytes; a CloudFront key value store holds at most ${STORE_MAX_BYTES}`);
  }

  // The key count catches keys added or deleted, not a deletion paired with an addition: once a day
  // (or when the marker says nothing believable about it) the whole store is listed as well.
  const auditedAt = marker?.auditedAt === undefined ? NaN : Date.parse(marker.auditedAt);
  const auditDue = !(started.getTime() - auditedAt < (deps.auditIntervalMs ?? 24 * 3600_000) && auditedAt <= started.getTime() + 5 * 60_000);

  let done: { etag: string; bytes: number; added: number; removed: number; complete: boolean; listed: boolean; remaining: number };
  if (marker?.state === "synced" && marker.crl.h === target.ref.h && items === target.serials.size + 1) {
    done = { etag, bytes: bytesBefore, added: 0, removed: 0, complete: true, listed: false, remaining: 0 };
  } else {
    // What the store holds now, and the changes from there.
    let from: CrlRef | null = null;
    let changes: Change[] | undefined;
    let start = 0;
    const base = marker?.state === "synced" ? marker.crl : marker?.state === "syncing" && marker.to.h === target.ref.h ? marker.from : null;
    const baseSerials = base ? await serialsOf(deps, base) : undefined;
    if (base && baseSerials) {
      // Synced to an earlier CRL, or the same sync cut short (time budget, crash): carry on from the marker.
      const planned = planChanges(baseSerials, target.serials);
      const resumeAt = marker?.state === "syncing" ? Math.min(marker.applied, planned.length) : 0;
      // The key count is a free check that nobody else changed the store; if it is off, list instead.
      const expected = expectedItems(baseSerials.size, planned, resumeAt);
      if (items === expected) {
        from = base;
        changes = planned;
        start = resumeAt;
      } else {
        deps.log.info("revocation-sync.store_drift", { items, expected });
      }
    }
    // No marker, an unfinished sync toward another CRL, a CRL S3 no longer has, or drift: list the store.
    const listed = changes === undefined;
    changes ??= planChanges(without((await deps.store.listKeys())!, MARKER_KEY), target.serials);
    const outcome = await apply(deps, etag, from, target.ref, changes, start, deadline, listed ? started.toISOString() : marker?.auditedAt);
    const added = countPuts(changes, start, outcome.applied);
    done = { etag: outcome.etag, bytes: outcome.bytes ?? bytesBefore, added, removed: outcome.applied - start - added, complete: outcome.complete, listed, remaining: changes.length - outcome.applied };
  }

  // The daily audit comes after the sync, so new revocations never wait for it, and only in what
  // is left of the time budget: if the listing does not fit, it is tried again next run.
  if (auditDue && done.complete && !done.listed) {
    const keys = await deps.store.listKeys(() => deps.clock().getTime() >= deadline);
    if (keys === undefined) {
      deps.log.info("revocation-sync.audit_incomplete", { reason: "the listing did not fit in the time budget; the next run tries again" });
    } else {
      const repairs = planChanges(without(keys, MARKER_KEY), target.serials);
      const outcome = await apply(deps, done.etag, null, target.ref, repairs, 0, deadline, started.toISOString());
      const added = countPuts(repairs, 0, outcome.applied);
      if (repairs.length > 0) deps.log.info("revocation-sync.store_repaired", { added, removed: outcome.applied - added, remaining: repairs.length - outcome.applied });
      done = { etag: outcome.etag, bytes: outcome.bytes ?? done.bytes, added: done.added + added, removed: done.removed + outcome.applied - added, complete: outcome.complete, listed: true, remaining: repairs.length - outcome.applied };
    }
  }

  metric(done.bytes);
  if (done.complete && deps.memory) deps.memory.last = { hash: target.ref.h, serials: target.serials };
  const result = { crlNumber: target.ref.n.toString(), revoked: target.serials.size, added: done.added, removed: done.removed, complete: done.complete, storeBytes: done.bytes };
  const event = !done.complete ? "revocation-sync.partial" : done.added + done.removed === 0 && !done.listed && done.etag === etag ? "revocation-sync.unchanged" : "revocation-sync.synced";
  deps.log.info(event, { ...result, remaining: done.remaining, listed: done.listed });
  return result;
}

/** How many of `changes[from..to)` are puts. */
function countPuts(changes: readonly Change[], from: number, to: number): number {
  let puts = 0;
  for (let i = from; i < to; i++) if ("put" in changes[i]!) puts++;
  return puts;
}

/** Keys in a store that holds `baseSize` serials with the first `applied` of `changes` made, plus the marker. */
function expectedItems(baseSize: number, changes: readonly Change[], applied: number): number {
  let count = baseSize + 1;
  for (let i = 0; i < applied; i++) count += "put" in changes[i]! ? 1 : -1;
  return count;
}

function without(keys: Set<string>, key: string): Set<string> {
  keys.delete(key);
  return keys;
}

/** {@link RevokedSerialStore} on a CloudFront KeyValueStore. */
export class KeyValueStoreSerials implements RevokedSerialStore {
  constructor(
    private readonly client: CloudFrontKeyValueStoreClient,
    private readonly kvsArn: string,
  ) {}

  async describe(): Promise<{ etag: string; bytes: number; items: number }> {
    const described = await this.client.send(new DescribeKeyValueStoreCommand({ KvsARN: this.kvsArn }));
    return { etag: described.ETag!, bytes: described.TotalSizeInBytes ?? 0, items: described.ItemCount ?? 0 };
  }

  async get(key: string): Promise<string | undefined> {
    try {
      return (await this.client.send(new GetKeyCommand({ KvsARN: this.kvsArn, Key: key }))).Value;
    } catch (error) {
      if ((error as Error).name === "ResourceNotFoundException") return undefined;
      throw error;
    }
  }

  async listKeys(stop?: () => boolean): Promise<Set<string> | undefined> {
    const keys = new Set<string>();
    let nextToken: string | undefined;
    do {
      if (stop?.()) return undefined;
      const page = await this.client.send(new ListKeysCommand({ KvsARN: this.kvsArn, NextToken: nextToken, MaxResults: KEYS_PER_UPDATE }));
      for (const item of page.Items ?? []) keys.add(item.Key!);
      nextToken = page.NextToken;
    } while (nextToken);
    return keys;
  }

  async update(etag: string, puts: { key: string; value: string }[], deletes: string[]): Promise<{ etag: string; bytes: number }> {
    const result = await this.client.send(
      new UpdateKeysCommand({ KvsARN: this.kvsArn, IfMatch: etag, Puts: puts.map((p) => ({ Key: p.key, Value: p.value })), Deletes: deletes.length ? deletes.map((key) => ({ Key: key })) : undefined }),
    );
    return { etag: result.ETag!, bytes: result.TotalSizeInBytes ?? 0 };
  }
}

let deps: SyncDeps | undefined;
const memory: SyncMemory = {};

/** The Lambda entry point (on a schedule). */
export async function handler(event: unknown) {
  if (!deps) {
    const env = process.env;
    const reader = new S3ObjectReader(env[SYNC_ENV.crlBucket] ?? "");
    const key = env[SYNC_ENV.crlKey] ?? "";
    deps = {
      fetchCrl: async (versionId) => {
        const result = await reader.get(key, { versionId });
        if (result.notModified) throw new Error("unexpected 'not modified' for an unconditional GET");
        return { body: result.body, versionId: result.versionId };
      },
      issuingCaPem: env[SYNC_ENV.issuingCaPem] ?? "",
      store: new KeyValueStoreSerials(new CloudFrontKeyValueStoreClient({ region: "us-east-1" }), env[SYNC_ENV.kvsArn] ?? ""),
      clock: () => new Date(),
      log: jsonLogger(),
      memory,
      budgetMs: Number(env[SYNC_ENV.budgetSeconds] ?? 240) * 1000,
      metricNamespace: env[SYNC_ENV.metricNamespace],
    };
  }
  return handle(event, deps);
}
