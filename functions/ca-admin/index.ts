import { trustBundlePem } from "../../pki/bundle";
import { createIssuingCertificate, createRootCertificate } from "../../pki/ca";
import { isPkiError, PkiError } from "../../pki/errors";
import { readCertificatesPem } from "../../pki/pem";
import { ARTIFACT_KEYS } from "../shared/artifacts";
import { CaRecord } from "../shared/ca-store";
import { CaDeps, loadCa, parseEvent, publishIssuingCrl, publishRootCrl, requireCa } from "../shared/ca-service";
import { makeCaDeps } from "../shared/aws-deps";

/** What bootstrap returns (and the CA stack exports). */
export interface BootstrapResult {
  readonly rootCaCertPem: string;
  readonly issuingCaCertPem: string;
  readonly trustBundlePem: string;
  readonly trustBundleS3Uri: string;
  readonly trustBundleS3Version?: string;
  /** True when this run created the CA; false when it already existed (nothing changed). */
  readonly created: boolean;
}

/**
 * ca-admin. `{ action: "bootstrap" }` (the default) creates the root and issuing CA if absent and
 * publishes their certificates, the trust bundle and the first CRLs; a second run changes nothing
 * and returns the same certificates. `{ action: "root-crl" }` republishes the root CRL (the
 * scheduler calls it: only this function may use the root key). `{ action: "index-inventory" }`
 * adds the expiry and series index attributes to certificates issued before those indexes.
 */
export async function handle(rawEvent: unknown, deps: CaDeps): Promise<BootstrapResult | { crlNumber: number } | { indexed: number } | { error: ReturnType<PkiError["toJSON"]> }> {
  try {
    const event = (parseEvent(rawEvent) ?? {}) as { action?: unknown };
    const action = event.action ?? "bootstrap";
    if (!deps.rootSigner) throw new PkiError("KMS_KEY_UNUSABLE", "ca-admin needs the root key (ROOT_KEY_ID)");
    if (action === "bootstrap") return await bootstrap(deps, deps.rootSigner);
    if (action === "index-inventory") {
      // Certificates issued before the expiry and series indexes: give them the attributes those indexes key on.
      const indexed = (await deps.store.indexUnindexedCertificates?.()) ?? 0;
      deps.log.info("inventory.indexed", { indexed });
      return { indexed };
    }
    if (action === "root-crl") {
      const root = await loadCa(await requireCa(deps.store, "root"), deps.rootSigner, {});
      return { crlNumber: (await publishRootCrl(deps, root)).crlNumber };
    }
    throw new PkiError("REQUEST_INVALID", `action must be "bootstrap", "root-crl" or "index-inventory"; got ${JSON.stringify(action)}`, "action");
  } catch (error) {
    if (!isPkiError(error)) throw error;
    deps.log.error("ca-admin.refused", { code: error.code, field: error.field, message: error.message });
    return { error: error.toJSON() };
  }
}

async function ensureCa(deps: CaDeps, role: CaRecord["role"], create: () => Promise<{ pem: string; serialHex: string; notAfter: Date }>): Promise<{ record: CaRecord; created: boolean }> {
  const existing = await deps.store.getCa(role);
  if (existing) return { record: existing, created: false };
  const certificate = await create();
  const record: CaRecord = { role, certificatePem: certificate.pem, serialHex: certificate.serialHex, notAfter: certificate.notAfter.toISOString(), crlNumber: 0 };
  if (await deps.store.createCa(record)) {
    deps.log.info("ca.created", { role, serialNumber: certificate.serialHex, notAfter: record.notAfter });
    return { record, created: true };
  }
  // Another run created it between our read and our write: theirs stands, ours was never published.
  return { record: await requireCa(deps.store, role), created: false };
}

async function bootstrap(deps: CaDeps, rootSigner: NonNullable<CaDeps["rootSigner"]>): Promise<BootstrapResult> {
  const now = deps.clock();
  const { config } = deps;
  const rootResult = await ensureCa(deps, "root", () => createRootCertificate(rootSigner, { subject: config.rootSubject, lifetimeDays: config.rootLifetimeDays, now }));
  const root = await loadCa(rootResult.record, rootSigner, {});
  const issuingResult = await ensureCa(deps, "issuing", async () =>
    createIssuingCertificate(root, await deps.issuingSigner.publicKey(), { subject: config.issuingSubject, lifetimeDays: config.issuingLifetimeDays, profile: config.issuingProfile, now }),
  );
  const issuing = await loadCa(issuingResult.record, deps.issuingSigner, config.leafProfile);
  const bundle = trustBundlePem(rootResult.record.certificatePem, issuingResult.record.certificatePem);
  await deps.artifacts.publish(ARTIFACT_KEYS.rootCertPem, rootResult.record.certificatePem, "application/x-pem-file");
  await deps.artifacts.publish(ARTIFACT_KEYS.issuingCertPem, issuingResult.record.certificatePem, "application/x-pem-file");
  await deps.artifacts.publish(ARTIFACT_KEYS.rootCertDer, der(rootResult.record), "application/pkix-cert");
  await deps.artifacts.publish(ARTIFACT_KEYS.issuingCertDer, der(issuingResult.record), "application/pkix-cert");
  const published = await deps.artifacts.publish(ARTIFACT_KEYS.trustBundle, bundle, "application/x-pem-file");
  // A CA whose counter is still 0 has never published a CRL (also after a run that stopped halfway).
  if (rootResult.record.crlNumber === 0) await publishRootCrl(deps, root);
  if (issuingResult.record.crlNumber === 0) await publishIssuingCrl(deps, issuing);
  return {
    rootCaCertPem: rootResult.record.certificatePem,
    issuingCaCertPem: issuingResult.record.certificatePem,
    trustBundlePem: bundle,
    trustBundleS3Uri: `s3://${config.bucketName}/${ARTIFACT_KEYS.trustBundle}`,
    trustBundleS3Version: published.versionId,
    created: rootResult.created || issuingResult.created,
  };
}

function der(record: CaRecord): Uint8Array {
  return readCertificatesPem(record.certificatePem, `${record.role} CA record`)[0]!;
}

let deps: Promise<CaDeps> | undefined;

/** The Lambda entry point: real clients, built once per container. */
export async function handler(event: unknown): Promise<unknown> {
  deps ??= makeCaDeps(process.env, { withRootKey: true });
  return handle(event, await deps);
}

