import { ArtifactStore, contentSha256, PublishOptions, PublishResult, supersedes } from "../functions/shared/artifacts";
import { readCaConfig } from "../functions/shared/ca-config";
import type { CaDeps } from "../functions/shared/ca-service";
import type { CaRecord, CaStore, CertificateRecord, IdempotencyRecord } from "../functions/shared/ca-store";
import type { RevocationReason, RevokedEntry } from "../pki/crl";
import { LocalSigner } from "../pki/local-signer";

/** {@link CaStore} in memory, with the same all-or-nothing and conditional semantics as DynamoCaStore. */
export class MemoryCaStore implements CaStore {
  private readonly cas = new Map<string, CaRecord>();
  private readonly certificates = new Map<string, CertificateRecord>();
  private readonly idempotency = new Map<string, IdempotencyRecord>();

  async getCa(role: CaRecord["role"]) {
    const record = this.cas.get(role);
    return record && { ...record };
  }
  async createCa(record: CaRecord) {
    if (this.cas.has(record.role)) return false;
    this.cas.set(record.role, { ...record });
    return true;
  }
  async nextCrlNumber(role: CaRecord["role"]) {
    const record = this.cas.get(role);
    if (!record) throw new Error(`no ${role} CA`);
    const next = { ...record, crlNumber: record.crlNumber + 1 };
    this.cas.set(role, next);
    return next.crlNumber;
  }
  async getIdempotency(key: string) {
    return this.idempotency.get(key);
  }
  async putCertificate(record: CertificateRecord, idempotency?: IdempotencyRecord & { key: string }) {
    if (this.certificates.has(record.serialHex)) return "serial-exists" as const;
    if (idempotency && this.idempotency.has(idempotency.key)) return "idempotency-exists" as const;
    this.certificates.set(record.serialHex, { ...record });
    if (idempotency) this.idempotency.set(idempotency.key, { serialHex: idempotency.serialHex, requestHash: idempotency.requestHash });
    return "created" as const;
  }
  async getCertificate(serialHex: string) {
    return this.certificates.get(serialHex);
  }
  async revoke(serialHex: string, revokedAt: string, reason: RevocationReason) {
    const record = this.certificates.get(serialHex);
    if (!record) return "not-found" as const;
    if (record.status === "revoked") return "already-revoked" as const;
    this.certificates.set(serialHex, { ...record, status: "revoked", revokedAt, reason });
    return "revoked" as const;
  }
  async listRevoked(): Promise<RevokedEntry[]> {
    return [...this.certificates.values()]
      .filter((r) => r.status === "revoked")
      .map((r) => ({ serialHex: r.serialHex, revokedAt: new Date(r.revokedAt!), reason: r.reason!, notAfter: new Date(r.notAfter) }));
  }
}

/** {@link ArtifactStore} in memory: a versioned bucket. */
export class MemoryArtifactStore implements ArtifactStore {
  readonly objects = new Map<string, { body: string | Uint8Array; versionId: string; sha256: string; sequence?: number }>();
  private version = 0;

  async publish(key: string, body: string | Uint8Array, _contentType?: string, options: PublishOptions = {}): Promise<PublishResult> {
    const sha256 = contentSha256(body);
    const current = this.objects.get(key);
    if (current?.sha256 === sha256) return { versionId: current.versionId, changed: false };
    const newer = options.sequence === undefined ? undefined : supersedes(current?.sequence?.toString(), options.sequence);
    if (newer !== undefined) return { versionId: current!.versionId, changed: false, supersededBy: newer };
    const versionId = `v${++this.version}`;
    this.objects.set(key, { body, versionId, sha256, sequence: options.sequence });
    return { versionId, changed: true };
  }

  async read(key: string): Promise<Uint8Array | undefined> {
    const body = this.objects.get(key)?.body;
    return typeof body === "string" ? new Uint8Array(Buffer.from(body)) : body;
  }
}

/**
 * The CA functions' dependencies with everything in memory and node-crypto keys: the real
 * ca-admin / ca-issuer / ca-crl handlers run offline on them (for stack programs under mocks and
 * the policy checker). `env` is the environment the ServerlessCa component gives the functions.
 */
export function memoryCaDeps(env: Record<string, string | undefined>): { admin: CaDeps; worker: CaDeps } {
  const config = readCaConfig(env);
  const store = new MemoryCaStore();
  const artifacts = new MemoryArtifactStore();
  const silent = { info: () => undefined, error: () => undefined, metric: () => undefined };
  const issuingSigner = LocalSigner.generate("ecdsa-p256");
  const common = { config, store, artifacts, issuingSigner, clock: () => new Date(), log: silent };
  return { admin: { ...common, rootSigner: LocalSigner.generate("ecdsa-p384") }, worker: common };
}
