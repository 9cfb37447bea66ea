import { AsnConvert } from "@peculiar/asn1-schema";
import { Name as AsnName } from "@peculiar/asn1-x509";
import { DerElement, DerError, encodeElement, expectElement, readElement, readOid, TAG } from "./der";
import { PkiError, PkiErrorCode } from "./errors";

const UTF8_STRING = 0x0c;
const PRINTABLE_STRING = 0x13;
// X.680 §41.4 PrintableString characters.
const PRINTABLE = /^[A-Za-z0-9 '()+,\-./:=?]*$/;

/** The subject attributes the CA puts in certificates (the how-to's set). */
export interface SubjectFields {
  readonly commonName?: string;
  readonly country?: string;
  readonly locality?: string;
  readonly state?: string;
  readonly organization?: string;
  readonly organizationalUnit?: string;
}

/**
 * Attribute order in the DN, as the prior art writes it and as API Gateway then logs it
 * (`CN=CloudFront,C=GB,L=London,O=Serverless Inc,OU=CloudFront,ST=England`).
 */
const ATTRIBUTES: ReadonlyArray<{ key: keyof SubjectFields; short: string; oid: string; max: number }> = [
  { key: "commonName", short: "CN", oid: "2.5.4.3", max: 64 },
  { key: "country", short: "C", oid: "2.5.4.6", max: 2 },
  { key: "locality", short: "L", oid: "2.5.4.7", max: 128 },
  { key: "organization", short: "O", oid: "2.5.4.10", max: 64 },
  { key: "organizationalUnit", short: "OU", oid: "2.5.4.11", max: 64 },
  { key: "state", short: "ST", oid: "2.5.4.8", max: 128 },
];

/** The names of the subject fields, for messages. */
export const SUBJECT_FIELD_NAMES = ATTRIBUTES.map((a) => a.key);

/**
 * Checks subject fields (known keys, string values, RFC 5280 upper bounds, no code point that
 * {@link checkNameCharacters} refuses, a two-letter country) and returns them without empty
 * entries. `field` prefixes error fields.
 */
export function validateSubject(subject: unknown, field = "subject"): SubjectFields {
  if (subject === null || typeof subject !== "object" || Array.isArray(subject)) {
    throw new PkiError("SUBJECT_INVALID", `${field} must be an object with any of ${SUBJECT_FIELD_NAMES.join(", ")}`, field);
  }
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(subject as Record<string, unknown>)) {
    const attribute = ATTRIBUTES.find((a) => a.key === key);
    if (!attribute) {
      throw new PkiError("SUBJECT_INVALID", `${field}.${key} is not a supported subject field; use ${SUBJECT_FIELD_NAMES.join(", ")}`, `${field}.${key}`);
    }
    if (value === undefined) continue;
    if (typeof value !== "string") throw new PkiError("SUBJECT_INVALID", `${field}.${key} must be a string`, `${field}.${key}`);
    // Before trimming: trim() drops U+FEFF and U+2028, which must be refused, not silently removed.
    checkNameCharacters(value, `${field}.${key}`, "SUBJECT_INVALID");
    const trimmed = value.trim();
    if (trimmed === "") continue;
    if (trimmed.length > attribute.max) {
      throw new PkiError("SUBJECT_INVALID", `${field}.${key} is ${trimmed.length} characters; at most ${attribute.max} are allowed`, `${field}.${key}`);
    }
    if (key === "country" && !/^[A-Z]{2}$/.test(trimmed)) {
      throw new PkiError("SUBJECT_INVALID", `${field}.country must be a two-letter ISO 3166 code in capitals, like GB; got ${JSON.stringify(trimmed)}`, `${field}.country`);
    }
    result[key] = trimmed;
  }
  return result as SubjectFields;
}

