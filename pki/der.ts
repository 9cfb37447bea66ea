/**
 * Just enough DER (ITU-T X.690 §8, §10) to read and write large structures without an object
 * tree: CRLs reach megabytes and 100,000 entries, which an ASN.1 object model cannot hold (asn1js
 * stops at its node limit). Readers check what DER requires (definite, minimal lengths; minimal
 * integers; exact time forms); writers produce the bytes @peculiar/asn1-x509 would (tests pin it).
 */

/** Universal tags used here. */
export const TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

/** A DER encoding that breaks the rules; `offset` is where in the input. */
export class DerError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
    this.name = "DerError";
  }
}

/** One element: its tag byte, where its header starts, where its content starts and ends. */
export interface DerElement {
  readonly tag: number;
  readonly start: number;
  readonly contentStart: number;
  readonly end: number;
}

/**
 * Reads the element at `offset`, which must end by `limit`. Refuses high tag numbers (none occur
 * in X.509), indefinite and non-minimal lengths, lengths beyond 2^32 and lengths past `limit`.
 */
export function readElement(der: Uint8Array, offset: number, limit: number): DerElement {
  if (offset + 2 > limit) throw new DerError(offset >= limit ? "missing element" : "truncated element header", offset);
  const tag = der[offset]!;
  if ((tag & 0x1f) === 0x1f) throw new DerError(`high tag number form (tag byte 0x${tag.toString(16)})`, offset);
  let length = der[offset + 1]!;
  let contentStart = offset + 2;
  if (length & 0x80) {
    const octets = length & 0x7f;
    if (octets === 0) throw new DerError("indefinite length (not DER)", offset);
    if (octets > 4) throw new DerError(`length of ${octets} octets`, offset);
    if (contentStart + octets > limit) throw new DerError("truncated length", offset);
    if (der[contentStart] === 0) throw new DerError("length with a leading zero octet (not DER)", offset);
    length = 0;
    for (let i = 0; i < octets; i++) length = length * 256 + der[contentStart + i]!;
    if (length < 0x80) throw new DerError(`length ${length} in long form (not DER)`, offset);
    contentStart += octets;
  }
  const end = contentStart + length;
  if (end > limit) throw new DerError(`length ${length} runs past the end of its container by ${end - limit} bytes`, offset);
  return { tag, start: offset, contentStart, end };
}

/** {@link readElement}, refusing any tag but `tag`; `what` names the element in the error. */
export function expectElement(der: Uint8Array, offset: number, limit: number, tag: number, what: string): DerElement {
  const element = readElement(der, offset, limit);
  if (element.tag !== tag) throw new DerError(`${what}: expected tag 0x${tag.toString(16)}, found 0x${element.tag.toString(16)}`, offset);
  return element;
}

/**
 * The magnitude of a non-negative INTEGER, as [start, end) in `der` without the sign octet;
 * refuses empty, non-minimal and negative encodings and magnitudes over `maxOctets`.
 */
