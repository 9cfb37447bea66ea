import { X509Certificate, verify } from "node:crypto";
import { DerElement, DerError, expectElement, readElement, readOid, readTime, readTimeMs, readUnsignedInteger, TAG } from "./der";
import { PkiError, PkiErrorCode } from "./errors";
import { SIGNATURE_ALGORITHM_HASHES } from "./key-algorithms";
import { looksLikePem, readPemBlocks } from "./pem";
import { RevokedSerials } from "./revoked-serials";
import { SERIAL_BYTES } from "./serial";

/** A CRL whose signature, issuer, freshness and number were checked. */
export interface VerifiedCrl {
  /** Revoked serials, normalised (lowercase hex, no leading zeros), with their revocation date. */
  readonly revoked: ReadonlyMap<string, Date>;
  readonly thisUpdate: Date;
  readonly nextUpdate: Date;
  /** The CRL number, exactly: RFC 5280 §5.2.3 allows 20 octets, more than a JS number holds. */
  readonly crlNumber: bigint;
}

/** What a relying party already knows about the issuer's CRLs. */
export interface CrlReadOptions {
  /**
   * The number of the last CRL accepted from this issuer. A CRL with a lower number is older and
   * is refused (CRL_ROLLBACK): a replayed CRL would un-revoke certificates. The same number is
   * accepted (the same CRL, fetched again).
   */
  readonly minCrlNumber?: bigint | number;
}

/** How early a CRL may be used before its thisUpdate, for clocks slightly behind the CA's. */
export const CRL_CLOCK_SKEW_MS = 5 * 60_000;

const OID_CRL_NUMBER = "2.5.29.20";
const OID_DELTA_CRL_INDICATOR = "2.5.29.27";
// The signature algorithms we accept, by the key type that must have made them.
const RSA_SIGNATURE_OID = /^1\.2\.840\.113549\.1\.1\./;
const ECDSA_SIGNATURE_OID = /^1\.2\.840\.10045\.4\.3\./;

function fail(code: PkiErrorCode, message: string): never {
  throw new PkiError(code, message, "crl");
}

/** The issuing CA's subject Name DER and public key, read from its certificate. */
function readIssuer(issuerCertificatePem: string): { nameDer: Uint8Array; certificate: X509Certificate } {
  try {
    const certificate = new X509Certificate(issuerCertificatePem);
    const der = new Uint8Array(certificate.raw);
    const outer = expectElement(der, 0, der.byteLength, TAG.SEQUENCE, "Certificate");
    const tbs = expectElement(der, outer.contentStart, outer.end, TAG.SEQUENCE, "tbsCertificate");
    let at = tbs.contentStart;
    if (der[at] === 0xa0) at = readElement(der, at, tbs.end).end; // [0] version
    for (let skip = 0; skip < 4; skip++) at = readElement(der, at, tbs.end).end; // serialNumber, signature, issuer, validity
    const subject = expectElement(der, at, tbs.end, TAG.SEQUENCE, "subject");
    return { nameDer: der.subarray(subject.start, subject.end), certificate };
  } catch (error) {
    throw new PkiError("CHAIN_INVALID", `the issuing CA certificate cannot be read: ${(error as Error).message}`, "issuingCaPem");
  }
}

function crlDer(crl: Uint8Array | string): Uint8Array {
  if (typeof crl !== "string" && !looksLikePem(crl)) return crl;
  const text = typeof crl === "string" ? crl : Buffer.from(crl).toString("latin1");
  let blocks;
  try {
    blocks = readPemBlocks(text, "crl");
  } catch (error) {
    fail("CRL_MALFORMED", (error as Error).message);
  }
  const crls = blocks.filter((b) => b.label === "X509 CRL");
  if (crls.length !== 1) fail("CRL_MALFORMED", `expected one "X509 CRL" PEM block; found ${blocks.map((b) => b.label).join(", ")}`);
  return crls[0]!.der;
}

