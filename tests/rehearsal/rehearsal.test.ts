import { strict as assert } from "node:assert";
import { createServer } from "node:net";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Rehearsal, startRehearsal } from "../../rehearsal/run";
import { createPrivateKey, X509Certificate } from "node:crypto";
import { put, tempDir, tool, toolAsync } from "../support/tools";
import { runCli as cli } from "../support/run-cli";


describe("rehearsal: the whole chain on loopback", function () {
  this.timeout(120_000);
  const work = tempDir();
  let rehearsal: Rehearsal;
  const decisions: string[] = [];

  before(async () => {
    rehearsal = await startRehearsal({ dir: join(work.dir, "r"), edgePort: 0, originPort: 0, log: (line) => decisions.push(line) });
  });
  after(async () => {
    await rehearsal.close();
    work.cleanup();
  });

  it("passes the how-to's seven checks, each for the right reason", async () => {
    const results = await rehearsal.check();
    assert.deepEqual(results.map((r) => [r.name, r.pass]), [
      ["no client certificate", true],
      ["user certificate, GET /", true],
      ["user certificate, POST /api", true],
      ["API access log of that request", true],
      ["user certificate straight to the API", true],
      ["revoked certificate", true],
      ["certificate from another CA", true],
    ]);
    const revokedKey = rehearsal.pki.certificates.revoked.serialHex.toLowerCase().replace(/^0+/, "");
    assert.ok(decisions.some((d) => d === `edge connection-function: deny: revoked ${revokedKey}`), "the revoked certificate is denied by the connection function (its KeyValueStore filled by revocation-sync)");
    assert.ok(decisions.some((d) => /edge refused a viewer at the trust store: (SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)/.test(d)), "the foreign certificate fails at the trust store");
    assert.ok(decisions.some((d) => d === "origin authorizer cloudfront-origin not called: identity source method.request.header.X-Origin-Verify missing or empty"), "the bypass is refused by API Gateway before the authorizer, for the missing identity source");
    const log = readFileSync(rehearsal.accessLogPath, "utf8").trim().split("\n").map((l) => JSON.parse(l));
    const allowed = log.find((l) => l.status === "200")!;
    assert.equal(allowed.certSubjectDN, "CN=CloudFront,OU=CloudFront", "the subject Pulumi.workload-dev.yaml declares, in API Gateway's form");
    assert.match(allowed.certSerialNumber, /^\d+$/);
    assert.match(allowed.requestTime, /^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);
    const denied = log.find((l) => l.status === "401")!;
    assert.equal(denied.errorResponseType, "UNAUTHORIZED");
    assert.match(denied.certSubjectDN, /^CN=My Test Certificate/);
  });

  it("curl, another client, sees the same: the site, the API through the edge, refusals", async () => {
    const files = rehearsal.pki.certificates;
    const curl = (name: "user" | "revoked" | "foreign", ...args: string[]) =>
      toolAsync("curl", ["-sS", "--max-time", "10", "--cacert", rehearsal.pki.serverCaPath, "--cert", files[name].crt, "--key", files[name].key, "--resolve", `localhost:${rehearsal.edge.port}:127.0.0.1`, "--resolve", `localhost:${rehearsal.origin.port}:127.0.0.1`, ...args]);
    const site = await curl("user", `${rehearsal.edgeUrl}/`);
    assert.equal(site.status, 0, site.output);
    assert.match(site.stdout, /served from the S3 origin/);
    const api = await curl("user", "-X", "POST", "-H", "content-type: application/json", "-d", '{"from":"curl"}', `${rehearsal.edgeUrl}/api`);
    assert.deepEqual(JSON.parse(api.stdout).echo, { from: "curl" });
    assert.match(JSON.parse(api.stdout).viewer.subject, /^CN=My Test Certificate/);
    const bypass = await curl("user", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST", "-d", "{}", `${rehearsal.originUrl}/api`);
    assert.equal(bypass.stdout, "401");
    const revoked = await curl("revoked", `${rehearsal.edgeUrl}/`);
    assert.notEqual(revoked.status, 0);
    const noCert = await toolAsync("curl", ["-sS", "--max-time", "10", "--cacert", rehearsal.pki.serverCaPath, "--resolve", `localhost:${rehearsal.edge.port}:127.0.0.1`, `${rehearsal.edgeUrl}/`]);
    assert.notEqual(noCert.status, 0);
  });

  it("gnutls-cli, another TLS stack, completes the handshake with the user certificate and gets the site", async () => {
    const files = rehearsal.pki.certificates;
    const result = await toolAsync("gnutls-cli", ["--x509cafile", rehearsal.pki.serverCaPath, "--x509certfile", files.user.crt, "--x509keyfile", files.user.key, "-p", String(rehearsal.edge.port), "localhost"], { input: "GET / HTTP/1.0\r\nHost: localhost\r\n\r\n", holdStdinMs: 1500 });
    assert.match(result.output, /Handshake was completed/);
    assert.match(result.stdout, /HTTP\/1\.[01] 200/);
    assert.match(result.stdout, /served from the S3 origin/);
  });

  it("origin-cert-renewer renews a short-lived origin certificate under a fake clock while viewers keep calling /api through the edge", async () => {
    const row = await rehearsal.checkRenewal();
    assert.equal(row.pass, true, row.observed);
    assert.match(row.observed, /^not-due, due \([0-9a-f]{8}… → [0-9a-f]{8}…\), not-due; \d+ \/api calls, all 200; origin saw old [1-9]\d*, new [1-9]\d*$/);
    // What the edge presents now is what the renewer imported: a new key, this CA, clientAuth (openssl judges), a full 2-day lifetime.
    const { certPem, keyPem } = rehearsal.originCertificate.current();
    const leaf = new X509Certificate(certPem);
    assert.ok(leaf.checkPrivateKey(createPrivateKey(keyPem)));
    assert.equal(Math.round((new Date(leaf.validTo).getTime() - Date.now()) / 3600_000), 48);
    const verify = tool("openssl", ["verify", "-x509_strict", "-purpose", "sslclient", "-CAfile", rehearsal.pki.bundlePath, "-untrusted", put(work.dir, "renewed-chain.pem", certPem), put(work.dir, "renewed.pem", certPem)]);
    assert.equal(verify.status, 0, verify.output);
    // The API saw each origin certificate by its serial; the last calls carried the new one.
    const serials = readFileSync(rehearsal.accessLogPath, "utf8").trim().split("\n").map((l) => JSON.parse(l).certSerialNumber as string);
    assert.equal(serials.at(-1), BigInt(`0x${leaf.serialNumber}`).toString(10));
    // The key never reaches the log.
    assert.ok(!decisions.some((d) => /PRIVATE KEY/.test(d)));
  });

  it("the renewal row fails when the edge does not present what was re-imported", async () => {
    const acm = rehearsal.originCertificate;
    const frozen = acm.current();
    const current = acm.current.bind(acm);
    acm.current = () => frozen;
    try {
      const row = await rehearsal.checkRenewal();
      assert.equal(row.pass, false, row.observed);
      assert.match(row.observed, /origin saw old 0, new 0$/);
    } finally {
      acm.current = current;
    }
  });
});

describe("rehearsal: the command", function () {
  this.timeout(120_000);
  const work = tempDir();
  after(work.cleanup);

  it("prints the table and exits 0 when every check passes; --json gives the same as one object", async () => {
    const result = await cli(work.dir, "rehearse", "--dir", "r1", "--json");
    assert.equal(result.code, 0, result.stderr);
    const json = JSON.parse(result.stdout);
    assert.equal(json.pass, true);
    assert.equal(json.checks.length, 8, "the how-to's seven checks and the origin certificate's renewal");
    assert.equal(json.checks[7].name, "origin certificate renews itself");
  });

  it("refuses bad flags, a port already taken and an unwritable directory, clearly and non-zero", async () => {
    const badFlag = await cli(work.dir, "rehearse", "--edge-port", "http");
    assert.equal(badFlag.code, 2);
    assert.match(badFlag.stderr, /--edge-port must be a port number from 0 to 65535/);
    const unknown = await cli(work.dir, "rehearse", "--fast");
    assert.equal(unknown.code, 2);
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const taken = (blocker.address() as { port: number }).port;
    try {
      const busy = await cli(work.dir, "rehearse", "--dir", "r2", "--edge-port", String(taken));
      assert.equal(busy.code, 1);
      assert.match(busy.stderr, new RegExp(`the edge port ${taken} is already in use; pick another with --edge-port`));
    } finally {
      blocker.close();
    }
    const nosuch = await cli(work.dir, "rehearse", "--dir", "r3", "--env", "nosuch");
    assert.equal(nosuch.code, 1);
    assert.match(nosuch.stderr, /^edge-mtls: error STACK_FILE_MISSING: there is no stack file Pulumi\.ca-nosuch\.yaml in .* for --env nosuch\n$/m);
    assert.equal(existsSync(join(work.dir, "r3")), false, "nothing written for a stack that is not there");
    put(work.dir, "a-file", "not a directory");
    const unwritable = await cli(work.dir, "rehearse", "--dir", "a-file/inside");
    assert.equal(unwritable.code, 1);
    assert.match(unwritable.stderr, /cannot write to --dir .*a-file\/inside: (ENOTDIR|EEXIST); choose a writable directory/);
  });
});
