import { generateKeyPairSync } from "node:crypto";
import { AsnConvert } from "@peculiar/asn1-schema";
import { Certificate, id_ce_subjectAltName, SubjectAlternativeName } from "@peculiar/asn1-x509";
import fc from "fast-check";
import type { CaIdentity } from "../../pki/ca";
import { createCsr } from "../../pki/csr";
import { isPkiError } from "../../pki/errors";
import { IssuancePolicy, validateIssueRequest } from "../../pki/issuance-policy";
import { generatePrivateKey } from "../../pki/local-signer";
import { readPemBlocks, toPem } from "../../pki/pem";
import {
  ATTRIBUTE_OIDS as A,
  bmp,
  certificationRequestInfo,
  extension,
  extensionRequest,
  generalName,
  name,
  OID,
  seq,
  signedCsr,
  tlv,
  TAGS,
  universal,
} from "./der-builder";

/** Code points no certified name may hold: controls, format, private use, surrogates, line/paragraph separators. */
export const FORBIDDEN_CODE_POINT = /[\p{Cc}\p{Cf}\p{Co}\p{Cs}\p{Zl}\p{Zp}]/u;

/** Names a CA must not certify, to steer generation towards them. */
const HOSTILE = ["\u202E", "\u202D", "\u200B", "\u200D", "\uFEFF", "\u0000", "\u0007", "\u001B", "\u007F", "\u0085", "\u009B", "\uD800", "\uDFFF", "\uE000", "\u{F0000}", "\u2028", "\u2029", "\u061C", "\u00AD"];
const PLAIN = [..."CloudFront-. 9aZ"];

/** A policy that lets every name through, so only the parser and name checks can refuse. */
export const ANY_NAME_POLICY: IssuancePolicy = {
  maxLifetimeDays: 365,
  defaultLifetimeDays: 90,
  names: {
    client_auth: { commonNames: ["*"], organizationalUnits: ["*"], dnsNames: ["*"], ipAddresses: ["*"] },
    server_auth: { commonNames: ["*"], organizationalUnits: ["*"], dnsNames: ["*"], ipAddresses: ["*"] },
  },
};

/** What one fuzz run saw. */
export interface FuzzTally {
  tried: number;
  accepted: number;
  refused: Record<string, number>;
  /** Outcomes per kind of input: `accepted` or the refusal code, with counts. */
  byKind: Record<string, Record<string, number>>;
  /** Anything thrown that is not a PkiError: each would be a Lambda error in ca-issuer. */
  crashed: Array<{ kind: string; error: string }>;
  /** Accepted requests whose certificate names hold a forbidden code point or differ from what was checked. */
  certifiedForbidden: Array<{ kind: string; detail: string }>;
}

const hostileText = fc.string({
  unit: fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...PLAIN) }, { weight: 1, arbitrary: fc.constantFrom(...HOSTILE) }, { weight: 1, arbitrary: fc.string({ unit: "binary", minLength: 1, maxLength: 1 }) }),
  minLength: 1,
  maxLength: 24,
});

/** Mostly ordinary text with the odd hostile code point: requests that nearly pass. */
const nearlyPlainText = fc.string({
  unit: fc.oneof({ weight: 30, arbitrary: fc.constantFrom(...PLAIN) }, { weight: 1, arbitrary: fc.constantFrom(...HOSTILE) }, { weight: 1, arbitrary: fc.string({ unit: "binary", minLength: 1, maxLength: 1 }) }),
  minLength: 1,
  maxLength: 20,
});

const randomBytes = (max: number) => fc.uint8Array({ minLength: 0, maxLength: max });

/** One attribute value: a string in one of the ASN.1 string types, or something that is not a string at all. */
const attributeValue: fc.Arbitrary<Uint8Array> = fc.oneof(
  hostileText.map((t) => tlv(TAGS.utf8, Buffer.from(t, "utf8"))),
  hostileText.map((t) => bmp(t)),
  hostileText.map((t) => universal([...t].map((c) => c.codePointAt(0)!))),
  fc.array(fc.nat(), { minLength: 1, maxLength: 8 }).map((values) => universal(values)),
  hostileText.map((t) => tlv(TAGS.printable, Buffer.from(t, "latin1"))),
  hostileText.map((t) => tlv(TAGS.ia5, Buffer.from(t, "latin1"))),
  hostileText.map((t) => tlv(TAGS.teletex, Buffer.from(t, "latin1"))),
  fc.tuple(fc.constantFrom(TAGS.utf8, TAGS.bmp, TAGS.universal, TAGS.printable, TAGS.integer, TAGS.octets, TAGS.null, TAGS.boolean, TAGS.sequence, 0x2c, 0x80, 0xa0), randomBytes(12)).map(([tag, body]) => tlv(tag, body)),
);

const subjectDer = fc
  .array(fc.tuple(fc.constantFrom(A.CN, A.CN, A.O, A.OU, A.C, A.L, A.ST, A.emailAddress, "2.5.4.99"), attributeValue), { minLength: 0, maxLength: 4 })
  .map((attributes) => name(...attributes));

