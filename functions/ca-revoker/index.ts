import type { CaIdentity } from "../../pki/ca";
import { parseRevocationReason } from "../../pki/crl";
import { readVerifiedCrl } from "../../pki/crl-reader";
import { isPkiError, PkiError } from "../../pki/errors";
import { normaliseSerial } from "../../pki/serial";
import { ARTIFACT_KEYS } from "../shared/artifacts";
import { makeCaDeps } from "../shared/aws-deps";
import { CaDeps, loadCa, parseEvent, publishIssuingCrl, requireCa } from "../shared/ca-service";

/** The `revoke` answer. */
export interface RevokeResponse {
  readonly serialNumber: string;
  readonly revokedAt: string;
  readonly reason: string;
  /** The CRL number published with this revocation. */
  readonly crlNumber: number;
}

export type RevokerResponse = RevokeResponse | { error: ReturnType<PkiError["toJSON"]> };

/**
 * ca-revoker. `{ action?: "revoke", serialNumber, reason? }` revokes a certificate this CA issued
 * and publishes the issuing CRL at once. A function of its own because a Lambda resource policy
 * grants invocation of a whole function and Lambda does not tell the function who called it:
 * only this function's policy decides who may revoke (the admin roles of
 * `edge-mtls:revokerPrincipals`), apart from who may issue. Refusals come back as
 * `{ error: { code, field, message } }` and change nothing.
 *
 * A revocation is done when the published CRL lists it, not when the inventory says so: if the
 * CRL could not be published (S3 or KMS failed after the mark was written; the invocation fails),
 * a retry finds the certificate marked, sees the published CRL does not list it yet, and publishes
 * it. ALREADY_REVOKED is answered only when the published CRL, verified and current, lists it.
 */
export async function handle(rawEvent: unknown, deps: CaDeps, requestId = "local"): Promise<RevokerResponse> {
  try {
    const event = parseEvent(rawEvent);
    if (event === null || typeof event !== "object" || Array.isArray(event)) throw new PkiError("REQUEST_INVALID", "the request must be a JSON object { serialNumber, reason? }", "request");
    const request = event as Record<string, unknown>;
    const action = request.action ?? "revoke";
    if (action !== "revoke") throw new PkiError("REQUEST_INVALID", `ca-revoker only revokes: action must be "revoke"; got ${JSON.stringify(action)}`, "action");
    return await revoke(request, deps, requestId);
  } catch (error) {
    if (!isPkiError(error)) throw error; // a fault, not a refusal: Lambda reports it and the alarm fires
    deps.log.info("request.refused", { requestId, code: error.code, field: error.field, message: error.message });
    return { error: error.toJSON() };
  }
}

async function revoke(event: Record<string, unknown>, deps: CaDeps, requestId: string): Promise<RevokeResponse> {
  const known = new Set(["action", "serialNumber", "reason"]);
  const unknown = Object.keys(event).find((k) => !known.has(k));
  if (unknown) throw new PkiError("REQUEST_INVALID", `unknown revoke field ${unknown}; allowed: serialNumber, reason`, unknown);
  const serialHex = normaliseSerial(event.serialNumber, "serialNumber");
  const reason = parseRevocationReason(event.reason, "reason");
  const ca = await loadCa(await requireCa(deps.store, "issuing"), deps.issuingSigner, deps.config.leafProfile);
  const revokedAt = deps.clock().toISOString();
  const outcome = await deps.store.revoke(serialHex, revokedAt, reason);
  if (outcome === "not-found") throw new PkiError("NOT_FOUND", `no certificate with serial ${serialHex} was issued by this CA`, "serialNumber");
  if (outcome === "already-revoked") return completeEarlierRevocation(serialHex, ca, deps, requestId);
  deps.log.info("revoke.revoked", { requestId, serialNumber: serialHex, reason });
  const crl = await publishIssuingCrl(deps, ca);
  return { serialNumber: serialHex, revokedAt, reason, crlNumber: crl.crlNumber };
}

/**
 * A certificate the inventory already marks revoked: ALREADY_REVOKED if the published CRL lists
 * it; otherwise an earlier revoke (or the scheduled ca-crl run) failed to publish, so publish now
 * and answer as the revoke that completed (with the recorded date and reason).
 */
async function completeEarlierRevocation(serialHex: string, ca: CaIdentity, deps: CaDeps, requestId: string): Promise<RevokeResponse> {
  const record = await deps.store.getCertificate(serialHex);
  if (!record?.revokedAt || !record.reason) throw new Error(`certificate ${serialHex} is marked revoked without a date or reason`);
  const listedIn = await publishedCrlListing(deps, ca, serialHex);
  if (listedIn !== undefined) {
    throw new PkiError("ALREADY_REVOKED", `certificate ${serialHex} was already revoked on ${record.revokedAt} (${record.reason}); the published CRL number ${listedIn} lists it`, "serialNumber");
  }
  deps.log.info("revoke.republished", { requestId, serialNumber: serialHex, reason: record.reason, revokedAt: record.revokedAt });
  const crl = await publishIssuingCrl(deps, ca);
  return { serialNumber: serialHex, revokedAt: record.revokedAt, reason: record.reason, crlNumber: crl.crlNumber };
}

/**
 * The number of the published issuing CRL if it lists `serialHex` and is one a relying party
 * accepts now (signed by this CA, within thisUpdate..nextUpdate); undefined otherwise, including
 * when none is published or it cannot be read as such a CRL.
 */
async function publishedCrlListing(deps: CaDeps, ca: CaIdentity, serialHex: string): Promise<bigint | undefined> {
  const der = await deps.artifacts.read(ARTIFACT_KEYS.issuingCrl);
  if (!der) return undefined;
  try {
    const crl = readVerifiedCrl(der, ca.certificatePem, deps.clock());
    return crl.revoked.has(serialHex) ? crl.crlNumber : undefined;
  } catch (error) {
    deps.log.info("revoke.published_crl_unusable", { serialNumber: serialHex, message: (error as Error).message });
    return undefined;
  }
}

let deps: Promise<CaDeps> | undefined;

/** The Lambda entry point: real clients, built once per container. */
export async function handler(event: unknown, context?: { awsRequestId?: string }): Promise<RevokerResponse> {
  deps ??= makeCaDeps(process.env, { withRootKey: false });
  return handle(event, await deps, context?.awsRequestId);
}
