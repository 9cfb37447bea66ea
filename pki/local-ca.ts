import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { trustBundlePem } from "./bundle";
import { CaIdentity, createIssuingCertificate, createRootCertificate, IssuedCertificate } from "./ca";
import { BuiltCrl, buildCrl, parseRevocationReason, RevocationReason, RevokedEntry } from "./crl";
import { PkiError } from "./errors";
import { writeFilesAtomically } from "./files";
import { DEFAULT_ISSUANCE_POLICY, IssuancePolicy, validateIssueRequest } from "./issuance-policy";
import { KeyAlgorithmName } from "./key-algorithms";
import { LocalSigner } from "./local-signer";
import { SubjectFields } from "./names";
import { readCertificatesPem } from "./pem";
import type { ProfileOptions } from "./profiles";
import { normaliseSerial } from "./serial";

/** File names inside a local CA directory. */
export const LOCAL_CA_FILES = {
  rootKey: "root-ca-key.pem",
  rootCert: "root-ca-cert.pem",
  issuingKey: "issuing-ca-key.pem",
  issuingCert: "issuing-ca-cert.pem",
  bundle: "ca-bundle.pem",
  config: "ca.json",
  inventory: "inventory.json",
} as const;

/** Options of `edge-mtls ca init`. */
export interface LocalCaInitOptions {
  readonly rootKey?: KeyAlgorithmName;
  readonly issuingKey?: KeyAlgorithmName;
  readonly rootSubject?: SubjectFields;
  readonly issuingSubject?: SubjectFields;
  /** Profile options for leaves (CRL/AIA URLs of the issuing CA, policy OIDs). */
  readonly leafProfile?: ProfileOptions;
  /** Profile options for the issuing CA (the root's CRL/AIA URLs). */
  readonly issuingProfile?: ProfileOptions;
  readonly policy?: IssuancePolicy;
  /** Hours a CRL stays valid; default 24. */
  readonly crlValidityHours?: number;
  readonly now?: Date;
}

interface LocalCaConfig {
  readonly version: 1;
  readonly leafProfile: ProfileOptions;
  readonly policy: IssuancePolicy;
  readonly crlValidityHours: number;
  readonly crlNumber: number;
  readonly rootCrlNumber?: number;
}

/** One certificate the local CA issued, as its inventory keeps it. */
export interface InventoryRecord {
  readonly serialHex: string;
  readonly subject: string;
  readonly purposes: readonly string[];
  readonly notBefore: string;
  readonly notAfter: string;
  readonly status: "valid" | "revoked";
  readonly revokedAt?: string;
  readonly reason?: RevocationReason;
}

/** Default CA names, in the how-to's style. */
export const DEFAULT_ROOT_SUBJECT: SubjectFields = { commonName: "Edge mTLS Root CA", organization: "edge-mtls" };
export const DEFAULT_ISSUING_SUBJECT: SubjectFields = { commonName: "Edge mTLS Issuing CA", organization: "edge-mtls" };

/**
 * A CA kept in a directory, with keys from node crypto (`LocalSigner`): the same profiles,
 * policy and encoders as the KMS-backed CA, for the CLI, the rehearsal and tests. Keys are
 * written 0600; every change is written all-or-nothing.
 */
export class LocalCa {
  private constructor(
    readonly dir: string,
    readonly root: CaIdentity,
    readonly issuing: CaIdentity,
    private config: LocalCaConfig,
    private readonly inventory: InventoryRecord[],
  ) {}

  /** Creates a root and an issuing CA in `dir`; refuses a directory that already holds one. */
  static async init(dir: string, options: LocalCaInitOptions = {}): Promise<LocalCa> {
    if (existsSync(join(dir, LOCAL_CA_FILES.config)) || existsSync(join(dir, LOCAL_CA_FILES.rootKey))) {
      throw new PkiError("CA_EXISTS", `${dir} already holds a CA; use another --dir or remove it first`, "dir");
    }
    const now = options.now ?? new Date();
    const rootSigner = LocalSigner.generate(options.rootKey ?? "ecdsa-p384");
    const issuingSigner = LocalSigner.generate(options.issuingKey ?? "ecdsa-p256");
    const rootCert = await createRootCertificate(rootSigner, { subject: options.rootSubject ?? DEFAULT_ROOT_SUBJECT, now });
    const root = await CaIdentity.create(rootSigner, rootCert.der);
    const issuingCert = await createIssuingCertificate(root, await issuingSigner.publicKey(), {
      subject: options.issuingSubject ?? DEFAULT_ISSUING_SUBJECT,
      profile: options.issuingProfile,
      now,
    });
    const config: LocalCaConfig = {
      version: 1,
      leafProfile: options.leafProfile ?? {},
      policy: options.policy ?? DEFAULT_ISSUANCE_POLICY,
      crlValidityHours: options.crlValidityHours ?? 24,
      crlNumber: 0,
    };
    writeFilesAtomically(dir, [
      { name: LOCAL_CA_FILES.rootKey, content: rootSigner.privateKeyPem(), secret: true },
      { name: LOCAL_CA_FILES.issuingKey, content: issuingSigner.privateKeyPem(), secret: true },
      { name: LOCAL_CA_FILES.rootCert, content: rootCert.pem, secret: false },
      { name: LOCAL_CA_FILES.issuingCert, content: issuingCert.pem, secret: false },
      { name: LOCAL_CA_FILES.bundle, content: trustBundlePem(rootCert.pem, issuingCert.pem), secret: false },
      { name: LOCAL_CA_FILES.inventory, content: "[]\n", secret: false },
      { name: LOCAL_CA_FILES.config, content: JSON.stringify(config, null, 2) + "\n", secret: false },
    ]);
    return LocalCa.open(dir);
  }