/** Runs `read`, turning a DER error into CRL_MALFORMED naming `where`. */
function structure<T>(where: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof DerError) fail("CRL_MALFORMED", `${where}: ${error.message} (at byte ${error.offset})`);
    throw error;
  }
}

/**
 * Walks an Extensions SEQUENCE (RFC 5280 §4.1): each `SEQUENCE { OID, critical BOOLEAN DEFAULT
 * FALSE, OCTET STRING }`. Calls `visit` with each extension's OID content bounds, criticality and
 * extnValue element.
 */
function walkExtensions(der: Uint8Array, list: DerElement, visit: (oid: DerElement, critical: boolean, value: DerElement) => void): void {
  if (list.contentStart === list.end) throw new DerError("empty Extensions (SIZE (1..MAX))", list.start);
  for (let at = list.contentStart; at < list.end; ) {
    const extension = expectElement(der, at, list.end, TAG.SEQUENCE, "Extension");
    const oid = expectElement(der, extension.contentStart, extension.end, TAG.OID, "extnID");
    let next = readElement(der, oid.end, extension.end);
    let critical = false;
    if (next.tag === TAG.BOOLEAN) {
      if (next.end - next.contentStart !== 1) throw new DerError("critical: BOOLEAN of other than one octet", next.start);
      critical = der[next.contentStart] !== 0;
      next = readElement(der, next.end, extension.end);
    }
    if (next.tag !== TAG.OCTET_STRING) throw new DerError(`extnValue: expected OCTET STRING, found tag 0x${next.tag.toString(16)}`, next.start);
    if (next.end !== extension.end) throw new DerError("data after extnValue", next.end);
    visit(oid, critical, next);
    at = extension.end;
  }
}

function toBigInt(der: Uint8Array, start: number, end: number): bigint {
  return start === end ? 0n : BigInt("0x" + Buffer.from(der.buffer, der.byteOffset + start, end - start).toString("hex"));
}

function checkedMinimum(value: bigint | number | undefined): bigint | undefined {
  if (value === undefined) return undefined;
  if (typeof value === "bigint" && value >= 0n) return value;
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) return BigInt(value);
  throw new PkiError("REQUEST_INVALID", `minCrlNumber must be a non-negative bigint or safe integer; got ${String(value)}`, "minCrlNumber");
}

/**
 * Reads a CRL (DER or PEM) and accepts it only if it is well-formed DER, the issuing CA signed
 * it, it names that CA as its issuer, it is current at `now` (thisUpdate − 5 min ≤ now <
 * nextUpdate), it carries a CRL number no lower than `options.minCrlNumber`, and it has no
 * critical extension we do not understand (a delta CRL, a partitioned one). Refusals, each a
 * PkiError on field `crl`:
 * - CRL_MALFORMED: not DER (truncated, bad lengths or tags, trailing bytes, non-minimal or
 *   negative integers, impossible times), or the two signature algorithm fields differ;
 * - CRL_UNSUPPORTED: v1, no nextUpdate, no CRL number, an unsupported signature algorithm, a
 *   critical extension this reader cannot honour;
 * - CRL_INVALID: the signature does not verify with the issuing CA's key;
 * - CRL_WRONG_ISSUER: signed by that key but naming another issuer;
 * - CRL_NOT_YET_VALID / CRL_STALE: before its thisUpdate / at or past its nextUpdate;
 * - CRL_ROLLBACK: older than the one already accepted.
 *
 * It walks the DER directly (no object tree), so 100,000 entries read in tens of milliseconds.
 */
