import { resolve } from "node:path";
import { DEFAULT_ISSUANCE_POLICY } from "../../pki/issuance-policy";
import { parseCaKeyAlgorithmName } from "../../pki/key-algorithms";
import { DEFAULT_ISSUING_SUBJECT, DEFAULT_ROOT_SUBJECT, LOCAL_CA_FILES, LocalCa } from "../../pki/local-ca";
import { formatName, validateSubject } from "../../pki/names";
import { DEFAULT_MAX_LEAF_LIFETIME_DAYS } from "../../pki/profiles";
import { Command, intFlag } from "../command";

interface Flags {
  dir?: string;
  "root-key"?: string;
  "issuing-key"?: string;
  "root-cn"?: string;
  "issuing-cn"?: string;
  o?: string;
  c?: string;
  "crl-url"?: string;
  "ca-issuers-url"?: string;
  "root-crl-url"?: string;
  "root-ca-issuers-url"?: string;
  "policy-oid"?: string[];
  "max-lifetime"?: string;
  json?: boolean;
}

/** `edge-mtls ca init`: a root and an issuing CA in a directory, keys 0600. */
export const caInitCommand: Command<Flags> = {
  words: ["ca", "init"],
  summary: "Create a local root CA and issuing CA (node crypto keys, written 0600), their certificates and ca-bundle.pem.",
  flags: {
    dir: { type: "string", required: true, description: "directory to create the CA in" },
    "root-key": { type: "string", description: "root key type", defaultText: "ecdsa-p384" },
    "issuing-key": { type: "string", description: "issuing CA key type", defaultText: "ecdsa-p256" },
    "root-cn": { type: "string", description: "root CA common name", defaultText: JSON.stringify(DEFAULT_ROOT_SUBJECT.commonName) },
    "issuing-cn": { type: "string", description: "issuing CA common name", defaultText: JSON.stringify(DEFAULT_ISSUING_SUBJECT.commonName) },
    o: { type: "string", description: "organization of both CAs", defaultText: JSON.stringify(DEFAULT_ROOT_SUBJECT.organization) },
    c: { type: "string", description: "two-letter country of both CAs" },
    "crl-url": { type: "string", description: "URL of the issuing CA's CRL, put in every leaf" },
    "ca-issuers-url": { type: "string", description: "URL of the issuing CA certificate (AIA), put in every leaf" },
    "root-crl-url": { type: "string", description: "URL of the root CRL, put in the issuing CA certificate" },
    "root-ca-issuers-url": { type: "string", description: "URL of the root certificate (AIA), put in the issuing CA certificate" },
    "policy-oid": { type: "string", multiple: true, description: "certificate policy OID asserted in leaves" },
    "max-lifetime": { type: "string", description: "longest leaf lifetime in days", defaultText: String(DEFAULT_MAX_LEAF_LIFETIME_DAYS) },
    json: { type: "boolean", description: "print the result as JSON" },
  },
  async run(flags, _positionals, io) {
    const dir = resolve(io.cwd, flags.dir!);
    const organization = flags.o ?? DEFAULT_ROOT_SUBJECT.organization;
    const common = { organization, country: flags.c };
    const ca = await LocalCa.init(dir, {
      rootKey: parseCaKeyAlgorithmName(flags["root-key"] ?? "ecdsa-p384", "--root-key"),
      issuingKey: parseCaKeyAlgorithmName(flags["issuing-key"] ?? "ecdsa-p256", "--issuing-key"),
      rootSubject: validateSubject({ ...common, commonName: flags["root-cn"] ?? DEFAULT_ROOT_SUBJECT.commonName }, "root subject"),
      issuingSubject: validateSubject({ ...common, commonName: flags["issuing-cn"] ?? DEFAULT_ISSUING_SUBJECT.commonName }, "issuing subject"),
      leafProfile: {
        crlUrls: flags["crl-url"] ? [flags["crl-url"]] : [],
        caIssuersUrls: flags["ca-issuers-url"] ? [flags["ca-issuers-url"]] : [],
        policyOids: flags["policy-oid"] ?? [],
      },
      issuingProfile: {
        crlUrls: flags["root-crl-url"] ? [flags["root-crl-url"]] : [],
        caIssuersUrls: flags["root-ca-issuers-url"] ? [flags["root-ca-issuers-url"]] : [],
        policyOids: flags["policy-oid"] ?? [],
      },
      policy: { ...DEFAULT_ISSUANCE_POLICY, maxLifetimeDays: intFlag(flags["max-lifetime"], "max-lifetime", DEFAULT_MAX_LEAF_LIFETIME_DAYS) },
    });
    const result = {
      dir,
      root: { subject: formatName(ca.root.nameDer), file: LOCAL_CA_FILES.rootCert },
      issuing: { subject: formatName(ca.issuing.nameDer), file: LOCAL_CA_FILES.issuingCert },
      bundle: LOCAL_CA_FILES.bundle,
      keys: [LOCAL_CA_FILES.rootKey, LOCAL_CA_FILES.issuingKey],
    };
    if (flags.json) {
      io.stdout.write(JSON.stringify(result, null, 2) + "\n");
    } else {
      io.stdout.write(`Created a CA in ${dir}\n  root:    ${result.root.subject} (${result.root.file})\n  issuing: ${result.issuing.subject} (${result.issuing.file})\n  bundle:  ${result.bundle} (root then issuing: the trust store content)\n  keys:    ${result.keys.join(", ")} (mode 0600)\n`);
    }
    return 0;
  },
};
