import { X509Certificate } from "node:crypto";
import { cachedCrl, handle } from "../functions/api-authorizer";
import { AuthorizerPolicy } from "../functions/api-authorizer/decide";
import { handle as sync, SyncDeps } from "../functions/revocation-sync";
import { storeBytes } from "../functions/revocation-sync/plan";
import { jsonLogger } from "../functions/shared/log";
import { MemoryKeyValueStore } from "../offline/memory-kvs";
import { createCsr } from "../pki/csr";
import { buildCrl, RevokedEntry } from "../pki/crl";
import { validateIssueRequest } from "../pki/issuance-policy";
import { generatePrivateKey } from "../pki/local-signer";
import { normaliseSerial, randomSerialHex } from "../pki/serial";
import { authorizerEvent } from "../rehearsal/aws-events";
import { makeBenchCa } from "./bench-ca";
import { BenchResult } from "./measure";

const N = 100_000;
const SECRET_HEADER = "X-Origin-Verify";
const SECRET = "bench-secret-0123456789-0123456789-0123456789";

/** p50 in µs of `runs` timed calls of `op`, after a warm-up. */
async function p50Micros(op: () => unknown, runs: number): Promise<number> {
  for (let i = 0; i < 2000; i++) await op();
  const times = new Float64Array(runs);
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    await op();
    times[i] = Number(process.hrtime.bigint() - start) / 1000;
  }
  times.sort();
  return times[runs >> 1]!;
}

/**
 * The edge at 100,000 revoked certificates: the authorizer's warm decision, revocation-sync's
 * KeyValueStore and S3 calls per run (against an in-memory store with CloudFront's ETag and
 * batch rules), and the store's size.
 */
export async function edgeBenchmarks(): Promise<BenchResult[]> {
  const ca = await makeBenchCa();
  const now = new Date();
  const entries: RevokedEntry[] = Array.from({ length: N }, () => ({ serialHex: randomSerialHex(), revokedAt: now, reason: "keyCompromise", notAfter: new Date(now.getTime() + 30 * 86400_000) }));
  const crlParams = (crlNumber: number, listed: readonly RevokedEntry[]) => ({ crlNumber, thisUpdate: now, nextUpdate: new Date(now.getTime() + 3600_000), entries: listed });
  const crl = await buildCrl(ca.issuing, crlParams(1, entries));
  const issuingPem = new X509Certificate(ca.issuing.certificateDer).toString();
  const readerNote = "100k CRL built by buildCrl and read by the CRL reader";

  // The authorizer: CloudFront's certificate, the secret header, the CRL cached.
  const { order } = validateIssueRequest({ csrPem: createCsr(generatePrivateKey("ecdsa-p256"), { commonName: "CloudFront", organizationalUnit: "CloudFront" }), purposes: ["client_auth"] });
  const cloudfront = await ca.issuing.issueLeaf(order);
  const policy: AuthorizerPolicy = { allowedSubjects: [{ commonName: "CloudFront", organizationalUnit: "CloudFront" }], secretHeaderName: SECRET_HEADER, secretValues: [SECRET], issuingCaPem: issuingPem };
  const deps = {
    policy,
    revocation: cachedCrl(async () => crl.der, issuingPem, 300_000, () => now),
    clock: () => now,
    log: jsonLogger(() => undefined),
  };
  const event = authorizerEvent(cloudfront.pem, { [SECRET_HEADER]: SECRET });
  const first = await handle(event, deps);
  if (first.policyDocument.Statement[0]!.Effect !== "Allow") throw new Error(`bench: the authorizer denied CloudFront: ${first.context.reason}`);
  const allowUs = await p50Micros(() => handle(event, deps), 20_000);
  // What each request cost before the certificate cache: parse the PEM and check its signature.
  const issuer = new X509Certificate(issuingPem);
  const parseUs = await p50Micros(() => {
    const certificate = new X509Certificate(cloudfront.pem);
    return certificate.checkIssued(issuer) && certificate.verify(issuer.publicKey);
  }, 5_000);

  // revocation-sync over an in-memory store and a versioned CRL object, each version read by the CRL reader.
  const versions: Uint8Array[] = [crl.der];
  let s3Gets = 0;
  const store = new MemoryKeyValueStore();
  const syncDeps = (): SyncDeps => ({
    fetchCrl: async (versionId) => {
      s3Gets++;
      const index = versionId === undefined ? versions.length - 1 : Number(versionId.slice(1));
      return { body: versions[index]!, versionId: `v${index}` };
    },
    issuingCaPem: issuingPem,
    store,
    clock: () => now,
    log: jsonLogger(() => undefined),
    memory: {}, // a cold container every run: the worst case
    budgetMs: Number.MAX_SAFE_INTEGER,
  });
  const calls = async () => {
    const before = { kvs: store.totalCalls, s3: s3Gets, updates: store.calls.update };
    await sync({}, syncDeps());
    return { total: store.totalCalls - before.kvs + s3Gets - before.s3, kvs: store.totalCalls - before.kvs, s3: s3Gets - before.s3, updates: store.calls.update - before.updates };
  };
  const firstLoad = await calls();
  const bytes = store.bytes;
  const unchanged = await calls();
  versions.push((await buildCrl(ca.issuing, crlParams(2, [...entries, { ...entries[0]!, serialHex: randomSerialHex() }]))).der);
  const oneNew = await calls();
  // The listing path (no marker): what every run cost before the marker, at 50 keys a page.
  store.items.delete("edge-mtls:synced-crl");
  const listing = await calls();
  const serials = entries.map((e) => normaliseSerial(e.serialHex));
  const oldValueBytes = serials.reduce((sum, key) => sum + Buffer.byteLength(key) + now.toISOString().length, 0);

  const describe = (c: { kvs: number; s3: number; updates: number }) => `${c.kvs} KeyValueStore calls (${c.updates} UpdateKeys) + ${c.s3} S3 GETs, cold container`;
  const listingBaseline = { name: "sync.calls_listing_100k", value: listing.total, unit: "calls" };
  return [
    { name: "authorizer.allow_p50_us", value: allowUs, unit: "µs", target: "<= 50", baseline: { name: "authorizer.parse_and_verify_p50_us", value: parseUs, unit: "µs" }, note: `warm handle() with a ${N}-serial CRL cached; baseline: parsing and verifying the certificate, which every request did before the cache (≈150 µs per decision in issue 12). ${readerNote}` },
    { name: "sync.calls_unchanged_100k", value: unchanged.total, unit: "calls", target: "<= 3", baseline: listingBaseline, note: `${describe(unchanged)}; the old sync listed the store: 10,001 calls at 10 keys a page (issue 12)` },
    { name: "sync.calls_one_new_100k", value: oneNew.total, unit: "calls", target: "<= 5", baseline: listingBaseline, note: describe(oneNew) },
    { name: "sync.calls_first_load_100k", value: firstLoad.total, unit: "calls", target: `≈ ${Math.ceil(N / 50)} + a few`, note: `${describe(firstLoad)}; 49 serials and the marker per UpdateKeys` },
    { name: "kvs.bytes_100k", value: bytes, unit: "bytes", target: "<= 5000000", baseline: { name: "kvs.bytes_100k_with_dates", value: oldValueBytes, unit: "bytes" }, note: `empty values; the expected size by the sync's own estimate is ${storeBytes(serials)} bytes plus the marker; baseline: the old values (revocation dates)` },
  ];
}