  /** Opens the CA in `dir`. */
  static async open(dir: string): Promise<LocalCa> {
    const path = (name: string) => join(dir, name);
    if (!existsSync(path(LOCAL_CA_FILES.config))) {
      throw new PkiError("CA_NOT_INITIALISED", `${dir} holds no CA (no ${LOCAL_CA_FILES.config}); run 'edge-mtls ca init --dir ${dir}' first`, "caDir");
    }
    const read = (name: string) => readFileSync(path(name), "utf8");
    const config = JSON.parse(read(LOCAL_CA_FILES.config)) as LocalCaConfig;
    const rootSigner = LocalSigner.fromPrivateKeyPem(read(LOCAL_CA_FILES.rootKey), LOCAL_CA_FILES.rootKey);
    const issuingSigner = LocalSigner.fromPrivateKeyPem(read(LOCAL_CA_FILES.issuingKey), LOCAL_CA_FILES.issuingKey);
    const root = await CaIdentity.create(rootSigner, readCertificatesPem(read(LOCAL_CA_FILES.rootCert), LOCAL_CA_FILES.rootCert)[0]!);
    const issuing = await CaIdentity.create(issuingSigner, readCertificatesPem(read(LOCAL_CA_FILES.issuingCert), LOCAL_CA_FILES.issuingCert)[0]!, config.leafProfile);
    const inventory = JSON.parse(read(LOCAL_CA_FILES.inventory)) as InventoryRecord[];
    return new LocalCa(dir, root, issuing, config, inventory);
  }

  /** The trust bundle: root then issuing CA. */
  get bundlePem(): string {
    return readFileSync(join(this.dir, LOCAL_CA_FILES.bundle), "utf8");
  }

  /** The chain a leaf is served with: issuing CA then root. */
  get chainPem(): string {
    return this.issuing.certificatePem + this.root.certificatePem;
  }

  /** The certificates issued so far. */
  get records(): readonly InventoryRecord[] {
    return this.inventory;
  }

  /**
   * Issues a leaf for an issue request (the ca-issuer contract: csrPem, purposes, lifetimeDays,
   * subject, sans), checked against this CA's policy. Nothing is written when it is refused.
   */
  async issue(request: unknown, now: Date = new Date()): Promise<IssuedCertificate> {
    const { order } = validateIssueRequest(request, this.config.policy);
    const certificate = await this.issuing.issueLeaf(order, now);
    this.saveInventory([
      ...this.inventory,
      {
        serialHex: certificate.serialHex,
        subject: certificate.subject,
        purposes: [...order.purposes],
        notBefore: certificate.notBefore.toISOString(),
        notAfter: certificate.notAfter.toISOString(),
        status: "valid",
      },
    ]);
    return certificate;
  }

  /** Marks a certificate revoked; the next {@link crl} lists it. */
  revoke(serial: unknown, reason: unknown, now: Date = new Date()): InventoryRecord {
    const serialHex = normaliseSerial(serial, "serial");
    const revocationReason = parseRevocationReason(reason, "reason");
    const index = this.inventory.findIndex((r) => normaliseSerial(r.serialHex) === serialHex);
    const record = this.inventory[index];
    if (!record) throw new PkiError("NOT_FOUND", `no certificate with serial ${serialHex} was issued by this CA`, "serial");
    if (record.status === "revoked") throw new PkiError("ALREADY_REVOKED", `certificate ${serialHex} was already revoked on ${record.revokedAt} (${record.reason})`, "serial");
    const revoked: InventoryRecord = { ...record, status: "revoked", revokedAt: now.toISOString(), reason: revocationReason };
    this.saveInventory(this.inventory.map((r, i) => (i === index ? revoked : r)));
    return revoked;
  }

  /** Builds the issuing CA's next CRL (the CRL number goes up by one each time). */
  async crl(now: Date = new Date()): Promise<BuiltCrl> {
    const entries: RevokedEntry[] = this.inventory
      .filter((r) => r.status === "revoked")
      .map((r) => ({ serialHex: r.serialHex, revokedAt: new Date(r.revokedAt!), reason: r.reason ?? "unspecified", notAfter: new Date(r.notAfter) }));
    const crlNumber = this.config.crlNumber + 1;
    const built = await buildCrl(this.issuing, { crlNumber, thisUpdate: now, nextUpdate: this.nextUpdate(now), entries });
    this.saveConfig({ ...this.config, crlNumber });
    return built;
  }

  /** The root's CRL (it lists no issuing CA: rotation replaces, it does not revoke). Relying parties that check every level need it. */
  async rootCrl(now: Date = new Date()): Promise<BuiltCrl> {
    const rootCrlNumber = (this.config.rootCrlNumber ?? 0) + 1;
    const built = await buildCrl(this.root, { crlNumber: rootCrlNumber, thisUpdate: now, nextUpdate: this.nextUpdate(now), entries: [] });
    this.saveConfig({ ...this.config, rootCrlNumber });
    return built;
  }

  private nextUpdate(now: Date): Date {
    return new Date(now.getTime() + this.config.crlValidityHours * 3600_000);
  }

  /** Writes the new inventory, and only then adopts it: a failed write changes nothing. */
  private saveInventory(next: InventoryRecord[]): void {
    writeFilesAtomically(this.dir, [{ name: LOCAL_CA_FILES.inventory, content: JSON.stringify(next, null, 2) + "\n", secret: false }]);
    this.inventory.splice(0, this.inventory.length, ...next);
  }

  private saveConfig(next: LocalCaConfig): void {
    writeFilesAtomically(this.dir, [{ name: LOCAL_CA_FILES.config, content: JSON.stringify(next, null, 2) + "\n", secret: false }]);
    this.config = next;
  }
}