// DER of each attribute type's OID (all are 2.5.4.x), and the string type its value is written in.
const ATTRIBUTE_ENCODINGS = new Map(
  ATTRIBUTES.map((a) => [a.key, { oid: encodeElement(TAG.OID, Uint8Array.from([0x55, 0x04, Number(a.oid.split(".")[3])])), tag: a.short === "C" ? PRINTABLE_STRING : UTF8_STRING }]),
);

/**
 * Builds the DER Name for subject fields, in the order above (country as PrintableString, the rest
 * UTF8String), one attribute per RDN. Written directly, for it is encoded once per certificate:
 * the same bytes as @peculiar/asn1-x509's Name (tests pin it), several times faster.
 */
export function subjectToNameDer(subject: SubjectFields): Uint8Array {
  const rdns: Uint8Array[] = [];
  for (const attribute of ATTRIBUTES) {
    const value = subject[attribute.key];
    if (!value) continue;
    // Before the encoder: Buffer.from would silently turn a lone surrogate into U+FFFD.
    checkNameCharacters(value, `subject.${attribute.key}`, "SUBJECT_INVALID");
    const { oid, tag } = ATTRIBUTE_ENCODINGS.get(attribute.key)!;
    if (tag === PRINTABLE_STRING && !PRINTABLE.test(value)) {
      throw new PkiError("SUBJECT_INVALID", `subject.${attribute.key} cannot be encoded as a PrintableString (A–Z, a–z, 0–9, space and '()+,-./:=?)`, `subject.${attribute.key}`);
    }
    rdns.push(encodeElement(TAG.SET, encodeElement(TAG.SEQUENCE, oid, encodeElement(tag, Buffer.from(value, "utf8")))));
  }
  return encodeElement(TAG.SEQUENCE, ...rdns);
}

/**
 * Reads the supported attributes out of a DER Name (a CSR's subject), decoding each value from
 * its own bytes: UTF8String (strict UTF-8), PrintableString (its alphabet only), IA5String
 * (ASCII), BMPString (UTF-16) and UniversalString (UTF-32). Anything else — TeletexString, whose
 * T.61 characters have no single reading, or values that are not character strings at all
 * (INTEGER, OCTET STRING, SEQUENCE…) — is refused, as is an unsupported attribute or one given
 * twice, rather than certified as some other text. The Name is walked with the DER reader (it is
 * read once per request, and an ASN.1 object tree for it cost a fifth of the request path).
 */
export function nameToSubject(name: AsnName | Uint8Array | ArrayBuffer, field: string): SubjectFields {
  const der = name instanceof AsnName ? new Uint8Array(AsnConvert.serialize(name)) : name instanceof Uint8Array ? name : new Uint8Array(name);
  let attributes: { oid: string; value: DerElement }[];
  try {
    attributes = readNameAttributes(der);
  } catch (error) {
    throw new PkiError("SUBJECT_INVALID", `${field} is not a readable Name: ${(error as Error).message}`, field);
  }
  const result: Record<string, string> = {};
  for (const { oid, value } of attributes) {
    const attribute = ATTRIBUTES.find((a) => a.oid === oid);
    if (!attribute) {
      throw new PkiError("SUBJECT_INVALID", `${field} has attribute ${oid}, which the CA does not certify; use ${ATTRIBUTES.map((a) => a.short).join(", ")}`, field);
    }
    if (Object.hasOwn(result, attribute.key)) throw new PkiError("SUBJECT_INVALID", `${field} has ${attribute.short} more than once`, field);
    result[attribute.key] = decodeDirectoryString(value.tag, der.subarray(value.contentStart, value.end), `${field}.${attribute.key}`);
  }
  return validateSubject(result, field);
}

/**
 * `Name ::= SEQUENCE OF RelativeDistinguishedName`, each `SET SIZE (1..MAX) OF SEQUENCE { type
 * OBJECT IDENTIFIER, value ANY }` (X.501): every attribute's type and its value element, in order.
 */
