import { resolve } from "node:path";
import { REVOCATION_REASON_NAMES } from "../../pki/crl";
import { isPkiError } from "../../pki/errors";
import { LocalCa } from "../../pki/local-ca";
import { awsClients, invokeCaFunction } from "../aws-ca";
import { Command, UsageError } from "../command";

interface Flags {
  "ca-dir"?: string;
  "ca-function"?: string;
  region?: string;
  serial?: string;
  reason?: string;
  json?: boolean;
}

/** `edge-mtls cert revoke`: marks a certificate revoked; the next CRL lists it. */
export const certRevokeCommand: Command<Flags> = {
  words: ["cert", "revoke"],
  summary: "Revoke a certificate: in a local CA (the next 'edge-mtls crl' lists it with its reason), or through the deployed CA's ca-revoker.",
  flags: {
    "ca-dir": { type: "string", description: "directory of a local CA; or use --ca-function" },
    "ca-function": { type: "string", description: "the deployed CA's ca-revoker function (name or ARN; stack output revokerFunctionArn): revoke there, which publishes the CRL at once. Your role must be in the CA's edge-mtls:revokerPrincipals" },
    region: { type: "string", description: "with --ca-function: the CA's region", defaultText: "the AWS environment's" },
    serial: { type: "string", required: true, description: "serial number in hex (colons allowed, as openssl prints it)" },
    reason: { type: "string", description: `RFC 5280 reason: ${REVOCATION_REASON_NAMES.join(", ")}`, defaultText: "unspecified" },
    json: { type: "boolean", description: "print the result as JSON" },
  },
  async run(flags, _positionals, io) {
    if (!!flags["ca-dir"] === !!flags["ca-function"]) throw new UsageError("give either --ca-dir (a local CA) or --ca-function (the deployed CA's ca-revoker)");
    if (flags["ca-function"]) {
      const request = { action: "revoke", serialNumber: flags.serial, reason: flags.reason ?? "unspecified" };
      const body = await invokeCaFunction(awsClients(flags.region).lambda, flags["ca-function"], request, "ca-revoker").catch((error: unknown) => {
        // ca-issuer answers a revoke with ACTION_MOVED: the wrong function was named, not a refusal.
        if (isPkiError(error) && error.code === "ACTION_MOVED") throw new UsageError(`--ca-function ${flags["ca-function"]} is ca-issuer, which does not revoke; give the CA's ca-revoker (stack output revokerFunctionArn)`);
        throw error;
      });
      if (flags.json) io.stdout.write(JSON.stringify(body, null, 2) + "\n");
      else io.stdout.write(`Revoked ${body.serialNumber} at ${body.revokedAt}, reason ${body.reason}; CRL ${body.crlNumber} published\n`);
      return 0;
    }
    const ca = await LocalCa.open(resolve(io.cwd, flags["ca-dir"]!));
    const record = ca.revoke(flags.serial, flags.reason ?? "unspecified");
    if (flags.json) io.stdout.write(JSON.stringify(record, null, 2) + "\n");
    else io.stdout.write(`Revoked ${record.serialHex} (${record.subject}) at ${record.revokedAt}, reason ${record.reason}\n`);
    return 0;
  },
};
