import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { lockSync } from "proper-lockfile";
import { trustBundlePem } from "./bundle";
import { CaIdentity, createIssuingCertificate, createRootCertificate, IssuedCertificate } from "./ca";
import { BuiltCrl, buildCrl, parseRevocationReason, RevocationReason, RevokedEntry } from "./crl";
import { PkiError } from "./errors";
import { fsyncDirectory, removeAbandoned, TEMPORARY_FILE, writeFilesAtomically } from "./files";
import { DEFAULT_ISSUANCE_POLICY, IssuancePolicy, validateIssueRequest } from "./issuance-policy";
import { KeyAlgorithmName } from "./key-algorithms";
import { LocalSigner } from "./local-signer";
import { SubjectFields } from "./names";
import { readCertificatesPem } from "./pem";
import { checkProfileOptions, ProfileOptions } from "./profiles";
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

/** The lock directory proper-lockfile keeps while one process changes the inventory or ca.json. */
const LOCK_NAME = "ca.lock";
/** A lock older than this is taken to belong to a process that died holding it. */
const LOCK_STALE_MS = 10_000;
/** How long a process waits for the lock before giving up with CA_BUSY. */
const LOCK_WAIT_MS = 30_000;

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
  /** The SANs certified, as ca-issuer records them (`dns:…`, `ip:…`); absent in records written before they were kept. */
  readonly sans?: readonly string[];
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
 * policy and encoders as the KMS-backed CA, for the CLI, the rehearsal and tests.
 *
 * The directory is created whole or not at all ({@link LocalCa.init}), 0700 with keys 0600. Every
 * change to the inventory or ca.json is a read-modify-write of the files on disk under a lock
 * (proper-lockfile), so parallel `cert issue` and `cert revoke` runs never lose each other's
 * records; a process killed while holding the lock loses it after 10 s.
 */
export class LocalCa {
  private constructor(
    readonly dir: string,
    readonly root: CaIdentity,
    readonly issuing: CaIdentity,
    private config: LocalCaConfig,
    private readonly inventory: InventoryRecord[],
  ) {}