const sanName: fc.Arbitrary<Uint8Array> = fc.oneof(
  hostileText.map((t) => generalName.dns(Buffer.from(t, "utf8"))),
  fc.constantFrom("a.example.com", "b.example.com", "*.example.com").map((t) => generalName.dns(t)),
  fc.oneof(fc.uint8Array({ minLength: 4, maxLength: 4 }), fc.uint8Array({ minLength: 16, maxLength: 16 }), randomBytes(20)).map((b) => generalName.ip(b)),
  hostileText.map((t) => generalName.email(t)),
  hostileText.map((t) => generalName.uri(t)),
  fc.tuple(fc.constantFrom(0x80, 0xa0, 0xa4, 0x88, 0x30), randomBytes(10)).map(([tag, body]) => tlv(tag, body)),
);

const requestedExtension: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.array(sanName, { minLength: 0, maxLength: 3 }).map((names) => extension(OID.subjectAltName, seq(...names))),
  randomBytes(16).map((b) => extension(OID.subjectAltName, b)),
  fc.constantFrom(seq(), seq(Buffer.from([0x01, 0x01, 0xff])), seq(Buffer.from([0x01, 0x01, 0x00]))).map((v) => extension(OID.basicConstraints, v)),
  randomBytes(8).map((b) => extension(OID.basicConstraints, b)),
  randomBytes(8).map((b) => extension(OID.keyUsage, b, true)),
);

/** A CN and OU in UTF8String or BMPString, and DNS/IP SANs: each can fail only on what it holds. */
const plausibleRequest = fc
  .tuple(
    nearlyPlainText,
    fc.option(nearlyPlainText, { nil: undefined }),
    fc.boolean(),
    fc.array(fc.oneof(nearlyPlainText.map((t) => generalName.dns(Buffer.from(t.toLowerCase().replace(/ /g, "-") + ".example.com", "utf8"))), fc.oneof(fc.uint8Array({ minLength: 4, maxLength: 4 }), fc.uint8Array({ minLength: 16, maxLength: 16 })).map((b) => generalName.ip(b))), { maxLength: 3 }),
  )
  .map(([commonName, unit, asBmp, sans]) => {
    const encode = (t: string) => (asBmp ? bmp(t) : tlv(TAGS.utf8, Buffer.from(t, "utf8")));
    const subject = name([A.CN, encode(commonName)], ...(unit === undefined ? [] : [[A.OU, encode(unit)] as [string, Uint8Array]]));
    return { subject, attributes: sans.length > 0 ? [extensionRequest(extension(OID.subjectAltName, seq(...sans)))] : [] };
  });

const attributes = fc.oneof(
  fc.constant<Uint8Array[]>([]),
  fc.array(requestedExtension, { minLength: 1, maxLength: 3 }).map((extensions) => [extensionRequest(...extensions)]),
  randomBytes(20).map((b) => [seq(tlv(0x06, Buffer.from([0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x0e])), tlv(0x31, b))]),
);

/** Mutations of a valid CSR's bytes: flips, overwrites, insertions, deletions, truncation. */
function mutations(seed: Uint8Array): fc.Arbitrary<Uint8Array> {
  const op = fc.oneof(
    fc.tuple(fc.constant("flip"), fc.nat(seed.length - 1), fc.integer({ min: 1, max: 255 })),
    fc.tuple(fc.constant("insert"), fc.nat(seed.length - 1), fc.integer({ min: 0, max: 255 })),
    fc.tuple(fc.constant("delete"), fc.nat(seed.length - 1), fc.integer({ min: 1, max: 8 })),
    fc.tuple(fc.constant("truncate"), fc.nat(seed.length - 1), fc.constant(0)),
  );
  return fc.array(op, { minLength: 1, maxLength: 4 }).map((ops) => {
    let bytes = Buffer.from(seed);
    for (const [kind, at, value] of ops) {
      const i = Math.min(at, Math.max(bytes.length - 1, 0));
      if (kind === "flip") bytes[i] ^= value;
      else if (kind === "insert") bytes = Buffer.concat([bytes.subarray(0, i), Buffer.from([value]), bytes.subarray(i)]);
      else if (kind === "delete") bytes = Buffer.concat([bytes.subarray(0, i), bytes.subarray(i + value)]);
      else bytes = bytes.subarray(0, i);
    }
    return new Uint8Array(bytes);
  });
}

/** The subject values and DNS names our certificate carries, as strings. */
function certifiedNames(certificateDer: Uint8Array): { subject: string[]; dnsNames: string[] } {
  const cert = AsnConvert.parse(certificateDer, Certificate);
  const subject = cert.tbsCertificate.subject.flatMap((rdn) => rdn.map((tv) => tv.value.utf8String ?? tv.value.printableString ?? `<not a string: ${tv.value.toString()}>`));
  const san = cert.tbsCertificate.extensions?.find((e) => e.extnID === id_ce_subjectAltName);
  const dnsNames = san ? AsnConvert.parse(san.extnValue, SubjectAlternativeName).flatMap((n) => (n.dNSName === undefined ? [] : [n.dNSName])) : [];
  return { subject, dnsNames };
}

