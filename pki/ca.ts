import { AsnConvert } from "@peculiar/asn1-schema";
import { Certificate } from "@peculiar/asn1-x509";
import { CertificateTemplate, SignatureAlgorithm, signatureAlgorithmOf, signCertificate } from "./certificate";
import { PkiError } from "./errors";
import { profileExtensions, subjectExtensions, SubjectAltName } from "./extensions";
import type { InspectedPublicKey } from "./key-algorithms";
import { formatName, formatSubject, SubjectFields, subjectToNameDer } from "./names";
import { toPem } from "./pem";
import {
  BACKDATE_MS,
  CertificatePurpose,
  DEFAULT_ISSUING_LIFETIME_DAYS,
  DEFAULT_ROOT_LIFETIME_DAYS,
  issuingCaProfile,
  leafProfile,
  ProfileOptions,
  rootCaProfile,
} from "./profiles";
import { randomSerialHex } from "./serial";
import { encodeSigned } from "./signed-envelope";
import type { Signer } from "./signer";

const DAY_MS = 24 * 60 * 60 * 1000;

/** A certificate the CA made, with what callers store and return. */
export interface IssuedCertificate {
  readonly der: Uint8Array;
  readonly pem: string;
  readonly serialHex: string;
  readonly subject: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
}

/** Options for a CA certificate (root or issuing). */
export interface CaCertificateOptions {
  readonly subject: SubjectFields;
  /** Lifetime in days; default 20 years for the root, 10 for the issuing CA. */
  readonly lifetimeDays?: number;
  /** Policy OIDs, and for the issuing CA the root's CRL and certificate URLs. */
  readonly profile?: ProfileOptions;
  /** Issue time; default now. */
  readonly now?: Date;
}

function issued(der: Uint8Array, serialHex: string, subject: SubjectFields, notBefore: Date, notAfter: Date): IssuedCertificate {
  return { der, pem: toPem(der, "CERTIFICATE"), serialHex, subject: formatSubject(subject), notBefore: truncateMs(notBefore), notAfter: truncateMs(notAfter) };
}

function truncateMs(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 1000) * 1000);
}

function checkedLifetime(days: number, field: string): number {
  if (!Number.isInteger(days) || days < 1 || days > 36525) {
    throw new PkiError("LIFETIME_OUT_OF_RANGE", `${field} must be a whole number of days from 1 to 36525; got ${days}`, field);
  }
  return days;
}

/** Creates the self-signed root certificate for `rootSigner`'s key. */
export async function createRootCertificate(rootSigner: Signer, options: CaCertificateOptions): Promise<IssuedCertificate> {
  const key = await rootSigner.publicKey();
  const now = options.now ?? new Date();
  const lifetimeDays = checkedLifetime(options.lifetimeDays ?? DEFAULT_ROOT_LIFETIME_DAYS, "rootLifetimeDays");
  const name = subjectToNameDer(options.subject);
  const serialHex = randomSerialHex();
  const notBefore = new Date(now.getTime() - BACKDATE_MS);
  const notAfter = new Date(now.getTime() + lifetimeDays * DAY_MS);
  const extensions = [...profileExtensions(rootCaProfile(options.profile), key.keyIdentifier), ...subjectExtensions(key.keyIdentifier, [], false)];
  const der = await signCertificate({ serialHex, issuerDer: name, subjectDer: name, notBefore, notAfter, subjectPublicKeyInfo: key.spkiDer, extensions }, rootSigner);
  return issued(der, serialHex, options.subject, notBefore, notAfter);
}

/** Creates the issuing CA certificate for `issuingKey`, signed by the root. */
export async function createIssuingCertificate(root: CaIdentity, issuingKey: InspectedPublicKey, options: CaCertificateOptions): Promise<IssuedCertificate> {
  const lifetimeDays = checkedLifetime(options.lifetimeDays ?? DEFAULT_ISSUING_LIFETIME_DAYS, "issuingLifetimeDays");
  return root.sign({
    subject: options.subject,
    publicKey: issuingKey,
    sans: [],
    lifetimeDays,
    extensions: profileExtensions(issuingCaProfile(options.profile), root.keyIdentifier),
    now: options.now,
  });
}

/** What a leaf certificate is issued from, once a request has passed policy. */
export interface LeafOrder {
  readonly subject: SubjectFields;
  readonly sans: readonly SubjectAltName[];
  readonly purposes: readonly CertificatePurpose[];
  readonly lifetimeDays: number;
  readonly publicKey: InspectedPublicKey;
}

/**
 * A CA key together with its certificate. It issues leaves (and the issuing CA, for the root),
 * encoding once what every certificate it signs shares: a template per purpose set and key type
 * holding its name, signature algorithm and the profile's extensions. Each certificate costs one
 * signature.
 */
