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

/** Keys per UpdateKeys call (CloudFront's limit), one of them the marker. */
export const KEYS_PER_UPDATE = 50;

/** A CRL as the marker names it: its number, S3 version, content hash and thisUpdate. */
export interface CrlRef {
  readonly n: number | null;
  readonly id: string | null;
  readonly h: string;
  readonly t: string;
}

/**
 * What the store holds. `synced`: exactly the serials of `crl`. `syncing`: the serials of `from`
 * (unknown when null) with the first `applied` changes from `from` to `to` made, every change
 * and the marker having been written in the same all-or-nothing UpdateKeys call.
 */
export type Marker = { readonly state: "synced"; readonly crl: CrlRef } | { readonly state: "syncing"; readonly from: CrlRef | null; readonly to: CrlRef; readonly applied: number };

/** One change to the store. */
export type Change = { readonly put: string } | { readonly delete: string };

function isRef(value: unknown): value is CrlRef {
  const r = value as CrlRef;
  return !!r && typeof r === "object" && (r.n === null || Number.isSafeInteger(r.n)) && (r.id === null || typeof r.id === "string") && typeof r.h === "string" && typeof r.t === "string";
}

/** The marker's stored form (compact JSON, well under the 1 KB value limit). */
export function encodeMarker(marker: Marker): string {
  return JSON.stringify(marker.state === "synced" ? { v: 1, crl: marker.crl } : { v: 1, from: marker.from, to: marker.to, applied: marker.applied });
}

/** Reads a stored marker; anything unreadable is `undefined` (the sync then lists the store). */
export function decodeMarker(value: string | undefined): Marker | undefined {
  if (value === undefined) return undefined;
  try {
    const parsed = JSON.parse(value);
    if (parsed?.v !== 1) return undefined;
    if (isRef(parsed.crl)) return { state: "synced", crl: parsed.crl };
    if (isRef(parsed.to) && (parsed.from === null || isRef(parsed.from)) && Number.isSafeInteger(parsed.applied) && parsed.applied >= 0) {
      return { state: "syncing", from: parsed.from, to: parsed.to, applied: parsed.applied };
    }
  } catch {
    // fall through
  }
  return undefined;
}

/**
 * The changes that make a store holding `current` hold `target`: deletes first (so the store never
 * holds both sets at once), each group in key order, so the same inputs always give the same list
 * and a sync cut short can be resumed by position.
 */
export function planChanges(current: Iterable<string>, target: ReadonlySet<string> | ReadonlyMap<string, unknown>): Change[] {
  const currentSet = current instanceof Set ? (current as Set<string>) : new Set(current);
  const deletes = [...currentSet].filter((key) => !target.has(key)).sort();
  const puts = [...target.keys()].filter((key) => !currentSet.has(key)).sort();
  return [...deletes.map((key) => ({ delete: key })), ...puts.map((key) => ({ put: key }))];
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
