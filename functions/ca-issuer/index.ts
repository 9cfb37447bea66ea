import { createHash } from "node:crypto";
import type { CaIdentity } from "../../pki/ca";
import { isPkiError, PkiError } from "../../pki/errors";
import { validateIssueRequest } from "../../pki/issuance-policy";
import { serialHexToDecimal } from "../../pki/serial";
import { makeCaDeps } from "../shared/aws-deps";
import { CaDeps, loadCa, parseEvent, requireCa } from "../shared/ca-service";
import { CertificateRecord } from "../shared/ca-store";

/** The `issue` answer (ARCHITECTURE.md). */
export interface IssueResponse {
  readonly certificatePem: string;
  /** Issuing CA then root. */
  readonly chainPem: string;
  readonly serialNumber: string;
  readonly notBefore: string;
  readonly notAfter: string;
}

export type IssuerResponse = IssueResponse | { error: ReturnType<PkiError["toJSON"]> };

/**
 * ca-issuer. `{ action?: "issue", csrPem, purposes, lifetimeDays?, subject?, sans?, idempotencyKey? }`
 * issues a certificate (the same idempotencyKey with the same request returns the same
 * certificate, read back from the inventory, never written again; CERTIFICATE_REVOKED once it was
 * revoked). It does not revoke: whoever may issue must not be able to revoke another
 * workload's certificates, so `revoke` is refused with ACTION_MOVED naming ca-revoker. Refusals
 * come back as `{ error: { code, field, message } }` and write nothing.
 */
export async function handle(rawEvent: unknown, deps: CaDeps, requestId = "local"): Promise<IssuerResponse> {
  try {
    const event = parseEvent(rawEvent);
    const action = event !== null && typeof event === "object" ? ((event as { action?: unknown }).action ?? "issue") : "issue";
    if (action === "issue") return await issue(event, deps, requestId);
    if (action === "revoke") {
      const revoker = deps.config.revokerFunctionName ?? "the CA's ca-revoker function";
      throw new PkiError("ACTION_MOVED", `ca-issuer does not revoke: invoke ${revoker} (allowed only to the roles in edge-mtls:revokerPrincipals), e.g. 'edge-mtls cert revoke --ca-function <its ARN>'`, "action");
    }
    throw new PkiError("REQUEST_INVALID", `action must be "issue"; got ${JSON.stringify(action)} (revocation is ca-revoker's)`, "action");
  } catch (error) {
    if (!isPkiError(error)) throw error; // a fault, not a refusal: Lambda reports it and the alarm fires
    deps.log.info("request.refused", { requestId, code: error.code, field: error.field, message: error.message });
    return { error: error.toJSON() };
  }
}

async function issuingCa(deps: CaDeps): Promise<{ ca: CaIdentity; chainPem: string }> {
  const [issuingRecord, rootRecord] = await Promise.all([requireCa(deps.store, "issuing"), requireCa(deps.store, "root")]);
  return { ca: await loadCa(issuingRecord, deps.issuingSigner, deps.config.leafProfile), chainPem: issuingRecord.certificatePem + rootRecord.certificatePem };
}

/** A stable hash of what was asked, so a reused idempotency key with another request is caught. */
function requestHash(event: Record<string, unknown>): string {
  const { csrPem, purposes, lifetimeDays, subject, sans } = event;
  return createHash("sha256").update(JSON.stringify([csrPem, purposes, lifetimeDays ?? null, subject ?? null, sans ?? null])).digest("hex");
}

/**
 * Where a request's idempotency record lives: the caller's key within the scope of the CSR's
 * public key. Lambda does not tell a function who called it, but a CSR proves possession of its
 * private key, so a key first claimed with another public key (someone allowed to issue who
 * guessed or saw it) is another record and cannot block the key holder's request. Within one
 * public key, a reused key with another request is still IDEMPOTENCY_CONFLICT.
 */
export function idempotencyRecordKey(spkiDer: Uint8Array, idempotencyKey: string): string {
  return `${createHash("sha256").update(spkiDer).digest("base64url")}:${idempotencyKey}`;
}

