import { PkiError } from "./errors";
import { wildcardMatches } from "./glob";

const DAY_MS = 86400_000;

/** A certificate's status in a listing: revoked wins; otherwise expired once notAfter has passed. */
export type ListedStatus = "valid" | "revoked" | "expired";
export const LISTED_STATUSES: readonly ListedStatus[] = ["valid", "revoked", "expired"];

/** What `cert list` filters on. */
export interface InventoryFilters {
  readonly status?: ListedStatus;
  /** Not yet expired and notAfter within this many days from now. */
  readonly expiringWithinDays?: number;
  /** A glob (`*` any run, `?` one character) over the one-line subject or its CN. */
  readonly subject?: string;
}

/** The longest `--expiring-within` accepted: longer than any certificate this CA can issue. */
export const MAX_EXPIRING_WITHIN_DAYS = 36525;

/** One certificate as a listing shows it, from the local or the deployed inventory. */
export interface InventoryEntry {
  readonly serialHex: string;
  readonly status: ListedStatus;
  readonly subject: string;
  readonly sans: readonly string[];
  readonly purposes: readonly string[];
  readonly notBefore: string;
  readonly notAfter: string;
  readonly revokedAt?: string;
  readonly reason?: string;
  /** Who asked, as far as the CA can tell: the idempotency key's series (stack.component), else empty. */
  readonly requester: string;
  /** The issuing request's id (ca-issuer's Lambda request id: CloudTrail and its log name the caller). */
  readonly requestId?: string;
}

/** A stored record's listed status at `now`. */
export function listedStatus(record: { status: "valid" | "revoked"; notAfter: string }, now: Date): ListedStatus {
  if (record.status === "revoked") return "revoked";
  return new Date(record.notAfter).getTime() < now.getTime() ? "expired" : "valid";
}

/** How the filters are named where they came from (request fields, or CLI flags). */
export interface FilterNames {
  readonly status: string;
  readonly expiringWithinDays: string;
  readonly subject: string;
}

const REQUEST_FIELDS: FilterNames = { status: "status", expiringWithinDays: "expiringWithinDays", subject: "subject" };

/**
 * Checks raw filter values (from a request, or flags with `names`) and returns them typed; a bad
 * value is a REQUEST_INVALID naming the field and what is allowed.
 */
export function parseInventoryFilters(raw: { status?: unknown; expiringWithinDays?: unknown; subject?: unknown }, names: FilterNames = REQUEST_FIELDS): InventoryFilters {
  const filters: { status?: ListedStatus; expiringWithinDays?: number; subject?: string } = {};
  if (raw.status !== undefined) {
    if (!LISTED_STATUSES.includes(raw.status as ListedStatus)) throw new PkiError("REQUEST_INVALID", `${names.status} must be one of ${LISTED_STATUSES.join(", ")}; got ${JSON.stringify(raw.status)}`, names.status);
    filters.status = raw.status as ListedStatus;
  }
  if (raw.expiringWithinDays !== undefined) {
    const days = typeof raw.expiringWithinDays === "string" && /^[0-9]+$/.test(raw.expiringWithinDays) ? Number(raw.expiringWithinDays) : raw.expiringWithinDays;
    if (typeof days !== "number" || !Number.isInteger(days) || days < 0 || days > MAX_EXPIRING_WITHIN_DAYS) {
      throw new PkiError("REQUEST_INVALID", `${names.expiringWithinDays} must be a whole number of days from 0 to ${MAX_EXPIRING_WITHIN_DAYS}; got ${JSON.stringify(raw.expiringWithinDays)}`, names.expiringWithinDays);
    }
    filters.expiringWithinDays = days;
  }
  if (raw.subject !== undefined) {
    if (typeof raw.subject !== "string" || raw.subject === "" || raw.subject.length > 1024) throw new PkiError("REQUEST_INVALID", `${names.subject} must be a non-empty glob of at most 1024 characters, e.g. 'CN=user-*' or 'CloudFront'`, names.subject);
    filters.subject = raw.subject;
  }
  if (filters.expiringWithinDays !== undefined && filters.status === "expired") {
    throw new PkiError("REQUEST_INVALID", `${names.expiringWithinDays} lists certificates that have not expired yet; it cannot be combined with ${names.status} expired`, names.expiringWithinDays);
  }
  return filters;
}

/** A matcher for a subject glob: `*` any run of characters, `?` one, everything else literal. */
export function subjectGlob(glob: string): (subject: string) => boolean {
  return (subject) => {
    if (wildcardMatches(glob, subject, true)) return true;
    const cn = /(?:^|,)CN=((?:\\.|[^,\\])*)/.exec(subject)?.[1];
    return cn !== undefined && wildcardMatches(glob, cn.replace(/\\(.)/g, "$1"), true);
  };
}

/** True when the entry passes every filter (pure; `now` decides expiry). */
export function matchesFilters(entry: { status: ListedStatus; subject: string; notAfter: string }, filters: InventoryFilters, now: Date, subjectMatches = filters.subject ? subjectGlob(filters.subject) : undefined): boolean {
  if (filters.status && entry.status !== filters.status) return false;
  if (filters.expiringWithinDays !== undefined) {
    const notAfter = new Date(entry.notAfter).getTime();
    if (notAfter < now.getTime() || notAfter > now.getTime() + filters.expiringWithinDays * DAY_MS) return false;
  }
  return !subjectMatches || subjectMatches(entry.subject);
}

/** Filters and orders entries (by notAfter, then serial): the local CA's listing, and the check of the deployed one's. */
export function filterInventory(entries: readonly InventoryEntry[], filters: InventoryFilters, now: Date): InventoryEntry[] {
  const subjectMatches = filters.subject ? subjectGlob(filters.subject) : undefined;
  return entries.filter((e) => matchesFilters(e, filters, now, subjectMatches)).sort(compareEntries);
}

/** Listing order: soonest expiry first, then serial. */
export function compareEntries(a: { notAfter: string; serialHex: string }, b: { notAfter: string; serialHex: string }): number {
  return a.notAfter < b.notAfter ? -1 : a.notAfter > b.notAfter ? 1 : a.serialHex < b.serialHex ? -1 : a.serialHex > b.serialHex ? 1 : 0;
}
