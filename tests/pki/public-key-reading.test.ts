import { strict as assert } from "node:assert";
import { createHash, generateKeyPairSync, KeyObject } from "node:crypto";
import { ECParameters } from "@peculiar/asn1-ecc";
import { RSAPublicKey } from "@peculiar/asn1-rsa";
import { AsnConvert } from "@peculiar/asn1-schema";
import { AlgorithmIdentifier, SubjectPublicKeyInfo } from "@peculiar/asn1-x509";
import fc from "fast-check";
import { inspectPublicKey } from "../../pki/key-algorithms";

// inspectPublicKey reads the SubjectPublicKeyInfo with our DER reader (pki/der.ts). Here the keys
// are written by @peculiar/asn1-x509, asn1-ecc and asn1-rsa — encoders nobody here wrote — with
// every part a hostile request could vary, and each must get exactly the refusal (code and field)
// that part deserves, or be accepted as the key it is.

const FIELD = "csrPem";
const OID_EC = "1.2.840.10045.2.1";
const OID_RSA = "1.2.840.113549.1.1.1";
const CURVES = {
  p256: { oid: "1.2.840.10045.3.1.7", name: "ecdsa-p256", node: "prime256v1" },
  p384: { oid: "1.3.132.0.34", name: "ecdsa-p384", node: "secp384r1" },
  p521: { oid: "1.3.132.0.35", name: "ecdsa-p521", node: "secp521r1" },
  k256: { oid: "1.3.132.0.10", name: undefined, node: "secp256k1" }, // a named curve we do not support
} as const;
type Curve = keyof typeof CURVES;

const publicKeyBits = (key: KeyObject) => new Uint8Array(AsnConvert.parse(key.export({ format: "der", type: "spki" }), SubjectPublicKeyInfo).subjectPublicKey);
const ecPoints = Object.fromEntries(Object.entries(CURVES).map(([curve, c]) => [curve, publicKeyBits(generateKeyPairSync("ec", { namedCurve: c.node }).publicKey)])) as Record<Curve, Uint8Array>;
const rsaKey = AsnConvert.parse(publicKeyBits(generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey), RSAPublicKey);
const modulus = new Uint8Array(rsaKey.modulus); // 00 || n: n has its top bit set

function spki(algorithm: string, parameters: ArrayBuffer | null | undefined, bits: Uint8Array): Uint8Array {
  const info = new SubjectPublicKeyInfo({ algorithm: new AlgorithmIdentifier({ algorithm, ...(parameters === undefined ? {} : { parameters }) }), subjectPublicKey: Uint8Array.from(bits).buffer });
  return new Uint8Array(AsnConvert.serialize(info));
}

type Outcome = { accepted: string; keyIdentifier: string } | { code: string; field: string };

function outcomeOf(der: Uint8Array): Outcome {
  try {
    const key = inspectPublicKey(der, FIELD);
    return { accepted: key.algorithm.name, keyIdentifier: Buffer.from(key.keyIdentifier).toString("hex") };
  } catch (error) {
    const { code, field } = error as { code?: string; field?: string };
    if (!code) throw error; // an untyped exception is a defect in itself
    return { code, field: field! };
  }
}

const sha1 = (bytes: Uint8Array) => createHash("sha1").update(bytes).digest("hex");
const refusal = (code: string, part?: string): Outcome => ({ code, field: part ? `${FIELD}.subjectPublicKeyInfo.${part}` : FIELD });

/** The DER content of a non-negative INTEGER: minimal, with a zero octet when the top bit is set. */
function integerContent(value: bigint): Uint8Array {
  let hex = value.toString(16);
  if (hex.length % 2) hex = "0" + hex;
  const bytes = Buffer.from(hex, "hex");
  return bytes[0]! & 0x80 ? Uint8Array.from([0, ...bytes]) : new Uint8Array(bytes);
}

