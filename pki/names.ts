import { AsnConvert } from "@peculiar/asn1-schema";
import { Name as AsnName } from "@peculiar/asn1-x509";
import { encodeElement, TAG } from "./der";
import { PkiError } from "./errors";

const UTF8_STRING = 0x0c;
const PRINTABLE_STRING = 0x13;
// X.680 §41.4 PrintableString characters; a UTF8String needs well-formed UTF-16 (no lone surrogate).
const PRINTABLE = /^[A-Za-z0-9 '()+,\-./:=?]*$/;
const WELL_FORMED = /^\P{Cs}*$/u;

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
 * Checks subject fields (known keys, string values, RFC 5280 upper bounds, no control characters,
 * a two-letter country) and returns them without empty entries. `field` prefixes error fields.
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
    const trimmed = value.trim();
    if (trimmed === "") continue;
    if (trimmed.length > attribute.max) {
      throw new PkiError("SUBJECT_INVALID", `${field}.${key} is ${trimmed.length} characters; at most ${attribute.max} are allowed`, `${field}.${key}`);
    }
    if (/[\u0000-\u001f\u007f]/.test(trimmed)) {
      throw new PkiError("SUBJECT_INVALID", `${field}.${key} contains control characters`, `${field}.${key}`);
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
    const { oid, tag } = ATTRIBUTE_ENCODINGS.get(attribute.key)!;
    if (!(tag === PRINTABLE_STRING ? PRINTABLE : WELL_FORMED).test(value)) {
      throw new PkiError("SUBJECT_INVALID", `subject.${attribute.key} cannot be encoded as a ${tag === PRINTABLE_STRING ? "PrintableString" : "UTF8String"}`, `subject.${attribute.key}`);
    }
    rdns.push(encodeElement(TAG.SET, encodeElement(TAG.SEQUENCE, oid, encodeElement(tag, Buffer.from(value, "utf8")))));
  }
  return encodeElement(TAG.SEQUENCE, ...rdns);
}

/**
 * Reads the supported attributes out of a DER Name (a CSR's subject). Anything else, or an
 * attribute given twice, is refused rather than silently dropped.
 */
export function nameToSubject(name: AsnName, field: string): SubjectFields {
  const result: Record<string, string> = {};
  for (const rdn of name) {
    for (const typeAndValue of rdn) {
      const attribute = ATTRIBUTES.find((a) => a.oid === typeAndValue.type);
      if (!attribute) {
        throw new PkiError("SUBJECT_INVALID", `${field} has attribute ${typeAndValue.type}, which the CA does not certify; use ${ATTRIBUTES.map((a) => a.short).join(", ")}`, field);
      }
      if (attribute.key in result) throw new PkiError("SUBJECT_INVALID", `${field} has ${attribute.short} more than once`, field);
      result[attribute.key] = typeAndValue.value.toString();
    }
  }
  return validateSubject(result, field);
}

/** The one-line DN of subject fields, as {@link formatName} prints the Name they encode to. */
export function formatSubject(subject: SubjectFields): string {
  return ATTRIBUTES.filter((a) => subject[a.key])
    .map((a) => `${a.short}=${escapeDnValue(subject[a.key]!)}`)
    .join(",");
}

// RFC 4514 escaping of the characters that would break the one-line form.
function escapeDnValue(value: string): string {
  return value.replace(/([,+"\\<>;=])/g, "\\$1");
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