  /**
   * Creates a root and an issuing CA in `dir`, atomically: everything is built in a temporary
   * directory beside it (0700, files fsynced), which one rename turns into `dir`. A process killed
   * at any point leaves either no CA or a complete one, never a directory both `ca init` and
   * `cert issue` refuse; what a killed run left behind is removed by the next one. Refuses a
   * directory that already holds anything.
   */
  static async init(dir: string, options: LocalCaInitOptions = {}): Promise<LocalCa> {
    const target = resolve(dir);
    refuseOccupied(target);
    // Leaves are made from the leaf profile later: refuse a bad one now, before anything exists.
    checkProfileOptions(options.leafProfile);
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
    const parent = dirname(target);
    mkdirSync(parent, { recursive: true });
    const stagingPrefix = `.${basename(target)}.init-`;
    removeAbandoned(parent, new RegExp(`^${stagingPrefix.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(\\d+)-`));
    const staging = mkdtempSync(join(parent, `${stagingPrefix}${process.pid}-`));
    try {
      chmodSync(staging, 0o700); // whatever the umask
      writeFilesAtomically(staging, [
        { name: LOCAL_CA_FILES.rootKey, content: rootSigner.privateKeyPem(), secret: true },
        { name: LOCAL_CA_FILES.issuingKey, content: issuingSigner.privateKeyPem(), secret: true },
        { name: LOCAL_CA_FILES.rootCert, content: rootCert.pem, secret: false },
        { name: LOCAL_CA_FILES.issuingCert, content: issuingCert.pem, secret: false },
        { name: LOCAL_CA_FILES.bundle, content: trustBundlePem(rootCert.pem, issuingCert.pem), secret: false },
        { name: LOCAL_CA_FILES.inventory, content: "[]\n", secret: false },
        { name: LOCAL_CA_FILES.config, content: JSON.stringify(config, null, 2) + "\n", secret: false },
      ]);
      fsyncDirectory(staging);
      try {
        // rename(2) replaces an empty directory and fails on a non-empty one: a racing init loses here.
        renameSync(staging, target);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === "ENOTEMPTY" || code === "EEXIST") throw new PkiError("CA_EXISTS", `${target} was filled while this CA was being created; nothing was changed`, "dir");
        throw error;
      }
      fsyncDirectory(parent);
    } catch (error) {
      rmSync(staging, { recursive: true, force: true });
      throw error;
    }
    return LocalCa.open(target);
  }

  /** Opens the CA in `dir`. */
  static async open(dir: string): Promise<LocalCa> {
    const path = (name: string) => join(dir, name);
    if (!existsSync(path(LOCAL_CA_FILES.config))) {
      throw new PkiError("CA_NOT_INITIALISED", `${dir} holds no CA (no ${LOCAL_CA_FILES.config}); run 'edge-mtls ca init --dir ${dir}' first`, "caDir");
    }
    const missing = Object.values(LOCAL_CA_FILES).filter((name) => !existsSync(path(name)));
    if (missing.length > 0) {
      throw new PkiError("CA_NOT_INITIALISED", `${dir} is an incomplete CA (missing ${missing.join(", ")}); it was not made by a completed 'edge-mtls ca init'`, "caDir");
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
    const record: InventoryRecord = {
      serialHex: certificate.serialHex,
      subject: certificate.subject,
      purposes: [...order.purposes],
      sans: order.sans.map((san) => `${san.type}:${san.value}`),
      notBefore: certificate.notBefore.toISOString(),
      notAfter: certificate.notAfter.toISOString(),
      status: "valid",
    };
    this.changeInventory((inventory) => {
      // Create only: a record is never written over another with the same serial (a revoked one would be un-revoked).
      const existing = inventory.find((r) => r.serialHex === record.serialHex);
      if (existing) throw new Error(`serial ${record.serialHex} is already in the inventory (${existing.status}); the new certificate was discarded and the inventory left as it was`);
      return [...inventory, record];
    });
    return certificate;
  }

  /** Marks a certificate revoked; the next {@link crl} lists it. */
  revoke(serial: unknown, reason: unknown, now: Date = new Date()): InventoryRecord {
    const serialHex = normaliseSerial(serial, "serial");
    const revocationReason = parseRevocationReason(reason, "reason");
    let revoked: InventoryRecord | undefined;
    this.changeInventory((inventory) => {
      const index = inventory.findIndex((r) => normaliseSerial(r.serialHex) === serialHex);
      const record = inventory[index];
      if (!record) throw new PkiError("NOT_FOUND", `no certificate with serial ${serialHex} was issued by this CA`, "serial");
      if (record.status === "revoked") throw new PkiError("ALREADY_REVOKED", `certificate ${serialHex} was already revoked on ${record.revokedAt} (${record.reason})`, "serial");
      revoked = { ...record, status: "revoked", revokedAt: now.toISOString(), reason: revocationReason };
      return inventory.map((r, i) => (i === index ? revoked! : r));
    });
    return revoked!;
  }

  /** Builds the issuing CA's next CRL (the CRL number goes up by one each time) from the inventory as it is on disk. */
  async crl(now: Date = new Date()): Promise<BuiltCrl> {
    const { config, inventory } = this.withLock(() => {
      const current = this.readState();
      const next = { ...current.config, crlNumber: current.config.crlNumber + 1 };
      this.saveConfig(next);
      return { config: next, inventory: current.inventory };
    });
    const entries: RevokedEntry[] = inventory
      .filter((r) => r.status === "revoked")
      .map((r) => ({ serialHex: r.serialHex, revokedAt: new Date(r.revokedAt!), reason: r.reason ?? "unspecified", notAfter: new Date(r.notAfter) }));
    return buildCrl(this.issuing, { crlNumber: config.crlNumber, thisUpdate: now, nextUpdate: this.nextUpdate(now), entries });
  }

  /** The root's CRL (it lists no issuing CA: rotation replaces, it does not revoke). Relying parties that check every level need it. */
  async rootCrl(now: Date = new Date()): Promise<BuiltCrl> {
    const config = this.withLock(() => {
      const current = this.readState().config;
      const next = { ...current, rootCrlNumber: (current.rootCrlNumber ?? 0) + 1 };
      this.saveConfig(next);
      return next;
    });
    return buildCrl(this.root, { crlNumber: config.rootCrlNumber!, thisUpdate: now, nextUpdate: this.nextUpdate(now), entries: [] });
  }

  private nextUpdate(now: Date): Date {
    return new Date(now.getTime() + this.config.crlValidityHours * 3600_000);
  }

  /**
   * Reads the inventory from disk, applies `change` and writes the result, all under the lock, so
   * a change made meanwhile by another process is never overwritten. If `change` throws, nothing
   * is written. This object then holds the inventory as written.
   */
  private changeInventory(change: (inventory: readonly InventoryRecord[]) => InventoryRecord[]): void {
    this.withLock(() => {
      const next = change(this.readState().inventory);
      writeFilesAtomically(this.dir, [{ name: LOCAL_CA_FILES.inventory, content: JSON.stringify(next, null, 2) + "\n", secret: false }]);
      this.inventory.splice(0, this.inventory.length, ...next);
    });
  }

  private readState(): { config: LocalCaConfig; inventory: InventoryRecord[] } {
    return {
      config: JSON.parse(readFileSync(join(this.dir, LOCAL_CA_FILES.config), "utf8")) as LocalCaConfig,
      inventory: JSON.parse(readFileSync(join(this.dir, LOCAL_CA_FILES.inventory), "utf8")) as InventoryRecord[],
    };
  }

  private saveConfig(next: LocalCaConfig): void {
    writeFilesAtomically(this.dir, [{ name: LOCAL_CA_FILES.config, content: JSON.stringify(next, null, 2) + "\n", secret: false }]);
    this.config = next;
  }

  /**
   * Runs `action` holding the CA directory's lock. Synchronous on purpose: nothing awaits while the
   * lock is held, so one slow signature never blocks other processes. A held lock is retried with
   * growing, jittered sleeps for up to 30 s (proper-lockfile's sync API does not retry itself).
   */
  private withLock<T>(action: () => T): T {
    const deadline = Date.now() + LOCK_WAIT_MS;
    let release: () => void;
    for (let delay = 2; ; delay = Math.min(delay * 2, 100)) {
      try {
        release = lockSync(this.dir, { lockfilePath: join(this.dir, LOCK_NAME), realpath: false, stale: LOCK_STALE_MS });
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ELOCKED") throw error;
        if (Date.now() > deadline) throw new PkiError("CA_BUSY", `${this.dir} stayed locked (${LOCK_NAME}) for ${LOCK_WAIT_MS / 1000} s by another edge-mtls process; try again`, "caDir");
        Atomics.wait(SLEEPER, 0, 0, delay + Math.random() * delay);
      }
    }
    try {
      removeAbandoned(this.dir, TEMPORARY_FILE);
      return action();
    } finally {
      release();
    }
  }
}

const SLEEPER = new Int32Array(new SharedArrayBuffer(4));

/** Refuses a target that holds a CA or anything else: `ca init` only creates. */
function refuseOccupied(target: string): void {
  if (!existsSync(target)) return;
  if (!statSync(target).isDirectory()) throw new PkiError("CA_EXISTS", `${target} exists and is not a directory; choose another --dir`, "dir");
  const entries = readdirSync(target);
  if (entries.includes(LOCAL_CA_FILES.config) || entries.includes(LOCAL_CA_FILES.rootKey)) {
    throw new PkiError("CA_EXISTS", `${target} already holds a CA; use another --dir or remove it first`, "dir");
  }
  if (entries.length > 0) throw new PkiError("CA_EXISTS", `${target} is not empty (${entries.slice(0, 3).join(", ")}${entries.length > 3 ? ", …" : ""}); a CA is created only in a new or empty directory`, "dir");
}
