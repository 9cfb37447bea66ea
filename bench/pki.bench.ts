import { createPublicKey, generateKeyPairSync, KeyObject, sign, webcrypto } from "node:crypto";
import { CaIdentity, LeafOrder } from "../pki/ca";
import { createCsr } from "../pki/csr";
import { buildCrl, RevokedEntry } from "../pki/crl";
import { validateIssueRequest } from "../pki/issuance-policy";
import { inspectPublicKey } from "../pki/key-algorithms";
import { randomSerialHex } from "../pki/serial";
import { x509 } from "../pki/x509";
import { BenchResult, medianMs, ratePerSecond } from "./measure";
import { makeBenchCa } from "./bench-ca";

const KEYS = 256;
const SUBJECT = { commonName: "CloudFront", organizationalUnit: "CloudFront", organization: "Serverless Inc", country: "GB" };

/**
 * Issuance and CRL benchmarks. Every certificate is for a different key (256 pre-generated
 * P-256 keys, cycled), as a CA sees them.
 */
export async function pkiBenchmarks(seconds: number): Promise<BenchResult[]> {
  const ca = await makeBenchCa();
  const keys: KeyObject[] = Array.from({ length: KEYS }, () => generateKeyPairSync("ec", { namedCurve: "prime256v1" }).privateKey);
  const orders: LeafOrder[] = keys.map((key) => ({
    subject: SUBJECT,
    sans: [],
    purposes: ["client_auth"],
    lifetimeDays: 90,
    publicKey: inspectPublicKey(new Uint8Array(createPublicKey(key).export({ format: "der", type: "spki" })), "bench"),
  }));

  // Floor: one raw ECDSA P-256 signature over a tbsCertificate-sized message.
  const issuingKey = ca.issuingKey;
  const tbsSized = Buffer.alloc(420, 7);
  const rawSign = await ratePerSecond(() => sign("sha256", tbsSized, issuingKey), seconds);

  let i = 0;
  const ours = await ratePerSecond(() => ca.issuing.issueLeaf(orders[i++ % KEYS]!), seconds);

  // The same profile through @peculiar/x509's generator (WebCrypto), in this process.
  const algorithm = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" };
  const peculiarIssuingKey = await webcrypto.subtle.importKey("pkcs8", issuingKey.export({ format: "der", type: "pkcs8" }), { name: "ECDSA", namedCurve: "P-256" }, false, ["sign"]);
  const peculiarPublicKeys = await Promise.all(keys.slice(0, 64).map((k) => webcrypto.subtle.importKey("spki", createPublicKey(k).export({ format: "der", type: "spki" }), { name: "ECDSA", namedCurve: "P-256" }, true, ["verify"])));
  const issuerName = new x509.X509Certificate(ca.issuing.certificateDer).subjectName;
  const aki = new x509.AuthorityKeyIdentifierExtension(Buffer.from(ca.issuing.keyIdentifier).toString("hex"));
  let j = 0;
  const peculiar = await ratePerSecond(async () => {
    const publicKey = peculiarPublicKeys[j++ % peculiarPublicKeys.length]!;
    return x509.X509CertificateGenerator.create({
      serialNumber: randomSerialHex(),
      subject: "CN=CloudFront, C=GB, O=Serverless Inc, OU=CloudFront",
      issuer: issuerName.toString(),
      notBefore: new Date(Date.now() - 300_000),
      notAfter: new Date(Date.now() + 90 * 86400_000),
      signingKey: peculiarIssuingKey,
      publicKey,
      signingAlgorithm: algorithm,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]),
        aki,
        await x509.SubjectKeyIdentifierExtension.create(publicKey),
      ],
    });
  }, seconds);

  // The whole ca-issuer path: CSR parse + proof-of-possession check + policy + issue.
  const csrs = keys.slice(0, 64).map((k) => createCsr(k, SUBJECT));
  let k = 0;
  const requestPath = await ratePerSecond(() => ca.issuing.issueLeaf(validateIssueRequest({ csrPem: csrs[k++ % csrs.length], purposes: ["client_auth"] }).order), seconds);

  const crl = await crlBenchmark(ca.issuing);

  const peculiarBaseline = { name: "issue.peculiar_x509_certs_per_s", value: peculiar, unit: "certs/s" };
  return [
    { name: "issue.certs_per_s", value: ours, unit: "certs/s", baseline: peculiarBaseline },
    { name: "issue.vs_peculiar_x509", value: ours / peculiar, unit: "ratio", baseline: peculiarBaseline, target: ">= 5" },
    { name: "issue.fraction_of_raw_sign", value: ours / rawSign, unit: "ratio", baseline: { name: "sign.raw_ecdsa_p256_per_s", value: rawSign, unit: "signs/s" }, note: "1.0 would mean issuance costs no more than its signature" },
    { name: "issue.request_path_certs_per_s", value: requestPath, unit: "certs/s", baseline: { name: "issue.certs_per_s", value: ours, unit: "certs/s" }, note: "with CSR parsing, signature verification and policy" },
    ...crl,
  ];
}

async function crlBenchmark(issuing: CaIdentity): Promise<BenchResult[]> {
  const now = new Date();
  const entries = (n: number): RevokedEntry[] =>
    Array.from({ length: n }, (_, i) => ({ serialHex: randomSerialHex(), revokedAt: now, reason: i % 4 === 0 ? "unspecified" : "keyCompromise", notAfter: new Date(now.getTime() + 30 * 86400_000) }));
  const big = entries(100_000);
  const params = { crlNumber: 1, thisUpdate: now, nextUpdate: new Date(now.getTime() + 3600_000) };
  const ms = await medianMs(() => buildCrl(issuing, { ...params, entries: big }), 3);
  // Baseline: @peculiar/x509's CRL generator on 10,000 entries (100,000 takes too long to wait for).
  const small = entries(10_000);
  const signingKey = await webcrypto.subtle.importKey("pkcs8", (issuing.signer as unknown as { privateKey: KeyObject }).privateKey.export({ format: "der", type: "pkcs8" }), { name: "ECDSA", namedCurve: "P-256" }, false, ["sign"]);
  const issuerName = new x509.X509Certificate(issuing.certificateDer).subject;
  const peculiarMs = await medianMs(
    () =>
      x509.X509CrlGenerator.create({
        issuer: issuerName,
        thisUpdate: now,
        nextUpdate: params.nextUpdate,
        entries: small.map((e) => ({ serialNumber: e.serialHex, revocationDate: e.revokedAt, reason: e.reason === "keyCompromise" ? x509.X509CrlReason.keyCompromise : undefined })),
        signingKey,
        signingAlgorithm: { name: "ECDSA", hash: "SHA-256" },
      }),
    1,
  );
  const ourSmallMs = await medianMs(() => buildCrl(issuing, { ...params, entries: small }), 3);
  return [
    { name: "crl.100k_ms", value: ms, unit: "ms", target: "<= 1500", baseline: { name: "crl.10k_ms", value: ourSmallMs, unit: "ms" } },
    { name: "crl.10k_vs_peculiar_x509", value: peculiarMs / ourSmallMs, unit: "ratio", baseline: { name: "crl.peculiar_x509_10k_ms", value: peculiarMs, unit: "ms" }, note: "how many times faster than @peculiar/x509 at 10k entries" },
  ];
}
