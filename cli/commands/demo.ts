import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { LOCAL_CA_FILES } from "../../pki/local-ca";
import { Command, runCommand } from "../command";
import { caInitCommand } from "./ca-init";
import { certIssueCommand } from "./cert-issue";

interface Flags {
  dir?: string;
}

/** The how-to's CloudFront client certificate variables (client-cert.py), as flags. */
export const HOWTO_CLOUDFRONT_FLAGS = ["--cn", "CloudFront", "--c", "GB", "--l", "London", "--st", "England", "--o", "Serverless Inc", "--ou", "CloudFront", "--purpose", "client_auth", "--lifetime", "90", "--name", "cloudfront"];

/** `edge-mtls demo` (npm start): a local CA and the how-to's CloudFront client certificate. */
export const demoCommand: Command<Flags> = {
  words: ["demo"],
  summary: "Create a local CA under <dir>/ca (once) and issue the how-to's CloudFront client certificate into <dir>.",
  flags: { dir: { type: "string", description: "output directory", defaultText: "certs" } },
  async run(flags, _positionals, io) {
    const dir = resolve(io.cwd, flags.dir ?? "certs");
    const caDir = join(dir, "ca");
    if (!existsSync(join(caDir, LOCAL_CA_FILES.config))) {
      const status = await runCommand(caInitCommand, ["--dir", caDir], io);
      if (status !== 0) return status;
    } else {
      io.stdout.write(`Using the CA in ${caDir}\n`);
    }
    const status = await runCommand(certIssueCommand, ["--ca-dir", caDir, "--out", dir, ...HOWTO_CLOUDFRONT_FLAGS], io);
    if (status !== 0) return status;
    io.stdout.write(
      `\nCheck it with independent tools:\n` +
        `  openssl verify -x509_strict -purpose sslclient -CAfile ${join(caDir, LOCAL_CA_FILES.rootCert)} -untrusted ${join(caDir, LOCAL_CA_FILES.issuingCert)} ${join(dir, "cloudfront-cert.pem")}\n` +
        `  certtool --verify-chain --infile ${join(dir, "cloudfront-cert.crt")}\n`,
    );
    return 0;
  },
};
