import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { CloudFrontKeyValueStoreClient, DescribeKeyValueStoreCommand, ListKeysCommand, UpdateKeysCommand } from "@aws-sdk/client-cloudfront-keyvaluestore";
import "@aws-sdk/signature-v4a"; // KeyValueStore requests are signed with SigV4A
import { readVerifiedCrl } from "../../pki/crl-reader";
import { SYNC_ENV } from "../shared/contract";
import { jsonLogger, Logger } from "../shared/log";

export { SYNC_ENV };

/** The KeyValueStore of revoked serials, as the sync uses it. */
export interface RevokedSerialStore {
  /** Every key, and the ETag to update against. */
  list(): Promise<{ keys: Set<string>; etag: string }>;
  /** Applies puts and deletes, all conditional on `etag`. */
  update(etag: string, puts: { key: string; value: string }[], deletes: string[]): Promise<void>;
}

export interface SyncDeps {
  readonly fetchCrl: () => Promise<Uint8Array>;
  readonly issuingCaPem: string;
  readonly store: RevokedSerialStore;
  readonly clock: () => Date;
  readonly log: Logger;
}


/** The changes that make the store hold exactly `revoked` (pure). */
export function plan(current: ReadonlySet<string>, revoked: ReadonlyMap<string, Date>): { puts: { key: string; value: string }[]; deletes: string[] } {
  const puts = [...revoked].filter(([serial]) => !current.has(serial)).map(([serial, at]) => ({ key: serial, value: at.toISOString() }));
  const deletes = [...current].filter((serial) => !revoked.has(serial));
  return { puts, deletes };
}

/**
 * revocation-sync: reads the CA's CRL, refuses it unless the issuing CA signed it and it is
 * current, and makes the KeyValueStore hold exactly its serials. A refused CRL changes nothing
 * (and fails the invocation, so the error alarm fires).
 */
export async function handle(_event: unknown, deps: SyncDeps): Promise<{ revoked: number; added: number; removed: number }> {
  const crl = readVerifiedCrl(await deps.fetchCrl(), deps.issuingCaPem, deps.clock());
  const { keys, etag } = await deps.store.list();
  const changes = plan(keys, crl.revoked);
  if (changes.puts.length + changes.deletes.length > 0) await deps.store.update(etag, changes.puts, changes.deletes);
  deps.log.info("revocation-sync.synced", { crlNumber: crl.crlNumber.toString(), revoked: crl.revoked.size, added: changes.puts.length, removed: changes.deletes.length });
  return { revoked: crl.revoked.size, added: changes.puts.length, removed: changes.deletes.length };
}

/** {@link RevokedSerialStore} on a CloudFront KeyValueStore; updates go in batches of 50 keys. */
export class KeyValueStoreSerials implements RevokedSerialStore {
  constructor(
    private readonly client: CloudFrontKeyValueStoreClient,
    private readonly kvsArn: string,
  ) {}

  async list(): Promise<{ keys: Set<string>; etag: string }> {
    const described = await this.client.send(new DescribeKeyValueStoreCommand({ KvsARN: this.kvsArn }));
    const keys = new Set<string>();
    let nextToken: string | undefined;
    do {
      const page = await this.client.send(new ListKeysCommand({ KvsARN: this.kvsArn, NextToken: nextToken }));
      for (const item of page.Items ?? []) keys.add(item.Key!);
      nextToken = page.NextToken;
    } while (nextToken);
    return { keys, etag: described.ETag! };
  }

  async update(etag: string, puts: { key: string; value: string }[], deletes: string[]): Promise<void> {
    let ifMatch = etag;
    const operations = [...puts.map((p) => ({ put: p })), ...deletes.map((d) => ({ delete: d }))];
    for (let i = 0; i < operations.length; i += 50) {
      const batch = operations.slice(i, i + 50);
      const result = await this.client.send(
        new UpdateKeysCommand({
          KvsARN: this.kvsArn,
          IfMatch: ifMatch,
          Puts: batch.flatMap((o) => ("put" in o && o.put ? [{ Key: o.put.key, Value: o.put.value }] : [])),
          Deletes: batch.flatMap((o) => ("delete" in o && o.delete ? [{ Key: o.delete }] : [])),
        }),
      );
      ifMatch = result.ETag!;
    }
  }
}

let deps: SyncDeps | undefined;

/** The Lambda entry point (on a schedule). */
export async function handler(event: unknown) {
  if (!deps) {
    const env = process.env;
    const s3 = new S3Client({});
    deps = {
      fetchCrl: async () => (await s3.send(new GetObjectCommand({ Bucket: env[SYNC_ENV.crlBucket], Key: env[SYNC_ENV.crlKey] }))).Body!.transformToByteArray(),
      issuingCaPem: env[SYNC_ENV.issuingCaPem] ?? "",
      store: new KeyValueStoreSerials(new CloudFrontKeyValueStoreClient({ region: "us-east-1" }), env[SYNC_ENV.kvsArn] ?? ""),
      clock: () => new Date(),
      log: jsonLogger(),
    };
  }
  return handle(event, deps);
}
