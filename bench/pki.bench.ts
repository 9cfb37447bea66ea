import { createPublicKey, generateKeyPairSync, KeyObject, sign, webcrypto } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CaIdentity, LeafOrder } from "../pki/ca";
import { createCsr } from "../pki/csr";
import { buildCrl, RevokedEntry } from "../pki/crl";
import { readVerifiedCrl } from "../pki/crl-reader";
import { validateIssueRequest } from "../pki/issuance-policy";
import { inspectPublicKey } from "../pki/key-algorithms";
import { readPemBlocks } from "../pki/pem";
import { randomSerialHex } from "../pki/serial";
import { x509 } from "../pki/x509";
import { opensslGenCrl } from "../tests/support/openssl-ca";
import { BenchResult, ratePerSecond } from "./measure";
import { makeBenchCa } from "./bench-ca";
import { interleavedMedians, opensslVerifyCrlMs, pycaCrlMs, pycaIssueRate } from "./peers";

const KEYS = 256;
const SUBJECT = { commonName: "CloudFront", organizationalUnit: "CloudFront", organization: "Serverless Inc", country: "GB" };

/**
 * Issuance and CRL benchmarks, each against peers run in the same sitting (pyca/cryptography,
 * openssl, @peculiar/x509). Every certificate is for a different key (256 pre-generated P-256
 * keys, cycled), as a CA sees them.
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

  // Ours and pyca/cryptography's builder, interleaved: three rounds each, medians.
  let i = 0;
  const issue = await interleavedMedians(3, {
    ours: () => ratePerSecond(() => ca.issuing.issueLeaf(orders[i++ % KEYS]!), seconds),
    pyca: () => pycaIssueRate(seconds),
  });
  const ours = issue.ours;

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

  const crl = await crlBenchmarks(ca.issuing, ca.issuingKey);

  const peculiarBaseline = { name: "issue.peculiar_x509_certs_per_s", value: peculiar, unit: "certs/s" };
  const pycaBaseline = { name: "issue.pyca_certs_per_s", value: issue.pyca, unit: "certs/s" };
  return [
    { name: "issue.certs_per_s", value: ours, unit: "certs/s", baseline: pycaBaseline, target: "> pyca" },
    { name: "issue.vs_pyca", value: ours / issue.pyca, unit: "ratio", baseline: pycaBaseline, target: "> 1", note: "pyca/cryptography (bench/pyca_peer.py), same profile, in this sitting" },
    { name: "issue.vs_peculiar_x509", value: ours / peculiar, unit: "ratio", baseline: peculiarBaseline, target: ">= 5" },
    { name: "issue.fraction_of_raw_sign", value: ours / rawSign, unit: "ratio", baseline: { name: "sign.raw_ecdsa_p256_per_s", value: rawSign, unit: "signs/s" }, note: "1.0 would mean issuance costs no more than its signature" },
    { name: "issue.request_path_certs_per_s", value: requestPath, unit: "certs/s", baseline: { name: "issue.certs_per_s", value: ours, unit: "certs/s" }, note: "with CSR parsing (once), proof of possession and policy" },
    ...crl,
  ];
}

const ENTRIES = 100_000;

function elapsedMs(start: number): number {
  return performance.now() - start;
}

/**
 * 100,000-entry CRLs: building and signing (ours, pyca/cryptography's builder, `openssl ca
 * -gencrl` from an index.txt), and reading and verifying (ours in process, `openssl crl -CAfile …
 * -noout` as a process on the same file), interleaved round by round.
 */