export function readVerifiedCrl(crl: Uint8Array | string, issuerCertificatePem: string, now: Date, options: CrlReadOptions = {}): VerifiedCrl {
  const minCrlNumber = checkedMinimum(options.minCrlNumber);
  const issuer = readIssuer(issuerCertificatePem);
  const der = crlDer(crl);

  const { tbs, algorithm, signature } = structure("CertificateList", () => readEnvelope(der));
  const { oid: algorithmOid, params } = structure("signatureAlgorithm", () => readSignatureAlgorithm(der, algorithm));
  const hash = SIGNATURE_ALGORITHM_HASHES[algorithmOid];
  const keyType = RSA_SIGNATURE_OID.test(algorithmOid) ? "rsa" : ECDSA_SIGNATURE_OID.test(algorithmOid) ? "ec" : undefined;
  const paramsOk = keyType === "ec" ? params.byteLength === 0 : params.byteLength === 0 || (params.byteLength === 2 && params[0] === TAG.NULL && params[1] === 0);
  if (!hash || !keyType || !paramsOk) fail("CRL_UNSUPPORTED", `the CRL is signed with ${algorithmOid}${paramsOk ? "" : " with unexpected parameters"}; only ECDSA and RSA PKCS#1 v1.5 with SHA-256/384/512 are accepted`);
  if (issuer.certificate.publicKey.asymmetricKeyType !== keyType) {
    fail("CRL_INVALID", `the CRL is signed with a ${keyType.toUpperCase()} algorithm, but the issuing CA's key is ${issuer.certificate.publicKey.asymmetricKeyType}: it was not signed by the issuing CA`);
  }
  let valid = false;
  try {
    valid = verify(hash, der.subarray(tbs.start, tbs.end), issuer.certificate.publicKey, der.subarray(signature.contentStart + 1, signature.end));
  } catch {
    valid = false; // e.g. an ECDSA signature that is not a DER ECDSA-Sig-Value
  }
  if (!valid) fail("CRL_INVALID", "the CRL's signature does not verify with the issuing CA's key");

  // A v1 CRL is refused before the rest of its header is read.
  if (structure("tbsCertList", () => readElement(der, tbs.contentStart, tbs.end).tag) !== TAG.INTEGER) {
    fail("CRL_UNSUPPORTED", "the CRL is version 1: it cannot carry a CRL number, so a replayed older CRL could not be told apart");
  }
  const header = structure("tbsCertList", () => readTbsHeader(der, tbs));
  if (!header.version || header.version.byteLength !== 1 || header.version[0] !== 1) fail("CRL_UNSUPPORTED", `the CRL's version field is ${Buffer.from(header.version ?? []).toString("hex")}; only v2 (1) is read`);
  if (!Buffer.from(header.innerAlgorithm).equals(der.subarray(algorithm.start, algorithm.end))) {
    fail("CRL_MALFORMED", "tbsCertList.signature differs from signatureAlgorithm (RFC 5280 §5.1.1.2 requires them identical)");
  }
  if (!Buffer.from(header.name).equals(issuer.nameDer)) fail("CRL_WRONG_ISSUER", "the CRL names another issuer than the issuing CA, although its key signed it");
  const { thisUpdate, nextUpdate } = header;
  if (!nextUpdate) fail("CRL_UNSUPPORTED", "the CRL has no nextUpdate: its freshness cannot be judged");
  if (now.getTime() < thisUpdate.getTime() - CRL_CLOCK_SKEW_MS) {
    fail("CRL_NOT_YET_VALID", `the CRL is valid from ${thisUpdate.toISOString()}, after ${now.toISOString()} (allowing ${CRL_CLOCK_SKEW_MS / 60_000} minutes of clock skew)`);
  }
  if (now.getTime() >= nextUpdate.getTime()) {
    fail("CRL_STALE", `the CRL is valid from ${thisUpdate.toISOString()} to ${nextUpdate.toISOString()}, not at ${now.toISOString()}`);
  }

  // The entries are skipped over for now: refusals on the extensions cost no walk.
  const { entries, crlNumber, unsupported } = structure("tbsCertList", () => readTbsTail(der, tbs, header.rest));
  if (unsupported) fail("CRL_UNSUPPORTED", `the CRL cannot be used: ${unsupported}`);
  if (crlNumber === undefined) fail("CRL_UNSUPPORTED", "the CRL has no CRL number (RFC 5280 §5.2.3 requires one): a replayed older CRL could not be told apart");
  if (minCrlNumber !== undefined && crlNumber < minCrlNumber) {
    fail("CRL_ROLLBACK", `the CRL is number ${crlNumber}, older than number ${minCrlNumber} already accepted: refusing to go back`);
  }
  const refuseCritical = (index: number) =>
    fail("CRL_UNSUPPORTED", `the CRL cannot be used: revokedCertificates[${index}] has a critical entry extension (an indirect CRL?), which this reader cannot honour`);
  return { revoked: entries ? readEntries(der, entries, refuseCritical).serials : new RevokedSerials(new Uint8Array(0), 0).seal(), thisUpdate, nextUpdate, crlNumber };
}

