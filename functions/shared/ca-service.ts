import { CaIdentity } from "../../pki/ca";
import { BuiltCrl, buildCrl } from "../../pki/crl";
import { PkiError } from "../../pki/errors";
import { readCertificatesPem } from "../../pki/pem";
import type { Signer } from "../../pki/signer";
import { ArtifactStore, ARTIFACT_KEYS } from "./artifacts";
import type { CaConfig } from "./ca-config";
import type { CaRecord, CaStore } from "./ca-store";
import type { Logger } from "./log";

/** What the CA handlers work with; `handler` builds it from the environment, tests from fakes. */
export interface CaDeps {
  readonly config: CaConfig;
  readonly store: CaStore;
  readonly artifacts: ArtifactStore;
  /** Only ca-admin can sign with the root key (the key policy says so); the others get none. */
  readonly rootSigner?: Signer;
  readonly issuingSigner: Signer;
  readonly clock: () => Date;
  readonly log: Logger;
}

const HOUR_MS = 3600_000;

/** The CA record of `role`, or CA_NOT_INITIALISED (ca-admin's bootstrap has not run). */
export async function requireCa(store: CaStore, role: CaRecord["role"]): Promise<CaRecord> {
  const record = await store.getCa(role);
  if (!record) throw new PkiError("CA_NOT_INITIALISED", `the ${role} CA does not exist yet; run the ca-admin function's bootstrap (it runs on 'pulumi up')`);
  return record;
}

const identities = new WeakMap<Signer, Map<string, Promise<CaIdentity>>>();

/**
 * A CA as a signer plus certificate, checked to belong together. Kept per signer (one per Lambda
 * container) and certificate, so each request does not re-parse the CA certificate and re-encode
 * the profile extensions the identity caches.
 */
export function loadCa(record: CaRecord, signer: Signer, profile: CaConfig["leafProfile"]): Promise<CaIdentity> {
  let bySigner = identities.get(signer);
  if (!bySigner) identities.set(signer, (bySigner = new Map()));
  const key = `${record.certificatePem}\n${JSON.stringify(profile)}`;
  let identity = bySigner.get(key);
  if (!identity) {
    identity = CaIdentity.create(signer, readCertificatesPem(record.certificatePem, `${record.role} CA record`)[0]!, profile);
    // A failure (e.g. a signer that does not match) is not kept: the next request tries again.
    identity.catch(() => bySigner!.delete(key));
    bySigner.set(key, identity);
  }
  return identity;
}

/**
 * Builds the issuing CA's next CRL from the inventory (expired entries pruned) and publishes it.
 * The number is taken before the revocations are read (and that read sees every revocation made
 * before it started), so a CRL with a higher number never lists less; the publication is
 * conditional on the number, so a slow run never puts an older CRL back over a newer one: it
 * reports `supersededBy` instead.
 */
export async function publishIssuingCrl(deps: CaDeps, issuing: CaIdentity): Promise<BuiltCrl & { crlNumber: number; versionId?: string; supersededBy?: number }> {
  const crlNumber = await deps.store.nextCrlNumber("issuing");
  const entries = await deps.store.listRevoked();
  // thisUpdate after the read: the CRL says what was known at that time.
  const now = deps.clock();
  const crl = await buildCrl(issuing, { crlNumber, thisUpdate: now, nextUpdate: new Date(now.getTime() + deps.config.crlValidityHours * HOUR_MS), entries });
  const published = await deps.artifacts.publish(ARTIFACT_KEYS.issuingCrl, crl.der, "application/pkix-crl", { sequence: crlNumber });
  if (published.supersededBy !== undefined) {
    deps.log.info("crl.superseded", { ca: "issuing", crlNumber, supersededBy: published.supersededBy, listed: crl.listed });
  } else {
    deps.log.info("crl.published", { ca: "issuing", crlNumber, listed: crl.listed, pruned: crl.pruned, versionId: published.versionId });
  }
  return { ...crl, crlNumber, versionId: published.versionId, supersededBy: published.supersededBy };
}

/** Builds and publishes the root's CRL (empty unless an issuing CA is ever revoked). Root key: ca-admin only. */
export async function publishRootCrl(deps: CaDeps, root: CaIdentity): Promise<BuiltCrl & { crlNumber: number }> {
  const now = deps.clock();
  const crlNumber = await deps.store.nextCrlNumber("root");
  const crl = await buildCrl(root, { crlNumber, thisUpdate: now, nextUpdate: new Date(now.getTime() + deps.config.rootCrlValidityDays * 24 * HOUR_MS), entries: [] });
  await deps.artifacts.publish(ARTIFACT_KEYS.rootCrl, crl.der, "application/pkix-crl", { sequence: crlNumber });
  deps.log.info("crl.published", { ca: "root", crlNumber, listed: crl.listed });
  return { ...crl, crlNumber };
}

/** Parses a Lambda payload that may arrive as an object or as a JSON string. */
export function parseEvent(event: unknown): unknown {
  if (typeof event !== "string") return event;
  try {
    return JSON.parse(event);
  } catch {
    throw new PkiError("REQUEST_INVALID", "the request is not valid JSON", "request");
  }
}
