import {
  AuthorityKeyIdentifier,
  CRLReason,
  CRLReasons,
  id_ce_authorityKeyIdentifier,
  id_ce_cRLReasons,
  KeyIdentifier,
} from "@peculiar/asn1-x509";
import { signatureAlgorithmOf } from "./certificate";
import type { CaIdentity } from "./ca";
import { encodeElement, encodeTime, encodeUnsignedInteger, headerLength, TAG, timeLength, writeHeader, writeTime } from "./der";
import { PkiError } from "./errors";
import { encodeExtension } from "./extensions";
import { toPem } from "./pem";
import { serialIntegerHex } from "./serial";
import { encodeSigned } from "./signed-envelope";

/**
 * RFC 5280 §5.3.1 reason codes a full CRL may carry, by name (7 is unused). removeFromCRL (8) is
 * left out: it belongs only in delta CRLs, and in a full CRL openssl reads it as "not revoked".
 */
export const REVOCATION_REASONS = {
  unspecified: CRLReasons.unspecified,
  keyCompromise: CRLReasons.keyCompromise,
  cACompromise: CRLReasons.cACompromise,
  affiliationChanged: CRLReasons.affiliationChanged,
  superseded: CRLReasons.superseded,
  cessationOfOperation: CRLReasons.cessationOfOperation,
  certificateHold: CRLReasons.certificateHold,
  privilegeWithdrawn: CRLReasons.privilegeWithdrawn,
  aACompromise: CRLReasons.aACompromise,
} as const;

export type RevocationReason = keyof typeof REVOCATION_REASONS;
export const REVOCATION_REASON_NAMES = Object.keys(REVOCATION_REASONS) as RevocationReason[];

/** Parses a reason name given by a user or a request (own names only: not "constructor" or "__proto__"). */
export function parseRevocationReason(value: unknown, field = "reason"): RevocationReason {
  if (value === undefined) return "unspecified";
  if (typeof value === "string" && Object.hasOwn(REVOCATION_REASONS, value)) return value as RevocationReason;
  const why = value === "removeFromCRL" ? "removeFromCRL un-revokes a certificate in a delta CRL and has no place in the full CRLs this CA publishes" : `got ${JSON.stringify(value)}`;
  throw new PkiError("REASON_UNKNOWN", `${field} must be one of ${REVOCATION_REASON_NAMES.join(", ")}; ${why}`, field);
}

/** One revoked certificate. */
export interface RevokedEntry {
  readonly serialHex: string;
  readonly revokedAt: Date;
  readonly reason: RevocationReason;
  /** When the certificate expires: once past, the entry is pruned from new CRLs. */
  readonly notAfter: Date;
}

/** What goes into one CRL. */
export interface CrlParams {
  /** Monotonically increasing CRL number: up to 20 octets (RFC 5280 §5.2.3), so a bigint is taken too. */
  readonly crlNumber: number | bigint;
  readonly thisUpdate: Date;
  readonly nextUpdate: Date;
  readonly entries: readonly RevokedEntry[];
}

/** A signed CRL and what was left out of it. */
export interface BuiltCrl {
  readonly der: Uint8Array;
  readonly pem: string;
  readonly listed: number;
  /** Entries left out because the certificate had expired by thisUpdate. */
  readonly pruned: number;
}

/** Entries still worth listing at `at`: an expired certificate fails validation anyway (RFC 5280 §3.3). */
export function pruneExpired(entries: readonly RevokedEntry[], at: Date): RevokedEntry[] {
  return entries.filter((e) => e.notAfter.getTime() >= at.getTime());
}

// The crlEntryExtensions of each reason (a SEQUENCE holding the reasonCode extension), encoded
// once by asn1-x509; `unspecified` has none (RFC 5280 §5.3.1).
const REASON_EXTENSIONS = new Map<string, Uint8Array | undefined>(
  REVOCATION_REASON_NAMES.map((name) => [
    name,
    name === "unspecified" ? undefined : encodeElement(TAG.SEQUENCE, encodeExtension(id_ce_cRLReasons, false, new CRLReason(REVOCATION_REASONS[name]))),
  ]),
);

const CRL_NUMBER_OID = Uint8Array.from([0x06, 0x03, 0x55, 0x1d, 0x14]); // 2.5.29.20
const VERSION_2 = Uint8Array.from([TAG.INTEGER, 0x01, 0x01]);
const MAX_CRL_NUMBER = (1n << 159n) - 1n; // 20 octets, positive

function checkedCrlNumber(value: number | bigint): bigint {
  const number = typeof value === "bigint" ? value : Number.isSafeInteger(value) ? BigInt(value) : -1n;
  if (number < 0n || number > MAX_CRL_NUMBER) {
    throw new PkiError("REQUEST_INVALID", `crlNumber must be a non-negative integer of at most 20 octets; got ${String(value)}`, "crlNumber");
  }
  return number;
}

// Times RFC 5280 CRLs can carry: UTCTime from 1950, GeneralizedTime to 9999.
function isEncodableDate(date: unknown): date is Date {
  const year = date instanceof Date ? date.getUTCFullYear() : Number.NaN;
  return year >= 1950 && year <= 9999;
}

