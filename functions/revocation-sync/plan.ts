/**
 * The pure part of revocation-sync: the marker that records which CRL the KeyValueStore holds, and
 * the ordered changes that turn one set of revoked serials into another.
 */

/** The key of the marker. Not hex, so it can never be a serial the connection function looks up. */
export const MARKER_KEY = "edge-mtls:synced-crl";

/** The value stored for each revoked serial: the connection function only asks `exists()`. */
export const REVOKED_VALUE = "";

/** CloudFront's limit on one key value store (the KeyValueStore quota: 5 MB). */
export const STORE_MAX_BYTES = 5_000_000;

/** What the sync keeps free for the marker (its key and a value well under 512 bytes) when it sizes the store. */
export const STORE_RESERVE_BYTES = Buffer.byteLength(MARKER_KEY) + 512;

/** Keys per UpdateKeys call (CloudFront's limit), one of them the marker. */
export const KEYS_PER_UPDATE = 50;

/**
 * A CRL as the marker names it: its number (exact; null only in markers naming a CRL without one,
 * which the reader no longer accepts), S3 version, content hash and thisUpdate.
 */
export interface CrlRef {
  readonly n: bigint | null;
  readonly id: string | null;
  readonly h: string;
  readonly t: string;
}

/**
 * What the store holds. `synced`: exactly the serials of `crl`. `syncing`: the serials of `from`
 * (unknown when null) with the first `applied` changes from `from` to `to` made, every change
 * and the marker having been written in the same all-or-nothing UpdateKeys call. `auditedAt`:
 * when the sync last listed the whole store (ISO time), absent when it never has.
 */
export type Marker = ({ readonly state: "synced"; readonly crl: CrlRef } | { readonly state: "syncing"; readonly from: CrlRef | null; readonly to: CrlRef; readonly applied: number }) & { readonly auditedAt?: string };

/** One change to the store. */
export type Change = { readonly put: string } | { readonly delete: string };

/** A CRL number as stored: decimal text (exact, and JSON has no bigint); also a safe integer, as markers written before were. */
function storedNumber(n: unknown): bigint | null | undefined {
  if (n === null) return null;
  if (typeof n === "string" && /^(0|[1-9][0-9]{0,48})$/.test(n)) return BigInt(n); // 20 octets are at most 49 digits
  if (typeof n === "number" && Number.isSafeInteger(n) && n >= 0) return BigInt(n);
  return undefined;
}

function readRef(value: unknown): CrlRef | undefined {
  const r = value as Record<string, unknown>;
  if (!r || typeof r !== "object" || !(r.id === null || typeof r.id === "string") || typeof r.h !== "string" || typeof r.t !== "string") return undefined;
  const n = storedNumber(r.n);
  return n === undefined ? undefined : { n, id: r.id, h: r.h, t: r.t };
}

const storedRef = (ref: CrlRef) => ({ ...ref, n: ref.n === null ? null : ref.n.toString() });

/** The marker's stored form (compact JSON, well under the 1 KB value limit; the CRL number as decimal text). */
export function encodeMarker(marker: Marker): string {
  const audited = marker.auditedAt === undefined ? {} : { a: marker.auditedAt };
  return JSON.stringify(
    marker.state === "synced" ? { v: 1, crl: storedRef(marker.crl), ...audited } : { v: 1, from: marker.from && storedRef(marker.from), to: storedRef(marker.to), applied: marker.applied, ...audited },
  );
}

/** Reads a stored marker; anything unreadable is `undefined` (the sync then lists the store). */
export function decodeMarker(value: string | undefined): Marker | undefined {
  if (value === undefined) return undefined;
  try {
    const parsed = JSON.parse(value);
    if (parsed?.v !== 1) return undefined;
    const audited = typeof parsed.a === "string" && !Number.isNaN(Date.parse(parsed.a)) ? { auditedAt: parsed.a as string } : {};
    const crl = readRef(parsed.crl);
    if (crl) return { state: "synced", crl, ...audited };
    const to = readRef(parsed.to);
    const from = parsed.from === null ? null : readRef(parsed.from);
    if (to && from !== undefined && Number.isSafeInteger(parsed.applied) && parsed.applied >= 0) {
      return { state: "syncing", from, to, applied: parsed.applied, ...audited };
    }
  } catch {
    // fall through
  }
  return undefined;
}

/**
 * The changes that make a store holding `current` hold `target`, each group in key order, so the
 * same inputs always give the same list and a sync cut short can be resumed by position. Puts
 * first: they are new revocations, which must reach the edge at once, while the keys going are
 * entries pruned from the CRL (expired certificates, which CloudFront refuses anyway), so a CRL
 * that drops 100,000 of them does not hold a new revocation back for 2,000 calls. Deletes go first
 * only when the store (of `maxBytes`, the marker's reserve included) could not hold both sets at once.
 */
export function planChanges(current: Iterable<string>, target: ReadonlySet<string> | ReadonlyMap<string, unknown>, maxBytes = STORE_MAX_BYTES): Change[] {
  const currentSet = current instanceof Set ? (current as Set<string>) : new Set(current);
  const deletes = [...currentSet].filter((key) => !target.has(key)).sort().map((key): Change => ({ delete: key }));
  const puts = [...target.keys()].filter((key) => !currentSet.has(key)).sort();
  const peakBytes = storeBytes(currentSet, STORE_RESERVE_BYTES) + storeBytes(puts);
  const putChanges = puts.map((key): Change => ({ put: key }));
  return peakBytes <= maxBytes ? [...putChanges, ...deletes] : [...deletes, ...putChanges];
}

/** The serials after the first `count` changes were applied to `from`. */
export function applyChanges(from: Iterable<string>, changes: readonly Change[], count = changes.length): Set<string> {
  const result = new Set(from);
  for (const change of changes.slice(0, count)) {
    if ("put" in change) result.add(change.put);
    else result.delete(change.delete);
  }
  return result;
}

/** Bytes a store holding `serials` (and a marker of `markerBytes`) uses: keys plus values, UTF-8. */
export function storeBytes(serials: Iterable<string>, markerBytes = 0): number {
  let total = markerBytes;
  for (const serial of serials) total += Buffer.byteLength(serial) + Buffer.byteLength(REVOKED_VALUE);
  return total;
}
