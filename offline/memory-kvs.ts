import type { RevokedSerialStore } from "../functions/revocation-sync";

/** The error CloudFront answers an UpdateKeys whose IfMatch is not the store's current ETag. */
function conflict(): Error {
  const error = new Error("Pre-condition failed: the ETag does not match the key value store's current ETag");
  error.name = "ConflictException";
  return error;
}

/**
 * A CloudFront KeyValueStore in memory, as revocation-sync uses it: ETags that change with every
 * write, all-or-nothing UpdateKeys conditional on the ETag (at most 50 keys), ListKeys in pages of
 * 50, the size counted as key plus value bytes, and a count of API calls per operation.
 */
export class MemoryKeyValueStore implements RevokedSerialStore {
  readonly items = new Map<string, string>();
  readonly calls = { describe: 0, get: 0, listKeys: 0, update: 0 };
  private version = 0;
  private size = 0;
  /** Called before each UpdateKeys is applied (tests make it throw to simulate a crash). */
  beforeUpdate?: (call: number) => void;

  get etag(): string {
    return `ETAG${this.version}`;
  }

  /** Key plus value bytes, UTF-8. */
  get bytes(): number {
    return this.size;
  }

  /** Every API call so far. */
  get totalCalls(): number {
    return this.calls.describe + this.calls.get + this.calls.listKeys + this.calls.update;
  }

  private remove(key: string): void {
    const value = this.items.get(key);
    if (value === undefined) return;
    this.items.delete(key);
    this.size -= Buffer.byteLength(key) + Buffer.byteLength(value);
  }

  async describe() {
    this.calls.describe++;
    await Promise.resolve();
    return { etag: this.etag, bytes: this.bytes, items: this.items.size };
  }

  async get(key: string) {
    this.calls.get++;
    await Promise.resolve();
    return this.items.get(key);
  }

  async listKeys(stop?: () => boolean) {
    const keys = [...this.items.keys()];
    // One call per page of 50, each preceded by the caller's `stop` check.
    for (let page = 0; page < Math.max(1, Math.ceil(keys.length / 50)); page++) {
      if (stop?.()) return undefined;
      this.calls.listKeys++;
    }
    await Promise.resolve();
    return new Set(keys);
  }

  async update(etag: string, puts: { key: string; value: string }[], deletes: string[]) {
    this.calls.update++;
    await Promise.resolve();
    if (puts.length + deletes.length > 50) throw new Error(`UpdateKeys takes at most 50 keys; got ${puts.length + deletes.length}`);
    this.beforeUpdate?.(this.calls.update);
    if (etag !== this.etag) throw conflict();
    for (const { key, value } of puts) {
      if (Buffer.byteLength(key) > 512 || Buffer.byteLength(value) > 1024) throw new Error(`key or value too large: ${key}`);
    }
    for (const key of deletes) this.remove(key);
    for (const { key, value } of puts) {
      this.remove(key);
      this.items.set(key, value);
      this.size += Buffer.byteLength(key) + Buffer.byteLength(value);
    }
    this.version++;
    return { etag: this.etag, bytes: this.bytes };
  }
}