describe("pki: the public key is read off the DER exactly as asn1-x509, asn1-ecc and asn1-rsa write it", () => {
  it("EC keys: parameters (named, implicit, explicit, absent), curves and point forms each get their own refusal, or are accepted", () => {
    const arbitrary = fc.record({
      curve: fc.constantFrom<Curve>("p256", "p384", "p521", "k256"),
      parameters: fc.constantFrom("named", "implicit", "explicit", "absent"),
      point: fc.constantFrom("uncompressed", "compressed", "hybrid", "truncated", "extended"),
    });
    const seen = new Set<string>();
    fc.assert(
      fc.property(arbitrary, ({ curve, parameters, point }) => {
        const real = ecPoints[curve];
        const bits =
          point === "uncompressed" ? real
          : point === "compressed" ? Uint8Array.from([0x02 | (real[real.length - 1]! & 1), ...real.subarray(1, 1 + (real.length - 1) / 2)])
          : point === "hybrid" ? Uint8Array.from([0x06 | (real[real.length - 1]! & 1), ...real.subarray(1)])
          : point === "truncated" ? real.subarray(0, real.length - 1)
          : Uint8Array.from([...real, 0]);
        const encodedParameters =
          parameters === "named" ? AsnConvert.serialize(new ECParameters({ namedCurve: CURVES[curve].oid }))
          : parameters === "implicit" ? AsnConvert.serialize(new ECParameters({ implicitCurve: null }))
          : parameters === "explicit" ? Uint8Array.from([0x30, 0x03, 0x02, 0x01, 0x01]).buffer // SpecifiedECDomain (version 1, cut short)
          : undefined;
        const expected: Outcome =
          parameters !== "named" ? refusal("KEY_EC_PARAMETERS", "algorithm.parameters")
          : !CURVES[curve].name ? refusal("KEY_UNSUPPORTED")
          : point !== "uncompressed" ? refusal("KEY_EC_POINT", "subjectPublicKey")
          : { accepted: CURVES[curve].name!, keyIdentifier: sha1(real) };
        seen.add("accepted" in expected ? "accepted" : expected.code);
        assert.deepEqual(outcomeOf(spki(OID_EC, encodedParameters ?? undefined, bits)), expected, JSON.stringify({ curve, parameters, point }));
      }),
      { numRuns: 300 },
    );
    assert.deepEqual([...seen].sort(), ["KEY_EC_PARAMETERS", "KEY_EC_POINT", "KEY_UNSUPPORTED", "accepted"]);
  });

  it("RSA keys: parameters, the modulus's encoding and value, and the exponent each get their own refusal, or are accepted", () => {
    const n = BigInt("0x" + Buffer.from(modulus).toString("hex"));
    let multipleOf3 = n - (n % 3n); // still 2048 bits; made odd, so only the small factor is wrong
    if (multipleOf3 % 2n === 0n) multipleOf3 -= 3n;
    const arbitrary = fc.record({
      parameters: fc.constantFrom("null", "absent", "oid"),
      modulus: fc.constantFrom("real", "leading-zeros", "negative", "even", "small-factor"),
      exponent: fc.oneof(fc.constantFrom(0n, 1n, 3n, 65535n, 65536n, 65537n, 65539n, 2n ** 255n + 1n, 2n ** 256n + 1n), fc.bigInt({ min: 0n, max: 2n ** 300n })),
    });
    const seen = new Set<string>();
    fc.assert(
      fc.property(arbitrary, ({ parameters, modulus: form, exponent }) => {
        // 2048 bits each: n, n − 1 (even), and an odd multiple of 3 next to n.
        const content =
          form === "real" ? modulus
          : form === "leading-zeros" ? Uint8Array.from([0, 0, ...modulus.subarray(1)])
          : form === "negative" ? modulus.subarray(1)
          : form === "even" ? integerContent(n - 1n)
          : integerContent(multipleOf3);
        const bits = new Uint8Array(AsnConvert.serialize(new RSAPublicKey({ modulus: Uint8Array.from(content).buffer, publicExponent: Uint8Array.from(integerContent(exponent)).buffer })));
        const exponentBad = exponent < 65537n || exponent % 2n === 0n || exponent.toString(2).length > 256;
        const expected: Outcome =
          parameters !== "null" ? refusal("KEY_UNSUPPORTED", "algorithm.parameters")
          : form === "leading-zeros" || form === "negative" ? refusal("KEY_RSA_MODULUS", "modulus")
          : exponentBad ? refusal("KEY_RSA_EXPONENT", "publicExponent")
          : form !== "real" ? refusal("KEY_RSA_MODULUS", "modulus")
          : { accepted: "rsa-2048", keyIdentifier: sha1(bits) };
        seen.add("accepted" in expected ? "accepted" : expected.code);
        const encodedParameters = parameters === "null" ? null : parameters === "oid" ? Uint8Array.from([0x06, 0x01, 0x2a]).buffer : undefined;
        assert.deepEqual(outcomeOf(spki(OID_RSA, encodedParameters, bits)), expected, JSON.stringify({ parameters, form, exponent: exponent.toString() }));
      }),
      // A random draw is accepted about once in 90 (null parameters, the real modulus, a good exponent): 300 runs missed it
      // about once in 28 suites, so the accepted case is always tried, among the random ones.
      { numRuns: 300, examples: [[{ parameters: "null", modulus: "real", exponent: 65537n }]] },
    );
    assert.deepEqual([...seen].sort(), ["KEY_RSA_EXPONENT", "KEY_RSA_MODULUS", "KEY_UNSUPPORTED", "accepted"]);
  });

  it("refuses DER the libraries would have read leniently: trailing bytes, a partial-octet key, a long-form short length", () => {
    const good = spki(OID_EC, AsnConvert.serialize(new ECParameters({ namedCurve: CURVES.p256.oid })), ecPoints.p256);
    assert.equal((outcomeOf(good) as { accepted: string }).accepted, "ecdsa-p256");
    const trailing = Uint8Array.from([...good, 0]);
    const partial = Uint8Array.from(good);
    partial[2 + 2 + good[3]! + 2] = 1; // SEQUENCE, AlgorithmIdentifier, then the BIT STRING's unused-bits octet
    const longForm = Uint8Array.from([0x30, 0x81, good[1]!, ...good.subarray(2)]);
    for (const [what, der] of [["trailing", trailing], ["partial", partial], ["long form", longForm]] as const) {
      assert.deepEqual(outcomeOf(der), refusal("KEY_UNSUPPORTED"), what);
    }
  });
});
