import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { loadCommands } from "../../cli/main";
import { readPemBlocks } from "../../pki/pem";
import { put, tempDir, tool } from "../support/tools";
import { runCli as cli } from "../support/run-cli";


function mode(path: string): number {
  return statSync(path).mode & 0o777;
}

describe("cli: edge-mtls ca / cert / crl", function () {
  this.timeout(60_000);
  const work = tempDir();
  after(work.cleanup);
  const howto = ["--cn", "CloudFront", "--ou", "CloudFront", "--o", "Serverless Inc", "--c", "GB", "--l", "London", "--st", "England", "--purpose", "client_auth", "--lifetime", "90"];

  before(async () => {
    const init = await cli(work.dir, "ca", "init", "--dir", "ca", "--crl-url", "http://pki.example.com/issuing.crl");
    assert.equal(init.code, 0, init.stderr);
  });

  it("ca init writes certificates, the bundle and 0600 keys, and refuses to overwrite a CA", async () => {
    const ca = join(work.dir, "ca");
    assert.equal(mode(join(ca, "root-ca-key.pem")), 0o600);
    assert.equal(mode(join(ca, "issuing-ca-key.pem")), 0o600);
    const verify = tool("openssl", ["verify", "-x509_strict", "-CAfile", join(ca, "root-ca-cert.pem"), join(ca, "issuing-ca-cert.pem")]);
    assert.equal(verify.status, 0, verify.output);
    const again = await cli(work.dir, "ca", "init", "--dir", "ca");
    assert.equal(again.code, 1);
    assert.match(again.stderr, /^edge-mtls: error CA_EXISTS \(dir\): .*already holds a CA/);
  });

  it("ca init refuses a P-521 CA key, saying why", async () => {
    const result = await cli(work.dir, "ca", "init", "--dir", "ca521", "--root-key", "ecdsa-p521");
    assert.equal(result.code, 1);
    assert.match(result.stderr, /KEY_UNSUPPORTED.*CloudFront trust stores accept only/);
    assert.equal(existsSync(join(work.dir, "ca521")), false);
  });

  it("cert issue writes the how-to's four files: key 0600, leaf, leaf+issuing+root, key+leaf+issuing+root", async () => {
    const result = await cli(work.dir, "cert", "issue", "--ca-dir", "ca", ...howto, "--out", "out", "--name", "cloudfront");
    assert.equal(result.code, 0, result.stderr);
    const out = join(work.dir, "out");
    assert.deepEqual(readdirSync(out).sort(), ["cloudfront-cert-key.pem", "cloudfront-cert.crt", "cloudfront-cert.pem", "cloudfront-key.pem"]);
    assert.equal(mode(join(out, "cloudfront-key.pem")), 0o600);
    assert.equal(mode(join(out, "cloudfront-cert-key.pem")), 0o600);
    const leaf = readFileSync(join(out, "cloudfront-cert.pem"), "utf8");
    const issuing = readFileSync(join(work.dir, "ca", "issuing-ca-cert.pem"), "utf8");
    const root = readFileSync(join(work.dir, "ca", "root-ca-cert.pem"), "utf8");
    const key = readFileSync(join(out, "cloudfront-key.pem"), "utf8");
    assert.equal(readFileSync(join(out, "cloudfront-cert.crt"), "utf8"), leaf + issuing + root);
    assert.equal(readFileSync(join(out, "cloudfront-cert-key.pem"), "utf8"), key + leaf + issuing + root);
    assert.deepEqual(readPemBlocks(readFileSync(join(out, "cloudfront-cert-key.pem"), "utf8"), "f").map((b) => b.label), ["EC PRIVATE KEY", "CERTIFICATE", "CERTIFICATE", "CERTIFICATE"]);
    const subject = tool("openssl", ["x509", "-noout", "-subject", "-nameopt", "compat", "-in", join(out, "cloudfront-cert.pem")]).stdout;
    assert.equal(subject.trim(), "subject=/CN=CloudFront/C=GB/L=London/O=Serverless Inc/OU=CloudFront/ST=England");
    const gnutls = tool("certtool", ["--verify-chain", "--infile", join(out, "cloudfront-cert.crt")]);
    assert.match(gnutls.output, /Chain verification output: Verified/);
    const strict = tool("openssl", ["verify", "-x509_strict", "-purpose", "sslclient", "-CAfile", join(work.dir, "ca", "ca-bundle.pem"), join(out, "cloudfront-cert.pem")]);
    assert.equal(strict.status, 0, strict.output);
  });

  it("cert issue --csr signs a CSR made by openssl, writes no key files, and subject flags override the CSR", async () => {
    const csr = tool("openssl", ["req", "-new", "-nodes", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-keyout", join(work.dir, "own-key.pem"), "-subj", "/CN=api.example.com/OU=Original", "-addext", "subjectAltName=DNS:api.example.com", "-outform", "DER"]);
    put(work.dir, "own.csr.der", Buffer.from(csr.stdout, "latin1"));
    const pemCsr = tool("openssl", ["req", "-new", "-key", join(work.dir, "own-key.pem"), "-subj", "/CN=api.example.com/OU=Original", "-addext", "subjectAltName=DNS:api.example.com"]).stdout;
    put(work.dir, "own.csr", pemCsr);
    const result = await cli(work.dir, "cert", "issue", "--ca-dir", "ca", "--csr", "own.csr", "--ou", "Overridden", "--purpose", "server_auth", "--out", "own", "--json");
    assert.equal(result.code, 0, result.stderr);
    const json = JSON.parse(result.stdout);
    assert.equal(json.subject, "CN=api.example.com,OU=Overridden");
    assert.deepEqual(readdirSync(join(work.dir, "own")).sort(), ["api-example-com-cert.crt", "api-example-com-cert.pem"]);
    const text = tool("openssl", ["x509", "-noout", "-ext", "subjectAltName,extendedKeyUsage", "-in", join(work.dir, "own", "api-example-com-cert.pem")]).stdout;
    assert.match(text, /DNS:api\.example\.com/);
    assert.match(text, /TLS Web Server Authentication/);
  });

  it("a rejected CSR exits non-zero with its code and writes no file", async () => {
    const weak = tool("openssl", ["req", "-new", "-nodes", "-newkey", "rsa:1024", "-keyout", join(work.dir, "weak-key.pem"), "-subj", "/CN=weak"]).stdout;
    put(work.dir, "weak.csr", weak);
    const result = await cli(work.dir, "cert", "issue", "--ca-dir", "ca", "--csr", "weak.csr", "--out", "weak-out");
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^edge-mtls: error KEY_TOO_WEAK \(csrPem\): csrPem: RSA key of 1024 bits is too weak/);
    assert.doesNotMatch(result.stderr, /\n\s+at /, "no stack trace");
    assert.equal(existsSync(join(work.dir, "weak-out")), false);
    const before = readFileSync(join(work.dir, "ca", "inventory.json"), "utf8");
    const lifetime = await cli(work.dir, "cert", "issue", "--ca-dir", "ca", ...howto.slice(0, -2), "--lifetime", "1000", "--out", "long-out");
    assert.equal(lifetime.code, 1);
    assert.match(lifetime.stderr, /LIFETIME_OUT_OF_RANGE \(lifetimeDays\): lifetimeDays must be a whole number from 1 to 365; got 1000/);
    assert.equal(existsSync(join(work.dir, "long-out")), false);
    assert.equal(readFileSync(join(work.dir, "ca", "inventory.json"), "utf8"), before, "nothing recorded");
  });

  it("cert revoke + crl: the CRL lists the serial with its reason, and cert inspect reads certificates and CRLs", async () => {
    const issued = JSON.parse((await cli(work.dir, "cert", "issue", "--ca-dir", "ca", "--cn", "user-9", "--out", "rev", "--json")).stdout);
    const revoke = await cli(work.dir, "cert", "revoke", "--ca-dir", "ca", "--serial", issued.serialNumber, "--reason", "keyCompromise");
    assert.equal(revoke.code, 0, revoke.stderr);
    const crl = await cli(work.dir, "crl", "--ca-dir", "ca", "--out", "issuing.crl");
    assert.equal(crl.code, 0, crl.stderr);
    assert.match(crl.stdout, /1 revoked certificate\(s\) listed/);
    const text = tool("openssl", ["crl", "-inform", "DER", "-in", join(work.dir, "issuing.crl"), "-CAfile", join(work.dir, "ca", "issuing-ca-cert.pem"), "-noout", "-text"]);
    assert.match(text.output, /verify OK/);
    assert.match(text.output, new RegExp(`Serial Number: ${issued.serialNumber.toUpperCase()}[\\s\\S]*Key Compromise`));
    const inspectCrl = JSON.parse((await cli(work.dir, "cert", "inspect", "issuing.crl", "--json")).stdout);
    assert.equal(inspectCrl.type, "CRL");
    assert.equal(inspectCrl.revoked, 1);
    const inspectCert = JSON.parse((await cli(work.dir, "cert", "inspect", join("rev", "user-9-cert.pem"), "--json")).stdout);
    assert.equal(inspectCert.serialNumber, issued.serialNumber);
    assert.deepEqual(inspectCert.keyUsage, ["digitalSignature"]);
    assert.deepEqual(inspectCert.extendedKeyUsage, ["clientAuth"]);
    assert.equal(inspectCert.key, "ecdsa-p256");
    const inspectKeyFile = await cli(work.dir, "cert", "inspect", join("rev", "user-9-cert-key.pem"));
    assert.doesNotMatch(inspectKeyFile.stdout, /PRIVATE KEY|MHcCAQ/, "keys are never printed");
    assert.equal((inspectKeyFile.stdout.match(/^type\s+certificate$/gm) ?? []).length, 3);
    const twice = await cli(work.dir, "cert", "revoke", "--ca-dir", "ca", "--serial", issued.serialNumber);
    assert.equal(twice.code, 1);
    assert.match(twice.stderr, /ALREADY_REVOKED/);
  });

  it("every command has --help, and bad flags exit 2 with the usage", async () => {
    const commands = await loadCommands();
    assert.ok(commands.length >= 12);
    for (const { words } of commands) {
      const help = await cli(work.dir, ...words, "--help");
      assert.equal(help.code, 0);
      assert.match(help.stdout, new RegExp(`^Usage: edge-mtls ${words.join(" ")}`));
    }
    const unknown = await cli(work.dir, "cert", "issue", "--ca-dir", "ca", "--cn", "x", "--colour", "blue");
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /Unknown option '--colour'/);
    assert.match(unknown.stderr, /Usage: edge-mtls cert issue/);
    const missing = await cli(work.dir, "cert", "revoke", "--ca-dir", "ca");
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--serial is required/);
    const badLifetime = await cli(work.dir, "cert", "issue", "--ca-dir", "ca", "--cn", "x", "--lifetime", "ninety");
    assert.equal(badLifetime.code, 2);
    assert.match(badLifetime.stderr, /--lifetime must be a whole number of days; got "ninety"/);
    const noCa = await cli(work.dir, "cert", "issue", "--ca-dir", "nowhere", "--cn", "x");
    assert.equal(noCa.code, 1);
    assert.match(noCa.stderr, /CA_NOT_INITIALISED.*edge-mtls ca init --dir/);
    const unknownCommand = await cli(work.dir, "cert", "frobnicate");
    assert.equal(unknownCommand.code, 2);
  });

  it("the installed binary runs (bin/edge-mtls.js) and npm start's demo makes the how-to's certificate", () => {
    const bin = join(__dirname, "..", "..", "bin", "edge-mtls.js");
    const result = spawnSync(process.execPath, [bin, "demo", "--dir", join(work.dir, "demo")], { encoding: "utf8" });
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /Issued CN=CloudFront,C=GB,L=London,O=Serverless Inc,OU=CloudFront,ST=England/);
    const verify = tool("openssl", ["verify", "-x509_strict", "-purpose", "sslclient", "-CAfile", join(work.dir, "demo", "ca", "ca-bundle.pem"), join(work.dir, "demo", "cloudfront-cert.pem")]);
    assert.equal(verify.status, 0, verify.output);
  });
});
