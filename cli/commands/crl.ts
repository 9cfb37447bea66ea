import { basename, dirname, resolve } from "node:path";
import { LocalCa } from "../../pki/local-ca";
import { writeFilesAtomically } from "../../pki/files";
import { Command } from "../command";

interface Flags {
  "ca-dir"?: string;
  out?: string;
  pem?: boolean;
  root?: boolean;
}

/** `edge-mtls crl`: the issuing CA's next CRL (or the root's). */
export const crlCommand: Command<Flags> = {
  words: ["crl"],
  summary: "Build and sign the next CRL of a local CA's issuing CA (expired entries pruned), as DER or PEM.",
  flags: {
    "ca-dir": { type: "string", required: true, description: "directory of the local CA" },
    out: { type: "string", required: true, description: "file to write the CRL to" },
    pem: { type: "boolean", description: "write PEM instead of DER" },
    root: { type: "boolean", description: "the root CA's CRL instead of the issuing CA's" },
  },
  async run(flags, _positionals, io) {
    const ca = await LocalCa.open(resolve(io.cwd, flags["ca-dir"]!));
    const crl = flags.root ? await ca.rootCrl() : await ca.crl();
    const out = resolve(io.cwd, flags.out!);
    writeFilesAtomically(dirname(out), [{ name: basename(out), content: flags.pem ? crl.pem : crl.der, secret: false }]);
    io.stdout.write(`Wrote ${out}: ${crl.listed} revoked certificate(s) listed, ${crl.pruned} expired entr${crl.pruned === 1 ? "y" : "ies"} pruned\n`);
    return 0;
  },
};