async function issue(event: unknown, deps: CaDeps, requestId: string): Promise<IssueResponse> {
  const { order, idempotencyKey } = validateIssueRequest(event, deps.config.policy);
  const hash = requestHash(event as Record<string, unknown>);
  const recordKey = idempotencyKey ? idempotencyRecordKey(order.publicKey.spkiDer, idempotencyKey) : undefined;
  deps.log.info("issue.request", { requestId, subject: JSON.stringify(order.subject), sans: order.sans.map((s) => s.value), purposes: [...order.purposes], lifetimeDays: order.lifetimeDays, idempotencyKey });
  const { ca, chainPem } = await issuingCa(deps);
  if (idempotencyKey && recordKey) {
    const replay = await replayed(deps, idempotencyKey, recordKey, hash, chainPem);
    if (replay) return replay;
  }
  const certificate = await ca.issueLeaf(order, deps.clock());
  const record: CertificateRecord = {
    serialHex: certificate.serialHex,
    serialDecimal: serialHexToDecimal(certificate.serialHex),
    subject: certificate.subject,
    sans: order.sans.map((s) => `${s.type}:${s.value}`),
    purposes: [...order.purposes],
    notBefore: certificate.notBefore.toISOString(),
    notAfter: certificate.notAfter.toISOString(),
    certificatePem: certificate.pem,
    requestId,
    status: "valid",
    ...(idempotencyKey ? { idempotencyKey } : {}),
  };
  const stored = await deps.store.putCertificate(record, recordKey ? { key: recordKey, serialHex: certificate.serialHex, requestHash: hash } : undefined);
  if (stored === "serial-exists") {
    // 157 random bits do not collide: the serial source is broken. Nothing was written over the
    // existing record (it may be revoked) and this certificate is discarded unpublished; fail loudly.
    deps.log.error("issue.serial_exists", { requestId, serialNumber: certificate.serialHex });
    throw new Error(`serial ${certificate.serialHex} is already in the inventory; the new certificate was discarded and the existing record left as it was`);
  }
  if (stored === "idempotency-exists") {
    // A concurrent retry with the same key won the race: return its certificate; ours is discarded unpublished.
    const replay = await replayed(deps, idempotencyKey!, recordKey!, hash, chainPem);
    if (replay) return replay;
    throw new Error(`idempotency record ${idempotencyKey} vanished`);
  }
  deps.log.info("issue.issued", { requestId, serialNumber: certificate.serialHex, subject: certificate.subject, notAfter: record.notAfter });
  return { certificatePem: certificate.pem, chainPem, serialNumber: certificate.serialHex, notBefore: record.notBefore, notAfter: record.notAfter };
}

async function replayed(deps: CaDeps, key: string, recordKey: string, hash: string, chainPem: string): Promise<IssueResponse | undefined> {
  const previous = await deps.store.getIdempotency(recordKey);
  if (!previous) return undefined;
  if (previous.requestHash !== hash) {
    throw new PkiError("IDEMPOTENCY_CONFLICT", `idempotencyKey ${key} was already used with this public key for a different request; use a new key for a new certificate`, "idempotencyKey");
  }
  const record = await deps.store.getCertificate(previous.serialHex);
  if (!record) throw new Error(`certificate ${previous.serialHex} of idempotency key ${key} is missing`);
  if (record.status !== "valid") {
    // Replaying it would hand out a certificate every relying party refuses; issuing another under the same key would make the key mean two certificates.
    throw new PkiError("CERTIFICATE_REVOKED", `idempotencyKey ${key} produced certificate ${record.serialHex}, which was revoked on ${record.revokedAt} (${record.reason}); request a new certificate with a new key pair and a new idempotencyKey`, "idempotencyKey");
  }
  deps.log.info("issue.replayed", { serialNumber: record.serialHex, idempotencyKey: key });
  return { certificatePem: record.certificatePem, chainPem, serialNumber: record.serialHex, notBefore: record.notBefore, notAfter: record.notAfter };
}

let deps: Promise<CaDeps> | undefined;

/** The Lambda entry point: real clients, built once per container. */
export async function handler(event: unknown, context?: { awsRequestId?: string }): Promise<IssuerResponse> {
  deps ??= makeCaDeps(process.env, { withRootKey: false });
  return handle(event, await deps, context?.awsRequestId);
}