function readNameAttributes(der: Uint8Array): { oid: string; value: DerElement }[] {
  const name = expectElement(der, 0, der.byteLength, TAG.SEQUENCE, "Name");
  if (name.end !== der.byteLength) throw new DerError("data after the Name", name.end);
  const attributes: { oid: string; value: DerElement }[] = [];
  for (let at = name.contentStart; at < name.end; ) {
    const rdn = expectElement(der, at, name.end, TAG.SET, "RelativeDistinguishedName");
    if (rdn.contentStart === rdn.end) throw new DerError("empty RelativeDistinguishedName", rdn.start);
    for (let inner = rdn.contentStart; inner < rdn.end; ) {
      const pair = expectElement(der, inner, rdn.end, TAG.SEQUENCE, "AttributeTypeAndValue");
      const type = expectElement(der, pair.contentStart, pair.end, TAG.OID, "type");
      const value = readElement(der, type.end, pair.end);
      if (value.end !== pair.end) throw new DerError("data after the attribute value", value.end);
      attributes.push({ oid: readOid(der, type, "type"), value });
      inner = pair.end;
    }
    at = rdn.end;
  }
  return attributes;
}

const STRING_TYPE_NAMES = new Map<number, string>([
  [0x0c, "UTF8String"],
  [0x13, "PrintableString"],
  [0x14, "TeletexString"],
  [0x16, "IA5String"],
  [0x1c, "UniversalString"],
  [0x1e, "BMPString"],
]);
const UNIVERSAL_TYPE_NAMES = new Map<number, string>([
  [0x01, "BOOLEAN"],
  [0x02, "INTEGER"],
  [0x03, "BIT STRING"],
  [0x04, "OCTET STRING"],
  [0x05, "NULL"],
  [0x06, "OBJECT IDENTIFIER"],
  [0x30, "SEQUENCE"],
  [0x31, "SET"],
]);
const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Decodes one attribute value (its tag and content octets) to text, or refuses it naming `field`. */
function decodeDirectoryString(tag: number, content: Uint8Array, field: string): string {
  const typeName = STRING_TYPE_NAMES.get(tag);
  const refuse = (why: string): never => {
    throw new PkiError("SUBJECT_INVALID", `${field} ${why}`, field);
  };
  if (!typeName) {
    const other = UNIVERSAL_TYPE_NAMES.get(tag) ?? `an ASN.1 value with tag 0x${tag.toString(16).padStart(2, "0")}`;
    return refuse(`is encoded as ${other}, not as a character string; use UTF8String or PrintableString`);
  }
  switch (tag) {
    case 0x0c:
      try {
        return strictUtf8.decode(content);
      } catch {
        return refuse("is a UTF8String whose bytes are not valid UTF-8");
      }
    case 0x13: {
      const text = Buffer.from(content).toString("latin1");
      if (!PRINTABLE.test(text)) return refuse(`is a PrintableString with characters outside its alphabet (A–Z, a–z, 0–9, space and '()+,-./:=?); use UTF8String`);
      return text;
    }
    case 0x16:
      if (content.some((b) => b > 0x7f)) return refuse("is an IA5String with bytes outside ASCII");
      return Buffer.from(content).toString("latin1");
    case 0x1e: {
      if (content.length % 2 !== 0) return refuse(`is a BMPString of ${content.length} bytes, not whole 2-byte characters`);
      let text = "";
      for (let i = 0; i < content.length; i += 2) text += String.fromCharCode((content[i]! << 8) | content[i + 1]!);
      return text;
    }
    case 0x1c: {
      if (content.length % 4 !== 0) return refuse(`is a UniversalString of ${content.length} bytes, not whole 4-byte characters`);
      let text = "";
      for (let i = 0; i < content.length; i += 4) {
        const codePoint = Buffer.from(content.subarray(i, i + 4)).readUInt32BE(0);
        if (codePoint > 0x10ffff) return refuse(`is a UniversalString holding 0x${codePoint.toString(16)}, which is not a Unicode code point`);
        if (codePoint >= 0xd800 && codePoint <= 0xdfff) return refuse(`contains U+${codePoint.toString(16).toUpperCase()} (a surrogate, Cs), which is not a character`);
        text += String.fromCodePoint(codePoint);
      }
      return text;
    }
    default:
      return refuse(`is a ${typeName}, whose characters (T.61) have no single reading; use UTF8String`);
  }
}