/** What a CRL says, read without verifying it (for display: never for a decision). */
export interface CrlSummary {
  /** 1 or 2 (the version field plus one). */
  readonly version: number;
  /** The issuer Name, as its DER. */
  readonly issuerDer: Uint8Array;
  readonly signatureAlgorithm: string;
  readonly thisUpdate: Date;
  readonly nextUpdate?: Date;
  /** Exactly, when the CRL has one. */
  readonly crlNumber?: bigint;
  /** Entries in revokedCertificates (a serial listed twice counts twice). */
  readonly revokedCount: number;
  /** Why {@link readVerifiedCrl} would refuse the CRL whoever signed it (v1, no nextUpdate, no number, a critical extension…), if it would. */
  readonly unsupported?: string;
}

/**
 * Reads a CRL (DER or PEM) with the same DER walk as {@link readVerifiedCrl} — every entry is
 * checked, 100,000 take milliseconds — but checks neither signature, issuer nor dates: what
 * `cert inspect` shows. Malformed DER is still refused (CRL_MALFORMED, field `crl`).
 */
export function inspectCrl(crl: Uint8Array | string): CrlSummary {
  const der = crlDer(crl);
  const { tbs, algorithm } = structure("CertificateList", () => readEnvelope(der));
  const { oid: signatureAlgorithm } = structure("signatureAlgorithm", () => readSignatureAlgorithm(der, algorithm));
  const header = structure("tbsCertList", () => readTbsHeader(der, tbs));
  const tail = structure("tbsCertList", () => readTbsTail(der, tbs, header.rest));
  const version = header.version === undefined ? 1 : header.version.byteLength === 1 && header.version[0]! < 2 ? header.version[0]! + 1 : -1;
  if (version < 0) fail("CRL_MALFORMED", `the CRL's version field is ${Buffer.from(header.version!).toString("hex")}; X.509 CRLs are v1 or v2`);
  let criticalEntry: number | undefined;
  const revokedCount = tail.entries ? readEntries(der, tail.entries, (index) => (criticalEntry ??= index)).entries : 0;
  const unsupported =
    version === 1
      ? "it is version 1"
      : !header.nextUpdate
        ? "it has no nextUpdate"
        : tail.unsupported ?? (tail.crlNumber === undefined ? "it has no CRL number" : criticalEntry !== undefined ? `revokedCertificates[${criticalEntry}] has a critical entry extension` : undefined);
  return { version, issuerDer: header.name, signatureAlgorithm, thisUpdate: header.thisUpdate, nextUpdate: header.nextUpdate, crlNumber: tail.crlNumber, revokedCount, unsupported };
}