export class CaIdentity {
  private readonly templates = new Map<string, CertificateTemplate>();

  private constructor(
    readonly signer: Signer,
    readonly certificateDer: Uint8Array,
    /** DER of the CA's own name: the issuer of everything it signs. */
    readonly nameDer: Uint8Array,
    readonly keyIdentifier: Uint8Array,
    readonly notAfter: Date,
    private readonly profileOptions: ProfileOptions,
    private readonly signatureAlgorithm: SignatureAlgorithm,
  ) {}

  /**
   * Pairs a signer with its certificate; refuses a certificate whose public key is not the
   * signer's (everything it signed would fail to verify).
   */
  static async create(signer: Signer, certificateDer: Uint8Array, profileOptions: ProfileOptions = {}): Promise<CaIdentity> {
    let certificate: Certificate;
    try {
      certificate = AsnConvert.parse(certificateDer, Certificate);
    } catch (error) {
      throw new PkiError("CHAIN_INVALID", `CA certificate cannot be read: ${(error as Error).message}`, "certificate");
    }
    const key = await signer.publicKey();
    const certificateSpki = new Uint8Array(AsnConvert.serialize(certificate.tbsCertificate.subjectPublicKeyInfo));
    if (!Buffer.from(certificateSpki).equals(Buffer.from(key.spkiDer))) {
      throw new PkiError("CHAIN_INVALID", `the CA certificate ${formatName(certificate.tbsCertificate.subject)} does not hold the signer's public key`, "certificate");
    }
    const notAfter = certificate.tbsCertificate.validity.notAfter.getTime();
    const nameDer = new Uint8Array(AsnConvert.serialize(certificate.tbsCertificate.subject));
    return new CaIdentity(signer, certificateDer, nameDer, key.keyIdentifier, notAfter, profileOptions, await signatureAlgorithmOf(signer));
  }

  /** The CA certificate as PEM. */
  get certificatePem(): string {
    return toPem(this.certificateDer, "CERTIFICATE");
  }

  /** Issues a leaf certificate for an order that passed policy (see `validateIssueRequest`). */
  async issueLeaf(order: LeafOrder, now: Date = new Date()): Promise<IssuedCertificate> {
    const cacheKey = `${[...order.purposes].sort().join("+")}/${order.publicKey.algorithm.kind}`;
    let template = this.templates.get(cacheKey);
    if (!template) {
      template = this.template(profileExtensions(leafProfile(order.purposes, order.publicKey.algorithm, this.profileOptions), this.keyIdentifier));
      this.templates.set(cacheKey, template);
    }
    return this.signWith(template, { ...order, now });
  }

  /** Signs a certificate for `publicKey` with the given profile extensions; SKI and SANs are added here. */
  async sign(request: {
    subject: SubjectFields;
    publicKey: InspectedPublicKey;
    sans: readonly SubjectAltName[];
    lifetimeDays: number;
    extensions: readonly Uint8Array[];
    now?: Date;
  }): Promise<IssuedCertificate> {
    return this.signWith(this.template(request.extensions), request);
  }

  private template(extensions: readonly Uint8Array[]): CertificateTemplate {
    return new CertificateTemplate(this.signatureAlgorithm.der, this.nameDer, extensions);
  }

  private async signWith(
    template: CertificateTemplate,
    request: { subject: SubjectFields; publicKey: InspectedPublicKey; sans: readonly SubjectAltName[]; lifetimeDays: number; now?: Date },
  ): Promise<IssuedCertificate> {
    const now = request.now ?? new Date();
    const notBefore = new Date(now.getTime() - BACKDATE_MS);
    const notAfter = new Date(now.getTime() + request.lifetimeDays * DAY_MS);
    if (notAfter.getTime() > this.notAfter.getTime()) {
      throw new PkiError(
        "LIFETIME_EXCEEDS_ISSUER",
        `lifetimeDays ${request.lifetimeDays} would end on ${notAfter.toISOString()}, after the issuer ${formatName(this.nameDer)} expires on ${this.notAfter.toISOString()}; ask for a shorter lifetime`,
        "lifetimeDays",
      );
    }
    const subject = subjectToNameDer(request.subject);
    const serialHex = randomSerialHex();
    const subjectIsEmpty = Object.keys(request.subject).length === 0;
    const extensions = subjectExtensions(request.publicKey.keyIdentifier, request.sans, subjectIsEmpty);
    const tbs = template.encode(serialHex, notBefore, notAfter, subject, request.publicKey.spkiDer, extensions);
    const der = encodeSigned(tbs, this.signatureAlgorithm.der, await this.signer.sign(tbs));
    return issued(der, serialHex, request.subject, notBefore, notAfter);
  }
}