const CODE_POINT_CLASSES: ReadonlyArray<{ pattern: RegExp; what: string }> = [
  { pattern: /\p{Cc}/u, what: "a control character, Cc" },
  { pattern: /\p{Cf}/u, what: "a format character, Cf: bidi controls, zero-width characters" },
  { pattern: /\p{Co}/u, what: "a private-use code point, Co" },
  { pattern: /\p{Cs}/u, what: "a lone surrogate, Cs" },
  { pattern: /[\p{Zl}\p{Zp}]/u, what: "a line or paragraph separator" },
];
const FORBIDDEN_IN_NAMES = /[\p{Cc}\p{Cf}\p{Co}\p{Cs}\p{Zl}\p{Zp}]/u;

/**
 * Refuses a name that holds a code point a reader could be deceived by: Unicode controls (Cc, C0
 * and C1), format characters (Cf: bidi overrides such as U+202E, zero-width characters, U+FEFF),
 * private-use (Co) and lone surrogate (Cs) code points, and line/paragraph separators. The error
 * names `field`, the code point and where it is. Used for every name the CA certifies.
 */
export function checkNameCharacters(value: string, field: string, code: PkiErrorCode): void {
  if (!FORBIDDEN_IN_NAMES.test(value)) return;
  let position = 0;
  for (const character of value) {
    position++;
    const found = CODE_POINT_CLASSES.find((c) => c.pattern.test(character));
    if (!found) continue;
    const codePoint = `U+${character.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;
    throw new PkiError(code, `${field} contains ${codePoint} (${found.what}) at character ${position}; names may not hold control, format, private-use or surrogate code points`, field);
  }
}

/** The one-line DN of subject fields, as {@link formatName} prints the Name they encode to. */
export function formatSubject(subject: SubjectFields): string {
  return ATTRIBUTES.filter((a) => subject[a.key])
    .map((a) => `${a.short}=${escapeDnValue(subject[a.key]!)}`)
    .join(",");
}

// RFC 4514 escaping of the characters that would break the one-line form, and of any code point
// checkNameCharacters refuses (as `\XX` per UTF-8 octet), so a name from elsewhere cannot act on
// a terminal or hide what it says when it is shown.
function escapeDnValue(value: string): string {
  return escapeForDisplay(value.replace(/([,+"\\<>;=])/g, "\\$1"));
}

const FORBIDDEN_IN_NAMES_GLOBAL = new RegExp(FORBIDDEN_IN_NAMES.source, "gu");

/**
 * A name (or any text read from a certificate) safe to print: each control, format, private-use,
 * lone surrogate or line/paragraph separator code point written as RFC 4514 `\XX` escapes of its
 * UTF-8 octets (a lone surrogate, which has none, as `\EF\BF\BD`). Text without them is unchanged.
 */
export function escapeForDisplay(value: string): string {
  return value.replace(FORBIDDEN_IN_NAMES_GLOBAL, (character) =>
    Array.from(Buffer.from(character, "utf8"), (octet) => `\\${octet.toString(16).toUpperCase().padStart(2, "0")}`).join(""),
  );
}

/** A DN in the one-line form openssl and API Gateway print, in certificate order: `CN=a,C=GB,OU=b`. */
export function formatName(name: AsnName | Uint8Array | ArrayBuffer): string {
  const asn = name instanceof AsnName ? name : AsnConvert.parse(name, AsnName);
  return asn
    .map((rdn) =>
      rdn
        .map((tv) => {
          const short = ATTRIBUTES.find((a) => a.oid === tv.type)?.short ?? tv.type;
          return `${short}=${escapeDnValue(tv.value.toString())}`;
        })
        .join("+"),
    )
    .join(",");
}