async function crlBenchmarks(issuing: CaIdentity, issuingKey: KeyObject): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), "edge-mtls-bench-crl-"));
  try {
    const now = new Date();
    const entries: RevokedEntry[] = Array.from({ length: ENTRIES }, (_, i) => ({
      serialHex: randomSerialHex(),
      revokedAt: new Date(now.getTime() - i * 25_000),
      reason: i % 4 === 0 ? "unspecified" : "keyCompromise",
      notAfter: new Date(now.getTime() + 30 * 86400_000),
    }));
    const params = { crlNumber: 1, thisUpdate: now, nextUpdate: new Date(now.getTime() + 3600_000), entries };
    const opensslCa = { caKeyPem: issuingKey.export({ format: "pem", type: "pkcs8" }).toString(), caCertPem: issuing.certificatePem, crlNumberHex: "01" };
    const opensslRevoked = entries.map((e) => ({ serialHex: e.serialHex, revokedAt: e.revokedAt, reason: e.reason === "unspecified" ? undefined : e.reason }));
    let opensslPem = "";
    await buildCrl(issuing, params); // warm-up
    const build = await interleavedMedians(3, {
      ours: async () => {
        const start = performance.now();
        await buildCrl(issuing, params);
        return elapsedMs(start);
      },
      pyca: () => pycaCrlMs(ENTRIES),
      openssl: () => {
        const made = opensslGenCrl(dir, { ...opensslCa, revoked: opensslRevoked });
        opensslPem = made.pem;
        return made.seconds * 1000;
      },
    });

    const caFile = join(dir, "issuing.pem");
    writeFileSync(caFile, issuing.certificatePem);
    const oursDer = (await buildCrl(issuing, params)).der;
    const oursFile = join(dir, "ours.crl");
    writeFileSync(oursFile, oursDer);
    const opensslDer = readPemBlocks(opensslPem, "openssl CRL")[0]!.der;
    const opensslFile = join(dir, "openssl.crl");
    writeFileSync(opensslFile, opensslDer);
    const read = (der: Uint8Array) => {
      const start = performance.now();
      const crl = readVerifiedCrl(der, issuing.certificatePem, now);
      if (crl.revoked.size !== ENTRIES) throw new Error(`read ${crl.revoked.size} entries, expected ${ENTRIES}`);
      return elapsedMs(start);
    };
    read(oursDer); // warm-up
    const reads = await interleavedMedians(5, {
      ours: () => read(oursDer),
      openssl: () => opensslVerifyCrlMs(oursFile, caFile),
      oursOnOpensslCrl: () => read(opensslDer),
      opensslOnOpensslCrl: () => opensslVerifyCrlMs(opensslFile, caFile),
    });

    const pyca = { name: "crl.pyca_100k_ms", value: build.pyca, unit: "ms" };
    const opensslCa100k = { name: "crl.openssl_ca_gencrl_100k_ms", value: build.openssl, unit: "ms" };
    const opensslRead = { name: "crl.openssl_crl_verify_100k_ms", value: reads.openssl, unit: "ms" };
    return [
      { name: "crl.100k_ms", value: build.ours, unit: "ms", baseline: pyca, target: "< pyca" },
      { name: "crl.100k_vs_pyca", value: build.pyca / build.ours, unit: "ratio", baseline: pyca, target: "> 1", note: "times faster than pyca/cryptography's CertificateRevocationListBuilder" },
      { name: "crl.100k_vs_openssl_ca", value: build.openssl / build.ours, unit: "ratio", baseline: opensslCa100k, note: "times faster than openssl ca -gencrl (a process reading index.txt)" },
      { name: "crl.read_100k_ms", value: reads.ours, unit: "ms", baseline: opensslRead, target: "<= 1000", note: "read + verify our DER CRL; openssl crl -CAfile -noout on the same file, process start included" },
      { name: "crl.read_100k_vs_openssl", value: reads.ours / reads.openssl, unit: "ratio", baseline: opensslRead, target: "<= 3" },
      { name: "crl.read_openssl_100k_ms", value: reads.oursOnOpensslCrl, unit: "ms", baseline: { name: "crl.openssl_crl_verify_openssl_100k_ms", value: reads.opensslOnOpensslCrl, unit: "ms" }, target: "<= 1000", note: "the CRL openssl ca -gencrl made" },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
