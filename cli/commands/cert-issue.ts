import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { createCsr, MAX_CSR_BYTES, parseCsr } from "../../pki/csr";
import { certificateFiles, writeFilesAtomically } from "../../pki/files";
import { validateSans } from "../../pki/issuance-policy";
import { parseKeyAlgorithmName } from "../../pki/key-algorithms";
import { LocalCa } from "../../pki/local-ca";
import { generatePrivateKey, privateKeyToPem } from "../../pki/local-signer";
import { validateSubject } from "../../pki/names";
import { looksLikePem, toPem } from "../../pki/pem";
import { serialHexToDecimal } from "../../pki/serial";
import { Command, UsageError } from "../command";

interface Flags {
  "ca-dir"?: string;
  cn?: string;
  ou?: string;
  o?: string;
  c?: string;
  l?: string;
  st?: string;
  purpose?: string[];
  lifetime?: string;
  san?: string[];
  out?: string;
  name?: string;
  "key-type"?: string;
  csr?: string;
  json?: boolean;
}

/** `edge-mtls cert issue`: the how-to's client-cert.py, with flags instead of edited variables. */
export const certIssueCommand: Command<Flags> = {
  words: ["cert", "issue"],
  summary:
    "Issue a certificate from a local CA. Makes a key and a CSR (or signs the CSR you bring with --csr) and writes the how-to's files: " +
    "<name>-key.pem, <name>-cert.pem (leaf), <name>-cert.crt (leaf, issuing, root), <name>-cert-key.pem (key then the three certificates).",
  flags: {
    "ca-dir": { type: "string", required: true, description: "directory of the local CA (edge-mtls ca init)" },
    cn: { type: "string", description: "subject common name" },
    ou: { type: "string", description: "subject organizational unit" },
    o: { type: "string", description: "subject organization" },
    c: { type: "string", description: "subject two-letter country" },
    l: { type: "string", description: "subject locality" },
    st: { type: "string", description: "subject state or province" },
    purpose: { type: "string", multiple: true, description: "client_auth or server_auth", defaultText: "client_auth" },
    lifetime: { type: "string", description: "lifetime in days", defaultText: "90" },
    san: { type: "string", multiple: true, description: "subjectAltName: a DNS name or an IP address" },
    out: { type: "string", description: "directory to write the files to", defaultText: "certs" },
    name: { type: "string", description: "file name prefix", defaultText: "the CN in lower case" },
    "key-type": { type: "string", description: "key type to generate (ecdsa-p256, ecdsa-p384, ecdsa-p521, rsa-2048, rsa-3072, rsa-4096)", defaultText: "ecdsa-p256" },
    csr: { type: "string", description: "sign this CSR (PEM or DER) instead of making a key; no key files are written" },
    json: { type: "boolean", description: "print the result as JSON" },
  },
  async run(flags, _positionals, io) {
    const ca = await LocalCa.open(resolve(io.cwd, flags["ca-dir"]!));
    const subjectFlags = validateSubject(
      { commonName: flags.cn, organizationalUnit: flags.ou, organization: flags.o, country: flags.c, locality: flags.l, state: flags.st },
      "subject",
    );
    const sans = validateSans(flags.san, "--san");
    const lifetimeDays = flags.lifetime === undefined ? undefined : Number(flags.lifetime);
    if (flags.lifetime !== undefined && !/^-?[0-9]+$/.test(flags.lifetime)) throw new UsageError(`--lifetime must be a whole number of days; got ${JSON.stringify(flags.lifetime)}`);
    let csrPem: string;
    let privateKeyPem: string | undefined;
    if (flags.csr !== undefined) {
      if (flags["key-type"] !== undefined) throw new UsageError("--key-type cannot be used with --csr: the CSR carries its own key");
      csrPem = readCsrFile(resolve(io.cwd, flags.csr));
    } else {
      if (!subjectFlags.commonName) throw new UsageError("--cn is required when no --csr is given");
      const key = generatePrivateKey(parseKeyAlgorithmName(flags["key-type"] ?? "ecdsa-p256", "--key-type"));
      csrPem = createCsr(key, subjectFlags, sans);
      privateKeyPem = privateKeyToPem(key);
    }
    // Subject flags given with --csr override the CSR's subject; the CA applies its name policy to the result.
    const request = {
      csrPem,
      purposes: flags.purpose ?? ["client_auth"],
      lifetimeDays,
      subject: flags.csr !== undefined && Object.keys(subjectFlags).length > 0 ? subjectFlags : undefined,
      sans: flags.csr !== undefined && sans.length > 0 ? sans : undefined,
    };
    const certificate = await ca.issue(request);
    const commonName = certificate.subject.match(/(?:^|,)CN=((?:\\.|[^,])*)/)?.[1] ?? "certificate";
    const name = flags.name ?? commonName.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");
    if (!/^[A-Za-z0-9._-]+$/.test(name)) throw new UsageError(`--name must be letters, digits, '.', '_' or '-'; got ${JSON.stringify(name)}`);
    const outDir = resolve(io.cwd, flags.out ?? "certs");
    const written = writeFilesAtomically(outDir, certificateFiles(name, certificate.pem, ca.chainPem, privateKeyPem));
    const result = {
      subject: certificate.subject,
      serialNumber: certificate.serialHex,
      serialNumberDecimal: serialHexToDecimal(certificate.serialHex),
      notBefore: certificate.notBefore.toISOString(),
      notAfter: certificate.notAfter.toISOString(),
      purposes: request.purposes,
      files: written,
    };
    if (flags.json) {
      io.stdout.write(JSON.stringify(result, null, 2) + "\n");
    } else {
      io.stdout.write(
        `Issued ${result.subject}\n  serial:   ${result.serialNumber}\n  valid:    ${result.notBefore} to ${result.notAfter}\n  purposes: ${result.purposes.join(", ")}\n` +
          written.map((f) => `  wrote     ${f}\n`).join(""),
      );
    }
    return 0;
  },
};

/** Reads a CSR file (PEM or DER) as the PEM string the issue request carries. */
function readCsrFile(path: string): string {
  const bytes = new Uint8Array(readFileSync(path));
  // Oversized or DER input goes through parseCsr here so the refusal names the file's real problem.
  if (bytes.byteLength > MAX_CSR_BYTES || !looksLikePem(bytes)) parseCsr(bytes, "--csr");
  return looksLikePem(bytes) ? Buffer.from(bytes).toString("utf8") : toPem(bytes, "CERTIFICATE REQUEST");
}
