import { strict as assert } from "node:assert";
import { createHash, createPublicKey, KeyObject, X509Certificate } from "node:crypto";
import { AsnConvert, OctetString } from "@peculiar/asn1-schema";
import {
  AccessDescription,
  AlgorithmIdentifier,
  AttributeTypeAndValue,
  AttributeValue,
  AuthorityInfoAccessSyntax,
  AuthorityKeyIdentifier,
  BasicConstraints,
  Certificate,
  CertificatePolicies,
  CRLDistributionPoints,
  DistributionPoint,
  DistributionPointName,
  ExtendedKeyUsage,
  Extension,
  Extensions,
  GeneralName,
  id_ad_caIssuers,
  id_ce_authorityKeyIdentifier,
  id_ce_basicConstraints,
  id_ce_certificatePolicies,
  id_ce_cRLDistributionPoints,
  id_ce_extKeyUsage,
  id_ce_keyUsage,
  id_ce_subjectAltName,
  id_ce_subjectKeyIdentifier,
  id_pe_authorityInfoAccess,
  KeyIdentifier,
  KeyUsage,
  KeyUsageFlags,
  Name,
  PolicyInformation,
  RelativeDistinguishedName,
  SubjectAlternativeName,
  SubjectKeyIdentifier,
  SubjectPublicKeyInfo,
  TBSCertificate,
  Validity,
  Version,
} from "@peculiar/asn1-x509";
import fc from "fast-check";
import { CaIdentity, LeafOrder } from "../../pki/ca";
import type { SubjectAltName } from "../../pki/extensions";
import { inspectPublicKey } from "../../pki/key-algorithms";
import { generatePrivateKey } from "../../pki/local-signer";
import { SubjectFields, validateSubject } from "../../pki/names";
import { CertificatePurpose, ProfileOptions } from "../../pki/profiles";
import { makeTestCa } from "../support/test-ca";

const PROFILE: ProfileOptions = { crlUrls: ["http://pki.example.com/issuing.crl"], caIssuersUrls: ["http://pki.example.com/issuing.crt"], policyOids: ["2.23.140.1.2.1", "1.3.6.1.4.1.99999.7"] };
const EKU = { client_auth: "1.3.6.1.5.5.7.3.2", server_auth: "1.3.6.1.5.5.7.3.1" };
// The subject attributes in the order the CA writes them; C is a PrintableString, the rest UTF8String.
const ATTRIBUTE_OIDS: Array<[keyof SubjectFields, string]> = [
  ["commonName", "2.5.4.3"],
  ["country", "2.5.4.6"],
  ["locality", "2.5.4.7"],
  ["organization", "2.5.4.10"],
  ["organizationalUnit", "2.5.4.11"],
  ["state", "2.5.4.8"],
];

const ext = (extnID: string, critical: boolean, value: unknown) => new Extension({ extnID, critical, extnValue: new OctetString(AsnConvert.serialize(value)) });

/** The tbsCertificate @peculiar/asn1-x509 encodes for what `certificate` should hold, built from its classes alone. */
function expectedTbs(issuer: CaIdentity, profile: ProfileOptions, order: LeafOrder, serialHex: string, notBefore: Date, notAfter: Date, algorithm: AlgorithmIdentifier): TBSCertificate {
  const subject = new Name(
    ATTRIBUTE_OIDS.filter(([key]) => order.subject[key]).map(
      ([key, type]) => new RelativeDistinguishedName([new AttributeTypeAndValue({ type, value: new AttributeValue(key === "country" ? { printableString: order.subject[key]! } : { utf8String: order.subject[key]! }) })]),
    ),
  );
  const spki = AsnConvert.parse(order.publicKey.spkiDer, SubjectPublicKeyInfo);
  const rsa = order.publicKey.algorithm.kind === "rsa";
  const uri = (url: string) => new GeneralName({ uniformResourceIdentifier: url });
  const extensions = [
    ext(id_ce_basicConstraints, true, new BasicConstraints({ cA: false })),
    ext(id_ce_keyUsage, true, new KeyUsage(KeyUsageFlags.digitalSignature | (rsa ? KeyUsageFlags.keyEncipherment : 0))),
    ext(id_ce_extKeyUsage, false, new ExtendedKeyUsage((["client_auth", "server_auth"] as const).filter((p) => order.purposes.includes(p)).map((p) => EKU[p]))),
    ext(id_ce_authorityKeyIdentifier, false, new AuthorityKeyIdentifier({ keyIdentifier: new KeyIdentifier(Uint8Array.from(issuer.keyIdentifier)) })),
    ...(profile.crlUrls ? [ext(id_ce_cRLDistributionPoints, false, new CRLDistributionPoints(profile.crlUrls.map((u) => new DistributionPoint({ distributionPoint: new DistributionPointName({ fullName: [uri(u)] }) }))))] : []),
    ...(profile.caIssuersUrls ? [ext(id_pe_authorityInfoAccess, false, new AuthorityInfoAccessSyntax(profile.caIssuersUrls.map((u) => new AccessDescription({ accessMethod: id_ad_caIssuers, accessLocation: uri(u) }))))] : []),
    ...(profile.policyOids ? [ext(id_ce_certificatePolicies, false, new CertificatePolicies(profile.policyOids.map((oid) => new PolicyInformation({ policyIdentifier: oid }))))] : []),
    ext(id_ce_subjectKeyIdentifier, false, new SubjectKeyIdentifier(createHash("sha1").update(new Uint8Array(spki.subjectPublicKey)).digest())),
    ...(order.sans.length > 0
      ? [ext(id_ce_subjectAltName, subject.length === 0, new SubjectAlternativeName(order.sans.map((s) => new GeneralName(s.type === "dns" ? { dNSName: s.value } : { iPAddress: s.value }))))]
      : []),
  ];
  return new TBSCertificate({
    version: Version.v3,
    serialNumber: new Uint8Array(Buffer.from(serialHex, "hex")).buffer,
    signature: algorithm,
    issuer: AsnConvert.parse(issuer.nameDer, Name),
    validity: new Validity({ notBefore, notAfter }),
    subject,
    subjectPublicKeyInfo: spki,
    extensions: new Extensions(extensions),
  });
}

