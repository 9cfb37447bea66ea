import { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { inspectCrl } from "../../pki/crl-reader";
import { parseCsr } from "../../pki/csr";
import { PkiError } from "../../pki/errors";
import { inspectPublicKey } from "../../pki/key-algorithms";
import { escapeForDisplay, formatName, formatSubject } from "../../pki/names";
import { looksLikePem, readPemBlocks } from "../../pki/pem";
import { serialHexToDecimal } from "../../pki/serial";
import { x509 } from "../../pki/x509";
import { Command } from "../command";

interface Flags {
  json?: boolean;
}

/** `edge-mtls cert inspect FILE`: what a certificate, chain, CSR or CRL says. */
export const certInspectCommand: Command<Flags> = {
  words: ["cert", "inspect"],
  summary: "Show what a certificate (or a chain of them), a CSR or a CRL says, PEM or DER. Private keys in the file are skipped, never printed.",
  positionals: ["FILE"],
  flags: { json: { type: "boolean", description: "print the result as JSON" } },
  async run(flags, positionals, io) {
    const bytes = new Uint8Array(readFileSync(resolve(io.cwd, positionals[0]!)));
    const items = looksLikePem(bytes)
      ? readPemBlocks(Buffer.from(bytes).toString("utf8"), "FILE").filter((b) => !b.label.includes("PRIVATE KEY")).map((b) => describe(b.label, b.der))
      : [describeDer(bytes)];
    if (flags.json) io.stdout.write(JSON.stringify(items.length === 1 ? items[0] : items, null, 2) + "\n");
    else io.stdout.write(items.map((item) => Object.entries(item).map(([k, v]) => `${k.padEnd(22)}${Array.isArray(v) ? v.join(", ") : v}`).join("\n")).join("\n\n") + "\n");
    return 0;
  },
};

type Description = Record<string, string | number | boolean | string[]>;

function describeDer(der: Uint8Array): Description {
  for (const label of ["CERTIFICATE", "CERTIFICATE REQUEST", "X509 CRL"]) {
    try {
      return describe(label, der);
    } catch {
      // try the next kind
    }
  }
  throw new PkiError("PEM_INVALID", "FILE is not a certificate, CSR or CRL in PEM or DER", "FILE");
}

function describe(label: string, der: Uint8Array): Description {
  if (label === "CERTIFICATE") return describeCertificate(der);
  if (label === "CERTIFICATE REQUEST" || label === "NEW CERTIFICATE REQUEST") {
    const csr = parseCsr(der, "FILE");
    return { type: "certificate request", subject: formatSubject(csr.subject), key: csr.publicKey.algorithm.name, subjectAltNames: csr.sans.map((s) => `${s.type.toUpperCase()}:${s.value}`), signature: "valid (proof of possession)" };
  }
  if (label === "X509 CRL") return describeCrl(der);
  throw new PkiError("PEM_INVALID", `FILE has a ${label} block, which inspect does not read`, "FILE");
}

/**
 * A CRL, read with the CRL reader's DER walk (an ASN.1 object tree stops near 1,200 entries; this
 * reads 100,000 in milliseconds). Not verified: inspect is given no issuer. The CRL number is
 * printed exactly, in decimal (it may be 20 octets).
 */
function describeCrl(der: Uint8Array): Description {
  let crl;
  try {
    crl = inspectCrl(der);
  } catch (error) {
    if (error instanceof PkiError) throw new PkiError(error.code, `FILE: ${error.message}`, "FILE");
    throw error;
  }
  return {
    type: "CRL",
    version: crl.version,
    issuer: formatName(crl.issuerDer),
    thisUpdate: crl.thisUpdate.toISOString(),
    nextUpdate: crl.nextUpdate?.toISOString() ?? "(none)",
    crlNumber: crl.crlNumber?.toString() ?? "(none)",
    revoked: crl.revokedCount,
    signature: "not verified (inspect is given no issuer certificate)",
    ...(crl.unsupported ? { warning: `the authorizer and revocation-sync refuse this CRL: ${crl.unsupported}` } : {}),
  };
}

function describeCertificate(der: Uint8Array): Description {
  const cert = new X509Certificate(der);
  const peculiar = new x509.X509Certificate(der);
  const key = inspectPublicKey(new Uint8Array(cert.publicKey.export({ format: "der", type: "spki" })), "FILE");
  const keyUsage = peculiar.getExtension(x509.KeyUsagesExtension);
  const eku = peculiar.getExtension(x509.ExtendedKeyUsageExtension);
  const san = peculiar.getExtension(x509.SubjectAlternativeNameExtension);
  const usages = keyUsage ? Object.entries(x509.KeyUsageFlags).filter(([name, bit]) => typeof bit === "number" && isNaN(Number(name)) && keyUsage.usages & bit).map(([name]) => name) : [];
  const ekuNames: Record<string, string> = { "1.3.6.1.5.5.7.3.1": "serverAuth", "1.3.6.1.5.5.7.3.2": "clientAuth" };
  return {
    type: "certificate",
    subject: formatName(peculiar.subjectName.toArrayBuffer()),
    issuer: formatName(peculiar.issuerName.toArrayBuffer()),
    serialNumber: cert.serialNumber.toLowerCase(),
    serialNumberDecimal: serialHexToDecimal(cert.serialNumber),
    notBefore: new Date(cert.validFrom).toISOString(),
    notAfter: new Date(cert.validTo).toISOString(),
    key: key.algorithm.name,
    ca: cert.ca,
    keyUsage: usages,
    extendedKeyUsage: (eku?.usages ?? []).map((u) => ekuNames[String(u)] ?? String(u)),
    subjectAltNames: (san?.names.items ?? []).map((n) => escapeForDisplay(`${n.type.toUpperCase()}:${n.value}`)),
    sha256Fingerprint: cert.fingerprint256,
  };
}