/** One entry's serial (INTEGER content hex), reason extensions and content length. */
interface EncodedEntry {
  readonly serial: string;
  readonly extensions: Uint8Array | undefined;
  readonly length: number;
}

/** Checks an entry and works out its encoding's pieces; refusals name `entries[i]`. */
function encodedEntry(entry: RevokedEntry, index: number): EncodedEntry {
  const field = `entries[${index}]`;
  if (!REASON_EXTENSIONS.has(entry.reason)) {
    throw new PkiError("REASON_UNKNOWN", `${field}.reason must be one of ${[...REASON_EXTENSIONS.keys()].join(", ")}; got ${JSON.stringify(entry.reason)}`, `${field}.reason`);
  }
  if (!isEncodableDate(entry.revokedAt)) throw new PkiError("REQUEST_INVALID", `${field}.revokedAt must be a valid date between 1950 and 9999`, `${field}.revokedAt`);
  const serial = serialIntegerHex(entry.serialHex, `${field}.serialHex`);
  const extensions = REASON_EXTENSIONS.get(entry.reason);
  return { serial, extensions, length: 2 + serial.length / 2 + timeLength(entry.revokedAt) + (extensions ? extensions.byteLength : 0) };
}

/**
 * Writes one revokedCertificates entry, `SEQUENCE { userCertificate INTEGER, revocationDate Time,
 * crlEntryExtensions OPTIONAL }`, at `offset`; returns the offset after it. Same bytes as
 * asn1-x509's RevokedCertificate (a test pins it), without an object per entry.
 */
function writeEntry(out: Buffer, offset: number, encoded: EncodedEntry, revokedAt: Date): number {
  offset = writeHeader(out, offset, TAG.SEQUENCE, encoded.length);
  out[offset++] = TAG.INTEGER;
  out[offset++] = encoded.serial.length / 2;
  offset += out.write(encoded.serial, offset, "hex");
  offset = writeTime(out, offset, revokedAt);
  if (encoded.extensions) {
    out.set(encoded.extensions, offset);
    offset += encoded.extensions.byteLength;
  }
  return offset;
}

/**
 * Builds and signs a v2 CRL for `issuer`: CRL number and AKI extensions, one entry per revoked
 * certificate that has not yet expired, with its reason code. One signature per CRL. The DER is
 * written directly into one buffer (100,000 entries in tens of milliseconds); a test pins it
 * byte for byte to @peculiar/asn1-x509's CertificateList encoding.
 */
export async function buildCrl(issuer: CaIdentity, params: CrlParams): Promise<BuiltCrl> {
  const crlNumber = checkedCrlNumber(params.crlNumber);
  for (const field of ["thisUpdate", "nextUpdate"] as const) {
    if (!isEncodableDate(params[field])) throw new PkiError("REQUEST_INVALID", `${field} must be a valid date between 1950 and 9999`, field);
  }
  if (params.nextUpdate.getTime() <= params.thisUpdate.getTime()) {
    throw new PkiError("REQUEST_INVALID", "nextUpdate must be after thisUpdate", "nextUpdate");
  }
  const listed = pruneExpired(params.entries, params.thisUpdate);
  const encoded = listed.map(encodedEntry);
  let entriesLength = 0;
  for (const entry of encoded) entriesLength += headerLength(entry.length) + entry.length;
  const algorithm = await signatureAlgorithmOf(issuer.signer);
  const crlExtensions = encodeElement(
    0xa0,
    encodeElement(
      TAG.SEQUENCE,
      encodeExtension(id_ce_authorityKeyIdentifier, false, new AuthorityKeyIdentifier({ keyIdentifier: new KeyIdentifier(Uint8Array.from(issuer.keyIdentifier)) })),
      encodeElement(TAG.SEQUENCE, CRL_NUMBER_OID, encodeElement(TAG.OCTET_STRING, encodeUnsignedInteger(crlNumber))),
    ),
  );
  const head = [VERSION_2, algorithm.der, issuer.nameDer, encodeTime(params.thisUpdate), encodeTime(params.nextUpdate)];
  let length = crlExtensions.byteLength;
  for (const part of head) length += part.byteLength;
  // RFC 5280 §5.1.2.6: with no revoked certificates the list is absent, not empty.
  if (listed.length > 0) length += headerLength(entriesLength) + entriesLength;
  const tbs = Buffer.allocUnsafeSlow(headerLength(length) + length);
  let offset = writeHeader(tbs, 0, TAG.SEQUENCE, length);
  for (const part of head) {
    tbs.set(part, offset);
    offset += part.byteLength;
  }
  if (listed.length > 0) {
    offset = writeHeader(tbs, offset, TAG.SEQUENCE, entriesLength);
    for (let i = 0; i < listed.length; i++) offset = writeEntry(tbs, offset, encoded[i]!, listed[i]!.revokedAt);
  }
  tbs.set(crlExtensions, offset);
  const tbsDer = new Uint8Array(tbs.buffer, tbs.byteOffset, tbs.byteLength);
  const der = encodeSigned(tbsDer, algorithm.der, await issuer.signer.sign(tbsDer));
  return { der, pem: toPem(der, "X509 CRL"), listed: listed.length, pruned: params.entries.length - listed.length };
}
