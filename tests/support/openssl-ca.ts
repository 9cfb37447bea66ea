import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tool } from "./tools";

/** One line of an openssl CA database: a revoked certificate. */
export interface OpensslRevocation {
  /** Serial as hex (any case, any length up to 20 octets). */
  readonly serialHex: string;
  readonly revokedAt: Date;
  /** openssl's reason names (keyCompromise, superseded, …); none for unspecified. */
  readonly reason?: string;
}

// openssl's database times: UTCTime text without the century.
function databaseTime(date: Date): string {
  return date.toISOString().replace(/[-:T]/g, "").slice(2, 14) + "Z";
}

/**
 * Makes a CRL the way an openssl CA does, with `openssl ca -gencrl`: writes a configuration, an
 * index.txt listing `revoked` (as openssl's own `ca -revoke` would have) and the CRL number file,
 * and returns the CRL as PEM. The CA key and certificate are PEM files in `dir`. Independent of our
 * builder: it is the reference the reader is judged against. Without `crlNumberHex`, the CRL has no
 * CRL number (and no CRL extensions at all).
 */
export function opensslGenCrl(
  dir: string,
  options: { caKeyPem: string; caCertPem: string; revoked: readonly OpensslRevocation[]; crlNumberHex?: string; hours?: number },
): { pem: string; seconds: number } {
  writeFileSync(join(dir, "ca.key"), options.caKeyPem, { mode: 0o600 });
  writeFileSync(join(dir, "ca.pem"), options.caCertPem);
  const numbered = options.crlNumberHex !== undefined;
  if (numbered) writeFileSync(join(dir, "crlnumber"), options.crlNumberHex + "\n");
  // Subjects are distinct and unique_subject is off, so openssl's index accepts every line.
  const lines = options.revoked.map((r, i) => {
    const serial = r.serialHex.toUpperCase().padStart(r.serialHex.length + (r.serialHex.length % 2), "0");
    return `R\t491231235959Z\t${databaseTime(r.revokedAt)}${r.reason ? "," + r.reason : ""}\t${serial}\tunknown\t/CN=revoked-${i}`;
  });
  writeFileSync(join(dir, "index.txt"), lines.join("\n") + (lines.length ? "\n" : ""));
  writeFileSync(
    join(dir, "ca.cnf"),
    [
      "[ ca ]",
      "default_ca = crl_ca",
      "[ crl_ca ]",
      `dir = ${dir}`,
      "database = $dir/index.txt",
      ...(numbered ? ["crlnumber = $dir/crlnumber"] : []),
      "certificate = $dir/ca.pem",
      "private_key = $dir/ca.key",
      "default_md = sha256",
      `default_crl_hours = ${options.hours ?? 24}`,
      "unique_subject = no",
      ...(numbered ? ["crl_extensions = crl_ext", "[ crl_ext ]", "authorityKeyIdentifier = keyid:always"] : []),
      "",
    ].join("\n"),
  );
  const out = join(dir, "openssl.crl.pem");
  const start = performance.now();
  const result = tool("openssl", ["ca", "-config", join(dir, "ca.cnf"), "-gencrl", "-out", out], { timeoutMs: 120_000 });
  const seconds = (performance.now() - start) / 1000;
  if (result.status !== 0) throw new Error(`openssl ca -gencrl failed: ${result.output}`);
  return { pem: readFileSync(out, "utf8"), seconds };
}