/** `CertificateList ::= SEQUENCE { tbsCertList, signatureAlgorithm, signatureValue BIT STRING }`, nothing after it. */
function readEnvelope(der: Uint8Array): { tbs: DerElement; algorithm: DerElement; signature: DerElement } {
  const outer = expectElement(der, 0, der.byteLength, TAG.SEQUENCE, "CertificateList");
  if (outer.end !== der.byteLength) throw new DerError(`${der.byteLength - outer.end} bytes after the CRL`, outer.end);
  const tbs = expectElement(der, outer.contentStart, outer.end, TAG.SEQUENCE, "tbsCertList");
  const algorithm = expectElement(der, tbs.end, outer.end, TAG.SEQUENCE, "signatureAlgorithm");
  const signature = expectElement(der, algorithm.end, outer.end, TAG.BIT_STRING, "signatureValue");
  if (signature.end !== outer.end) throw new DerError("data after signatureValue", signature.end);
  if (signature.end === signature.contentStart || der[signature.contentStart] !== 0) throw new DerError("signatureValue: BIT STRING with unused bits", signature.start);
  return { tbs, algorithm, signature };
}

/** An AlgorithmIdentifier's OID and its parameters' bytes. */
function readSignatureAlgorithm(der: Uint8Array, algorithm: DerElement): { oid: string; params: Uint8Array } {
  const oid = expectElement(der, algorithm.contentStart, algorithm.end, TAG.OID, "algorithm");
  return { oid: readOid(der, oid, "algorithm"), params: der.subarray(oid.end, algorithm.end) };
}

/**
 * `TBSCertList ::= SEQUENCE { version INTEGER OPTIONAL, signature, issuer, thisUpdate, nextUpdate
 * OPTIONAL, revokedCertificates OPTIONAL, crlExtensions [0] OPTIONAL }` up to nextUpdate; `rest`
 * is where the entries (or the extensions) start. `version` is undefined for a v1 CRL.
 */
function readTbsHeader(der: Uint8Array, tbs: DerElement) {
  let at = tbs.contentStart;
  const first = readElement(der, at, tbs.end);
  const version = first.tag === TAG.INTEGER ? der.subarray(first.contentStart, first.end) : undefined;
  if (version) at = first.end;
  const innerAlgorithm = expectElement(der, at, tbs.end, TAG.SEQUENCE, "signature");
  const name = expectElement(der, innerAlgorithm.end, tbs.end, TAG.SEQUENCE, "issuer");
  const thisUpdateElement = readElement(der, name.end, tbs.end);
  const thisUpdate = readTime(der, thisUpdateElement, "thisUpdate");
  const nextElement = thisUpdateElement.end < tbs.end ? readElement(der, thisUpdateElement.end, tbs.end) : undefined;
  const hasNext = nextElement !== undefined && (nextElement.tag === TAG.UTC_TIME || nextElement.tag === TAG.GENERALIZED_TIME);
  return {
    version,
    innerAlgorithm: der.subarray(innerAlgorithm.start, innerAlgorithm.end),
    name: der.subarray(name.start, name.end),
    thisUpdate,
    nextUpdate: hasNext ? readTime(der, nextElement!, "nextUpdate") : undefined,
    rest: hasNext ? nextElement!.end : thisUpdateElement.end,
  };
}

/**
 * The rest of the TBSCertList from `at`: the revokedCertificates element (not walked), the CRL
 * number, and the first critical extension this reader cannot honour, if any.
 */
