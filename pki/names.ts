import { AsnConvert } from "@peculiar/asn1-schema";
import { AttributeTypeAndValue, AttributeValue, Name as AsnName, RelativeDistinguishedName } from "@peculiar/asn1-x509";
import { PkiError } from "./errors";

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

/** Builds the DER Name for subject fields, in the order above (country as PrintableString, the rest UTF8String). */
export function subjectToNameDer(subject: SubjectFields): Uint8Array {
  const name = new AsnName();
  for (const attribute of ATTRIBUTES) {
    const value = subject[attribute.key];
    if (!value) continue;
    const attributeValue = new AttributeValue(attribute.short === "C" ? { printableString: value } : { utf8String: value });
    name.push(new RelativeDistinguishedName([new AttributeTypeAndValue({ type: attribute.oid, value: attributeValue })]));
  }
  return new Uint8Array(AsnConvert.serialize(name));
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