export function readUnsignedInteger(der: Uint8Array, element: DerElement, maxOctets: number, what: string): { start: number; end: number } {
  let start = element.contentStart;
  const end = element.end;
  if (end === start) throw new DerError(`${what}: empty INTEGER`, element.start);
  const first = der[start]!;
  if (first & 0x80) throw new DerError(`${what}: negative INTEGER`, element.start);
  if (first === 0 && end - start > 1) {
    if (!(der[start + 1]! & 0x80)) throw new DerError(`${what}: INTEGER with a superfluous leading zero octet (not DER)`, element.start);
    start++;
  }
  if (end - start > maxOctets) throw new DerError(`${what}: INTEGER of ${end - start} octets; at most ${maxOctets} are allowed`, element.start);
  return { start, end };
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function digits(der: Uint8Array, at: number, count: number): number {
  let value = 0;
  for (let i = 0; i < count; i++) {
    const d = der[at + i]! - 0x30;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}

/** A Time (see {@link readTimeMs}) as a Date. */
export function readTime(der: Uint8Array, element: DerElement, what: string): Date {
  return new Date(readTimeMs(der, element, what));
}

/**
 * A Time (RFC 5280 §4.1.2.5) in milliseconds since the epoch: UTCTime `YYMMDDHHMMSSZ` (years
 * 1950–2049) or GeneralizedTime `YYYYMMDDHHMMSSZ`, nothing else (no fractions, no offsets), with a
 * real calendar date.
 */
export function readTimeMs(der: Uint8Array, element: DerElement, what: string): number {
  const at = element.contentStart;
  const length = element.end - at;
  let year: number;
  let rest: number;
  if (element.tag === TAG.UTC_TIME && length === 13) {
    const yy = digits(der, at, 2);
    year = yy < 0 ? -1 : yy >= 50 ? 1900 + yy : 2000 + yy;
    rest = at + 2;
  } else if (element.tag === TAG.GENERALIZED_TIME && length === 15) {
    year = digits(der, at, 4);
    rest = at + 4;
  } else {
    throw new DerError(`${what}: expected UTCTime YYMMDDHHMMSSZ or GeneralizedTime YYYYMMDDHHMMSSZ (tag 0x${element.tag.toString(16)}, ${length} bytes)`, element.start);
  }
  const month = digits(der, rest, 2);
  const day = digits(der, rest + 2, 2);
  const hour = digits(der, rest + 4, 2);
  const minute = digits(der, rest + 6, 2);
  const second = digits(der, rest + 8, 2);
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const valid =
    year >= 0 &&
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= DAYS_IN_MONTH[month - 1]! + (month === 2 && leap ? 1 : 0) &&
    hour >= 0 &&
    hour <= 23 &&
    minute >= 0 &&
    minute <= 59 &&
    second >= 0 &&
    second <= 59 &&
    der[rest + 10] === 0x5a; // 'Z'
  if (!valid) throw new DerError(`${what}: ${JSON.stringify(Buffer.from(der.subarray(at, element.end)).toString("latin1"))} is not a valid time`, element.start);
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  return year < 100 ? new Date(ms).setUTCFullYear(year) : ms; // Date.UTC reads years 0-99 as 1900-1999
}

/** The dotted form of an OBJECT IDENTIFIER's content; refuses non-minimal sub-identifiers. */
export function readOid(der: Uint8Array, element: DerElement, what: string): string {
  const parts: number[] = [];
  let value = 0;
  let fresh = true;
  for (let i = element.contentStart; i < element.end; i++) {
    const byte = der[i]!;
    if (fresh && byte === 0x80) throw new DerError(`${what}: OID sub-identifier with a leading 0x80 (not DER)`, element.start);
    value = value * 128 + (byte & 0x7f);
    fresh = !(byte & 0x80);
    if (fresh) {
      parts.push(value);
      value = 0;
    }
  }
  if (parts.length === 0 || !fresh) throw new DerError(`${what}: truncated OBJECT IDENTIFIER`, element.start);
  const first = parts[0]!;
  const head = first < 40 ? [0, first] : first < 80 ? [1, first - 40] : [2, first - 80];
  return [...head, ...parts.slice(1)].join(".");
}

/** Octets a header takes for content of `length` bytes. */
export function headerLength(length: number): number {
  return length < 0x80 ? 2 : length < 0x100 ? 3 : length < 0x10000 ? 4 : length < 0x1000000 ? 5 : 6;
}

/** Writes the header of an element into `out` at `offset`; returns the offset after it. */
export function writeHeader(out: Uint8Array, offset: number, tag: number, length: number): number {
  out[offset++] = tag;
  if (length < 0x80) {
    out[offset++] = length;
    return offset;
  }
  const octets = headerLength(length) - 2;
  out[offset++] = 0x80 | octets;
  for (let i = octets - 1; i >= 0; i--) out[offset++] = Math.floor(length / 256 ** i) & 0xff;
  return offset;
}

/** One element: `tag`, then `parts` concatenated as its content. */
export function encodeElement(tag: number, ...parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.byteLength;
  const out = new Uint8Array(headerLength(length) + length);
  let offset = writeHeader(out, 0, tag, length);
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}

/**
 * The content octets of a non-negative INTEGER whose value is the big-endian `magnitude`:
 * leading zero octets dropped, one zero octet added when the top bit is set (X.690 §8.3.2).
 */
export function unsignedIntegerContent(magnitude: Uint8Array): Uint8Array {
  let start = 0;
  while (start < magnitude.byteLength - 1 && magnitude[start] === 0) start++;
  const trimmed = magnitude.subarray(start);
  if (trimmed.byteLength === 0) return new Uint8Array([0]);
  if (!(trimmed[0]! & 0x80)) return trimmed;
  const out = new Uint8Array(trimmed.byteLength + 1);
  out.set(trimmed, 1);
  return out;
}

/** The DER of a non-negative bigint INTEGER. */
export function encodeUnsignedInteger(value: bigint): Uint8Array {
  const hex = value.toString(16);
  return encodeElement(TAG.INTEGER, unsignedIntegerContent(Buffer.from(hex.length % 2 ? "0" + hex : hex, "hex")));
}

/** Octets {@link writeTime} writes for `date`. */
export function timeLength(date: Date): number {
  const year = date.getUTCFullYear();
  return year >= 1950 && year <= 2049 ? 15 : 17;
}

function two(out: Uint8Array, offset: number, value: number): void {
  out[offset] = 0x30 + Math.floor(value / 10);
  out[offset + 1] = 0x30 + (value % 10);
}

/**
 * Writes a Time: UTCTime for 1950–2049 and GeneralizedTime otherwise (RFC 5280 §4.1.2.5),
 * whole seconds (milliseconds dropped). Returns the offset after it.
 */
export function writeTime(out: Uint8Array, offset: number, date: Date): number {
  const year = date.getUTCFullYear();
  if (!(year >= 0 && year <= 9999)) throw new RangeError(`cannot encode the time ${String(date)}`);
  const utc = year >= 1950 && year <= 2049;
  out[offset++] = utc ? TAG.UTC_TIME : TAG.GENERALIZED_TIME;
  out[offset++] = utc ? 13 : 15;
  if (!utc) {
    two(out, offset, Math.floor(year / 100));
    offset += 2;
  }
  two(out, offset, year % 100);
  two(out, offset + 2, date.getUTCMonth() + 1);
  two(out, offset + 4, date.getUTCDate());
  two(out, offset + 6, date.getUTCHours());
  two(out, offset + 8, date.getUTCMinutes());
  two(out, offset + 10, date.getUTCSeconds());
  out[offset + 12] = 0x5a;
  return offset + 13;
}

/** The DER of a Time (see {@link writeTime}). */
export function encodeTime(date: Date): Uint8Array {
  const out = new Uint8Array(timeLength(date));
  writeTime(out, 0, date);
  return out;
}
