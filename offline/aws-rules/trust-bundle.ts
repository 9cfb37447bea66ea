import { X509Certificate } from "node:crypto";
import { AsnConvert } from "@peculiar/asn1-schema";
import { Certificate } from "@peculiar/asn1-x509";
import { inspectPublicKey, KeyAlgorithmName, SIGNATURE_ALGORITHM_HASHES } from "../../pki/key-algorithms";

/** What a relying party's trust bundle may hold. */
export interface BundleProfile {
  readonly who: string;
  readonly keys: readonly KeyAlgorithmName[];
  readonly hashes: readonly ("sha256" | "sha384" | "sha512")[];
  /** Longest chain the bundle may describe (root plus intermediates). */
  readonly maxDepth?: number;
  /** Refuse blank lines and anything but CERTIFICATE blocks between them (CloudFront). */
  readonly strictPem: boolean;
}

/** CloudFront trust stores: RSA 2048/3072/4096 or ECDSA P-256/P-384, SHA-256/384/512, PEM certificates only, no blank lines. */
export const CLOUDFRONT_BUNDLE: BundleProfile = { who: "CloudFront trust stores", keys: ["rsa-2048", "rsa-3072", "rsa-4096", "ecdsa-p256", "ecdsa-p384"], hashes: ["sha256", "sha384", "sha512"], strictPem: true };

/** API Gateway truststores: RSA ≥ 2048 or ECDSA ≥ 256, SHA-256 or stronger, a chain of at most 4. */
export const API_GATEWAY_BUNDLE: BundleProfile = { who: "API Gateway truststores", keys: ["rsa-2048", "rsa-3072", "rsa-4096", "ecdsa-p256", "ecdsa-p384", "ecdsa-p521"], hashes: ["sha256", "sha384", "sha512"], maxDepth: 4, strictPem: false };

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([A-Za-z0-9+/=\r\n]+?)-----END \1-----/g;

/** Why `pem` is not a bundle `profile` accepts (empty: it is). */
export function bundleProblems(pem: string, profile: BundleProfile): string[] {
  const problems: string[] = [];
  const blocks = [...pem.matchAll(BLOCK)];
  if (blocks.length === 0) return [`the bundle holds no PEM certificate; ${profile.who} need PEM CA certificates`];
  if (profile.strictPem) {
    const between = pem.replace(BLOCK, "\u0000");
    if (/\n[ \t]*\n/.test(pem.replace(/\r/g, ""))) problems.push(`the bundle has blank lines; ${profile.who} refuse them`);
    for (const line of between.split(/\r?\n/)) {
      const text = line.replace(/\u0000/g, "").trim();
      if (text !== "" && !(text.startsWith("#") && !text.includes("-"))) problems.push(`the bundle has text outside the certificates ("${text.slice(0, 40)}"); only '#' comment lines without '-' are allowed`);
    }
  }
  const certificates: X509Certificate[] = [];
  blocks.forEach((block, index) => {
    const where = `certificate ${index + 1}`;
    if (block[1] !== "CERTIFICATE") {
      problems.push(`${where} is a ${block[1]} block; ${profile.who} accept only certificates`);
      return;
    }
    const der = Buffer.from(block[2]!.replace(/\s+/g, ""), "base64");
    let certificate: X509Certificate;
    let parsed: Certificate;
    try {
      certificate = new X509Certificate(der);
      parsed = AsnConvert.parse(der, Certificate);
    } catch {
      problems.push(`${where} is not a readable X.509 certificate`);
      return;
    }
    certificates.push(certificate);
    const name = certificate.subject.replace(/\n/g, ", ");
    if (parsed.tbsCertificate.version !== 2) problems.push(`${where} (${name}) is not X.509 v3`);
    try {
      const key = inspectPublicKey(new Uint8Array(certificate.publicKey.export({ format: "der", type: "spki" })), where);
      if (!profile.keys.includes(key.algorithm.name)) problems.push(`${where} (${name}) has a ${key.algorithm.name} key; ${profile.who} accept ${profile.keys.join(", ")}`);
    } catch (error) {
      problems.push(`${where} (${name}) has a key ${profile.who} do not accept (${(error as Error).message})`);
    }
    const hash = SIGNATURE_ALGORITHM_HASHES[parsed.signatureAlgorithm.algorithm];
    if (!hash || !profile.hashes.includes(hash)) problems.push(`${where} (${name}) is signed with ${parsed.signatureAlgorithm.algorithm}; ${profile.who} accept ${profile.hashes.join("/")} signatures`);
  });
  if (profile.maxDepth !== undefined) {
    // The longest issuer chain inside the bundle.
    const depthOf = (certificate: X509Certificate, seen: Set<X509Certificate>): number => {
      const issuer = certificates.find((c) => c !== certificate && !seen.has(c) && certificate.checkIssued(c));
      return issuer ? 1 + depthOf(issuer, new Set([...seen, certificate])) : 1;
    };
    const depth = Math.max(0, ...certificates.map((c) => depthOf(c, new Set())));
    if (depth > profile.maxDepth) problems.push(`the bundle describes a chain of ${depth} certificates; ${profile.who} accept at most ${profile.maxDepth}`);
  }
  return problems;
}
