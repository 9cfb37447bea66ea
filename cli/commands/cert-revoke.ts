import { resolve } from "node:path";
import { REVOCATION_REASON_NAMES } from "../../pki/crl";
import { LocalCa } from "../../pki/local-ca";
import { Command } from "../command";

interface Flags {
  "ca-dir"?: string;
  serial?: string;
  reason?: string;
  json?: boolean;
}

/** `edge-mtls cert revoke`: marks a certificate revoked; the next CRL lists it. */
export const certRevokeCommand: Command<Flags> = {
  words: ["cert", "revoke"],
  summary: "Revoke a certificate issued by a local CA. The next 'edge-mtls crl' lists it with its reason.",
  flags: {
    "ca-dir": { type: "string", required: true, description: "directory of the local CA" },
    serial: { type: "string", required: true, description: "serial number in hex (colons allowed, as openssl prints it)" },
    reason: { type: "string", description: `RFC 5280 reason: ${REVOCATION_REASON_NAMES.join(", ")}`, defaultText: "unspecified" },
    json: { type: "boolean", description: "print the result as JSON" },
  },
  async run(flags, _positionals, io) {
    const ca = await LocalCa.open(resolve(io.cwd, flags["ca-dir"]!));
    const record = ca.revoke(flags.serial, flags.reason ?? "unspecified");
    if (flags.json) io.stdout.write(JSON.stringify(record, null, 2) + "\n");
    else io.stdout.write(`Revoked ${record.serialHex} (${record.subject}) at ${record.revokedAt}, reason ${record.reason}\n`);
    return 0;
  },
};