// Subject values: letters, digits, DN-special characters and some beyond ASCII; `validateSubject` has the last word.
const value = fc.string({ unit: fc.constantFrom(..."abcXYZ019 ,+=\"\\<>;#-_.'()/:?éüßøЖ中文😀"), minLength: 1, maxLength: 24 });
const subjects = fc
  .record({
    commonName: fc.option(value, { nil: undefined }),
    country: fc.option(fc.constantFrom("GB", "US", "DE", "JP"), { nil: undefined }),
    locality: fc.option(value, { nil: undefined }),
    organization: fc.option(value, { nil: undefined }),
    organizationalUnit: fc.option(value, { nil: undefined }),
    state: fc.option(value, { nil: undefined }),
  })
  .map((fields) => Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)));
// Forms every encoder agrees on: DNS names, dotted IPv4, IPv6 in eight groups.
const ipv6 = fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 }).map((groups) => groups.map((g) => g.toString(16)).join(":"));
const sans: fc.Arbitrary<SubjectAltName[]> = fc.array(
  fc.oneof(
    fc.domain().map((v) => ({ type: "dns" as const, value: v })),
    fc.ipV4().map((v) => ({ type: "ip" as const, value: v })),
    ipv6.map((v) => ({ type: "ip" as const, value: v })),
  ),
  { maxLength: 4 },
);

describe("pki: the certificate template encodes what @peculiar/asn1-x509 encodes (property)", function () {
  this.timeout(120_000);
  let issuers: Array<{ ca: CaIdentity; profile: ProfileOptions; algorithm: AlgorithmIdentifier; publicKey: KeyObject }>;
  let keys: Array<ReturnType<typeof inspectPublicKey>>;
  before(async () => {
    const withProfile = await makeTestCa({ issuingKey: "ecdsa-p256", leafProfile: PROFILE });
    const rsaIssuer = await makeTestCa({ rootKey: "rsa-2048", issuingKey: "rsa-2048" });
    issuers = [
      { ca: withProfile.issuing, profile: PROFILE },
      { ca: rsaIssuer.issuing, profile: {} },
    ].map(({ ca, profile }) => {
      const certificate = AsnConvert.parse(ca.certificateDer, Certificate);
      return { ca, profile, algorithm: certificate.tbsCertificate.subjectPublicKeyInfo.algorithm.algorithm === "1.2.840.113549.1.1.1" ? rsaAlgorithm() : ecdsaAlgorithm(), publicKey: new X509Certificate(ca.certificateDer).publicKey };
    });
    keys = (["ecdsa-p256", "ecdsa-p256", "ecdsa-p384", "ecdsa-p384", "rsa-2048", "rsa-2048"] as const).map((name) =>
      inspectPublicKey(new Uint8Array(createPublicKey(generatePrivateKey(name)).export({ format: "der", type: "spki" })), "test"),
    );
  });
  const ecdsaAlgorithm = () => new AlgorithmIdentifier({ algorithm: "1.2.840.10045.4.3.2" });
  const rsaAlgorithm = () => new AlgorithmIdentifier({ algorithm: "1.2.840.113549.1.1.11", parameters: new Uint8Array([5, 0]).buffer });

  it("for random subjects, SANs, purposes, key types (P-256, P-384, RSA 2048) and issuers, byte for byte, and the signature verifies", async () => {
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(
        subjects,
        sans,
        fc.subarray<CertificatePurpose>(["client_auth", "server_auth"], { minLength: 1 }),
        fc.nat(),
        fc.nat(),
        fc.integer({ min: 1, max: 365 }),
        fc.integer({ min: 0, max: 365 * 86400 }),
        async (fields, names, purposes, keyIndex, issuerIndex, lifetimeDays, offsetSeconds) => {
          let subject: SubjectFields;
          try {
            subject = validateSubject(fields);
          } catch {
            return fc.pre(false);
          }
          const issuer = issuers[issuerIndex % issuers.length]!;
          const order: LeafOrder = { subject, sans: names, purposes, lifetimeDays, publicKey: keys[keyIndex % keys.length]! };
          const issued = await issuer.ca.issueLeaf(order, new Date(Date.now() + offsetSeconds * 1000 + (offsetSeconds % 1000)));
          const parsed = AsnConvert.parse(issued.der, Certificate);
          const tbs = expectedTbs(issuer.ca, issuer.profile, order, issued.serialHex, issued.notBefore, issued.notAfter, issuer.algorithm);
          assert.deepEqual(new Uint8Array(parsed.tbsCertificateRaw!), new Uint8Array(AsnConvert.serialize(tbs)));
          const whole = new Certificate({ tbsCertificate: tbs, signatureAlgorithm: issuer.algorithm, signatureValue: parsed.signatureValue });
          assert.deepEqual(issued.der, new Uint8Array(AsnConvert.serialize(whole)));
          assert.ok(new X509Certificate(issued.der).verify(issuer.publicKey), "the signature verifies with the issuer's key");
          runs++;
        },
      ),
      { numRuns: 300 },
    );
    assert.ok(runs >= 200, `only ${runs} of 300 generated subjects passed validateSubject`);
  });
});