function readTbsTail(der: Uint8Array, tbs: DerElement, at: number): { entries?: DerElement; crlNumber?: bigint; unsupported?: string } {
  let entries: DerElement | undefined;
  let crlNumber: bigint | undefined;
  let unsupported: string | undefined;
  if (at < tbs.end && der[at] === TAG.SEQUENCE) {
    entries = readElement(der, at, tbs.end);
    at = entries.end;
  }
  if (at < tbs.end) {
    const wrapper = readElement(der, at, tbs.end);
    if (wrapper.tag !== 0xa0) throw new DerError(`crlExtensions: expected [0], found tag 0x${wrapper.tag.toString(16)}`, wrapper.start);
    if (wrapper.end !== tbs.end) throw new DerError("data after crlExtensions", wrapper.end);
    const list = expectElement(der, wrapper.contentStart, wrapper.end, TAG.SEQUENCE, "crlExtensions");
    if (list.end !== wrapper.end) throw new DerError("data after the crlExtensions SEQUENCE", list.end);
    const seen = new Set<string>();
    walkExtensions(der, list, (oidElement, critical, value) => {
      const oid = readOid(der, oidElement, "crlExtensions.extnID");
      if (seen.has(oid)) throw new DerError(`crlExtensions: ${oid} appears more than once`, oidElement.start);
      seen.add(oid);
      if (oid === OID_CRL_NUMBER) {
        const integer = expectElement(der, value.contentStart, value.end, TAG.INTEGER, "cRLNumber");
        if (integer.end !== value.end) throw new DerError("cRLNumber: data after the INTEGER", integer.end);
        const magnitude = readUnsignedInteger(der, integer, 20, "cRLNumber");
        crlNumber = toBigInt(der, magnitude.start, magnitude.end);
      } else if (critical) {
        unsupported ??= oid === OID_DELTA_CRL_INDICATOR ? "it is a delta CRL (deltaCRLIndicator), not a complete list" : `it has the critical extension ${oid}, which this reader cannot honour`;
      }
    });
  }
  return { entries, crlNumber, unsupported };
}

/**
 * revokedCertificates: `SEQUENCE OF SEQUENCE { userCertificate INTEGER, revocationDate Time,
 * crlEntryExtensions Extensions OPTIONAL }`, checked and indexed straight off the bytes (over a
 * copy of them, so the caller's buffer may change afterwards). Serials must be non-negative
 * minimal INTEGERs of at most 20 octets (a negative one would be keyed as another certificate's
 * serial). A critical entry extension (an indirect CRL's certificateIssuer) is reported to
 * `onCriticalEntryExtension`: RFC 5280 §5.3 has a relying party refuse such a CRL.
 */
function readEntries(crl: Uint8Array, list: DerElement, onCriticalEntryExtension: (index: number) => void): { serials: RevokedSerials; entries: number } {
  const der = new Uint8Array(crl.subarray(list.start, list.end)); // a copy (Buffer#slice would not be)
  const end = der.byteLength;
  // The smallest entry is 20 bytes: SEQUENCE header, a one-octet INTEGER, a UTCTime.
  const revoked = new RevokedSerials(der, Math.floor(end / 20));
  let index = 0;
  let criticalEntryExtension = false;
  const visit = (_oid: DerElement, critical: boolean) => {
    if (critical) criticalEntryExtension = true;
  };
  try {
    const outer = readElement(der, 0, end);
    for (let at = outer.contentStart; at < end; index++) {
      const entry = expectElement(der, at, end, TAG.SEQUENCE, "entry");
      const serial = expectElement(der, entry.contentStart, entry.end, TAG.INTEGER, "userCertificate");
      const magnitude = readUnsignedInteger(der, serial, SERIAL_BYTES, "userCertificate");
      const date = readElement(der, serial.end, entry.end);
      readTimeMs(der, date, "revocationDate");
      if (date.end < entry.end) {
        const extensions = expectElement(der, date.end, entry.end, TAG.SEQUENCE, "crlEntryExtensions");
        if (extensions.end !== entry.end) throw new DerError("data after crlEntryExtensions", extensions.end);
        criticalEntryExtension = false;
        walkExtensions(der, extensions, visit);
        if (criticalEntryExtension) onCriticalEntryExtension(index);
      }
      revoked.add(magnitude.start, magnitude.end, date.start);
      at = entry.end;
    }
  } catch (error) {
    if (error instanceof DerError) fail("CRL_MALFORMED", `tbsCertList.revokedCertificates[${index}]: ${error.message} (at byte ${list.start + error.offset})`);
    throw error;
  }
  return { serials: revoked.seal(), entries: index };
}