/**
 * Runs `runs` cases of each kind (random bytes, mutated valid CSRs, re-signed CSRs with random
 * subjects and extensions) through the CA's request check, issues what passes, and tallies the
 * outcome. Deterministic for a seed.
 */
export function runCsrFuzz(ca: CaIdentity, options: { seed: number; runs: number }): Promise<FuzzTally> {
  const tally: FuzzTally = { tried: 0, accepted: 0, refused: {}, byKind: {}, crashed: [], certifiedForbidden: [] };
  const count = (kind: string, outcome: string) => {
    const counts = (tally.byKind[kind] ??= {});
    counts[outcome] = (counts[outcome] ?? 0) + 1;
  };
  const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const spki = new Uint8Array(publicKey.export({ format: "der", type: "spki" }));
  const validPem = createCsr(generatePrivateKey("ecdsa-p256"), { commonName: "CloudFront", organizationalUnit: "CloudFront" }, [{ type: "dns", value: "edge.example.com" }, { type: "ip", value: "10.1.2.3" }]);
  const validDer = readPemBlocks(validPem, "csr")[0]!.der;
  const rsaDer = readPemBlocks(createCsr(generatePrivateKey("rsa-2048"), { commonName: "user-1" }), "csr")[0]!.der;

  const check = async (kind: string, csrPem: string): Promise<void> => {
    tally.tried++;
    let order;
    try {
      order = validateIssueRequest({ csrPem, purposes: ["client_auth"] }, ANY_NAME_POLICY).order;
    } catch (error) {
      if (isPkiError(error)) tally.refused[error.code] = (tally.refused[error.code] ?? 0) + 1;
      else tally.crashed.push({ kind, error: `${(error as Error)?.name}: ${(error as Error)?.message}` });
      count(kind, isPkiError(error) ? error.code : "crashed");
      return;
    }
    tally.accepted++;
    count(kind, "accepted");
    try {
      const certificate = await ca.issueLeaf(order);
      const names = [...Object.values(order.subject), ...order.sans.map((s) => s.value)];
      const forbidden = names.find((n) => FORBIDDEN_CODE_POINT.test(n!));
      if (forbidden !== undefined) tally.certifiedForbidden.push({ kind, detail: `checked name ${JSON.stringify(forbidden)}` });
      const certified = certifiedNames(certificate.der);
      const checked = { subject: Object.values(order.subject).sort(), dnsNames: order.sans.filter((s) => s.type === "dns").map((s) => s.value) };
      const got = { subject: certified.subject.sort(), dnsNames: certified.dnsNames };
      if (JSON.stringify(checked) !== JSON.stringify(got)) tally.certifiedForbidden.push({ kind, detail: `checked ${JSON.stringify(checked)}, certified ${JSON.stringify(got)}` });
      const bad = [...got.subject, ...got.dnsNames].find((n) => n.startsWith("<not a string") || FORBIDDEN_CODE_POINT.test(n));
      if (bad !== undefined) tally.certifiedForbidden.push({ kind, detail: `certified ${JSON.stringify(bad)}` });
    } catch (error) {
      if (isPkiError(error)) tally.refused[error.code] = (tally.refused[error.code] ?? 0) + 1;
      else tally.crashed.push({ kind: `${kind} (issuing)`, error: `${(error as Error)?.name}: ${(error as Error)?.message}` });
    }
  };

  const property = <T>(kind: string, arbitrary: fc.Arbitrary<T>, toPemText: (value: T) => string) =>
    fc.assert(
      fc.asyncProperty(arbitrary, async (value) => {
        await check(kind, toPemText(value));
      }),
      { seed: options.seed, numRuns: options.runs },
    );

  return (async () => {
    await property("random bytes", randomBytes(600), (b) => toPem(b, "CERTIFICATE REQUEST"));
    await property("random text", fc.string({ unit: "binary", maxLength: 300 }), (t) => t);
    await property("mutated EC CSR", mutations(validDer), (b) => toPem(b, "CERTIFICATE REQUEST"));
    await property("mutated RSA CSR", mutations(rsaDer), (b) => toPem(b, "CERTIFICATE REQUEST"));
    await property("re-signed random subject and extensions", fc.tuple(subjectDer, attributes), ([subject, attrs]) =>
      toPem(signedCsr(certificationRequestInfo(subject, spki, attrs), { key: privateKey, algorithmOid: OID.ecdsaWithSha256 }), "CERTIFICATE REQUEST"),
    );
    await property("re-signed plausible subject and SANs", plausibleRequest, ({ subject, attributes: attrs }) =>
      toPem(signedCsr(certificationRequestInfo(subject, spki, attrs), { key: privateKey, algorithmOid: OID.ecdsaWithSha256 }), "CERTIFICATE REQUEST"),
    );
    return tally;
  })();
}
