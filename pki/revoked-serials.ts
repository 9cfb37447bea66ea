import { readTimeMs } from "./der";

// FNV-1a over the serial's magnitude octets.
function hashBytes(bytes: Uint8Array, start: number, end: number): number {
  let hash = 0x811c9dc5;
  for (let i = start; i < end; i++) hash = Math.imul(hash ^ bytes[i]!, 0x01000193);
  return hash >>> 0;
}

const HEX_DIGIT = /^[0-9a-f]+$/;

// The value of a lowercase hex digit's character code (already checked by HEX_DIGIT).
function hexValue(code: number): number {
  return code <= 0x39 ? code - 0x30 : code - 0x57;
}

/**
 * The revoked serials of a verified CRL, as a read-only map from serial (lowercase hex, no
 * leading zeros) to revocation date, indexed in place: a hash table of offsets into the CRL's own
 * bytes instead of a string and a Date per entry. Reading a 100,000-entry CRL allocates a few
 * typed arrays; `has` costs one hash of ≤ 20 octets. Keys and dates are decoded when asked for.
 * Built only by `readVerifiedCrl`, which has already checked every entry's DER, over its own copy
 * of the entries' bytes (what was verified cannot change under it).
 */
export class RevokedSerials implements ReadonlyMap<string, Date> {
  private readonly serialStart: Uint32Array;
  private readonly serialEnd: Uint32Array;
  private readonly dateAt: Uint32Array;
  private count = 0;
  // Open addressing, linear probing; slot value = entry index + 1, 0 = empty.
  private table = new Int32Array(0);
  private readonly scratch = new Uint8Array(32);

  /** `maxEntries` bounds how many {@link add} calls follow. */
  constructor(
    private readonly der: Uint8Array,
    maxEntries: number,
  ) {
    this.serialStart = new Uint32Array(maxEntries);
    this.serialEnd = new Uint32Array(maxEntries);
    this.dateAt = new Uint32Array(maxEntries);
  }

  /**
   * Records one entry: the serial's magnitude octets [start, end) (no sign octet) and the offset
   * of its revocationDate element. For readVerifiedCrl only; {@link seal} afterwards.
   */
  add(start: number, end: number, dateAt: number): void {
    this.serialStart[this.count] = start;
    this.serialEnd[this.count] = end;
    this.dateAt[this.count] = dateAt;
    this.count++;
  }

  /**
   * Builds the hash index. A serial listed twice keeps its first position and its last date, as
   * `Map.set` would.
   */
  seal(): this {
    let capacity = 16;
    while (capacity < this.count * 2) capacity *= 2;
    const table = new Int32Array(capacity);
    const mask = capacity - 1;
    let unique = 0;
    for (let i = 0; i < this.count; i++) {
      const start = this.serialStart[i]!;
      const end = this.serialEnd[i]!;
      let slot = hashBytes(this.der, start, end) & mask;
      for (;;) {
        const held = table[slot]!;
        if (held === 0) {
          // Compact in place: unique entries keep their order of first appearance.
          this.serialStart[unique] = start;
          this.serialEnd[unique] = end;
          this.dateAt[unique] = this.dateAt[i]!;
          table[slot] = ++unique;
          break;
        }
        if (this.sameSerial(held - 1, this.der, start, end)) {
          this.dateAt[held - 1] = this.dateAt[i]!;
          break;
        }
        slot = (slot + 1) & mask;
      }
    }
    this.count = unique;
    this.table = table;
    return this;
  }

  private sameSerial(entry: number, bytes: Uint8Array, start: number, end: number): boolean {
    const from = this.serialStart[entry]!;
    if (this.serialEnd[entry]! - from !== end - start) return false;
    for (let i = 0; i < end - start; i++) if (this.der[from + i] !== bytes[start + i]) return false;
    return true;
  }

  /** The entry index for a normalised hex serial, or -1. */
  private find(serial: string): number {
    if (typeof serial !== "string" || serial.length === 0 || serial.length > 40 || !HEX_DIGIT.test(serial)) return -1;
    if (serial.length > 1 && serial.charCodeAt(0) === 0x30) return -1; // not normalised: no such key
    const odd = serial.length % 2;
    const length = (serial.length + odd) / 2;
    const bytes = this.scratch;
    for (let i = 0; i < length; i++) {
      const high = 2 * i - odd;
      bytes[i] = (high < 0 ? 0 : hexValue(serial.charCodeAt(high)) << 4) | hexValue(serial.charCodeAt(high + 1));
    }
    const mask = this.table.length - 1;
    if (mask < 0) return -1;
    let slot = hashBytes(bytes, 0, length) & mask;
    for (;;) {
      const held = this.table[slot]!;
      if (held === 0) return -1;
      if (this.sameSerial(held - 1, bytes, 0, length)) return held - 1;
      slot = (slot + 1) & mask;
    }
  }

  private keyAt(entry: number): string {
    const start = this.serialStart[entry]!;
    const hex = Buffer.from(this.der.buffer, this.der.byteOffset + start, this.serialEnd[entry]! - start).toString("hex");
    return hex.length > 1 && hex.charCodeAt(0) === 0x30 ? hex.slice(1) : hex;
  }

  private dateOf(entry: number): Date {
    const at = this.dateAt[entry]!;
    const length = this.der[at + 1]!;
    return new Date(readTimeMs(this.der, { tag: this.der[at]!, start: at, contentStart: at + 2, end: at + 2 + length }, "revocationDate"));
  }

  get size(): number {
    return this.count;
  }

  has(serial: string): boolean {
    return this.find(serial) >= 0;
  }

  get(serial: string): Date | undefined {
    const entry = this.find(serial);
    return entry < 0 ? undefined : this.dateOf(entry);
  }

  forEach(callback: (value: Date, key: string, map: ReadonlyMap<string, Date>) => void, thisArg?: unknown): void {
    for (let i = 0; i < this.count; i++) callback.call(thisArg, this.dateOf(i), this.keyAt(i), this);
  }

  *keys(): MapIterator<string> {
    for (let i = 0; i < this.count; i++) yield this.keyAt(i);
  }

  *values(): MapIterator<Date> {
    for (let i = 0; i < this.count; i++) yield this.dateOf(i);
  }

  *entries(): MapIterator<[string, Date]> {
    for (let i = 0; i < this.count; i++) yield [this.keyAt(i), this.dateOf(i)];
  }

  [Symbol.iterator](): MapIterator<[string, Date]> {
    return this.entries();
  }
}
