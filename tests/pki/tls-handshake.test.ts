import { strict as assert } from "node:assert";
import { createServer, request, Server } from "node:https";
import { AddressInfo } from "node:net";
import { TLSSocket } from "node:tls";
import { buildCrl } from "../../pki/crl";
import { issueLeaf, makeTestCa, TestCa, TestLeaf } from "../support/test-ca";
import { put, tempDir, toolAsync } from "../support/tools";

/** What a client saw: the HTTP status and body, or the TLS/socket error. */
interface Outcome {
  status?: number;
  body?: string;
  error?: string;
}

function get(port: number, ca: string, leaf?: TestLeaf, chainPem = ""): Promise<Outcome> {
  return new Promise((resolve) => {
    const req = request(
      { host: "127.0.0.1", port, servername: "localhost", path: "/", ca, cert: leaf ? leaf.certificate.pem + chainPem : undefined, key: leaf?.keyPem, agent: false },
      (res) => {
        let body = "";
        res.on("data", (d) => (body += d));
        res.on("end", () => resolve({ status: res.statusCode, body }));
        res.on("error", (e) => resolve({ error: e.message }));
      },
    );
    req.on("error", (e) => resolve({ error: e.message }));
    req.end();
  });
}

describe("pki: real TLS handshakes with issued certificates", function () {
  this.timeout(60_000);
  const work = tempDir();
  let ca: TestCa;
  let server: Server;
  let port: number;
  const leaves: Record<string, TestLeaf> = {};
  /** The chain each client sends after its leaf: its own issuing CA. */
  const chains: Record<string, string> = {};
  /** OpenSSL's verify result for each refused client, in order (node's own check, made observable). */
  const refusedWith: string[] = [];

  before(async () => {
    ca = await makeTestCa();
    const foreign = await makeTestCa({ name: "Foreign" });
    const serverLeaf = await issueLeaf(ca, { purposes: ["server_auth"], subject: { commonName: "localhost" }, sans: [{ type: "dns", value: "localhost" }, { type: "ip", value: "127.0.0.1" }] });
    leaves.user = await issueLeaf(ca, { subject: { commonName: "My Test Certificate", organizationalUnit: "Security Operations" } });
    leaves.foreign = await issueLeaf(foreign, { subject: { commonName: "My Test Certificate", organizationalUnit: "Security Operations" } });
    chains.foreign = foreign.issuingPem;
    leaves.expired = await issueLeaf(ca, { lifetimeDays: 30, now: new Date(Date.now() - 400 * 86400_000) });
    leaves.serverOnly = await issueLeaf(ca, { purposes: ["server_auth"], subject: { commonName: "not-a-client" }, sans: [{ type: "dns", value: "x.example.com" }] });
    leaves.revoked = await issueLeaf(ca, { subject: { commonName: "revoked user" } });
    const now = new Date();
    const nextUpdate = new Date(now.getTime() + 3600_000);
    const issuingCrl = await buildCrl(ca.issuing, {
      crlNumber: 1,
      thisUpdate: now,
      nextUpdate,
      entries: [{ serialHex: leaves.revoked.certificate.serialHex, revokedAt: now, reason: "keyCompromise", notAfter: leaves.revoked.certificate.notAfter }],
    });
    const rootCrl = await buildCrl(ca.root, { crlNumber: 1, thisUpdate: now, nextUpdate, entries: [] });
    put(work.dir, "crl.pem", issuingCrl.pem + rootCrl.pem);
    server = createServer(
      // node turns on CRL checking for every chain level when CRLs are given. rejectUnauthorized is
      // off only so that the listener below can record *why* OpenSSL refused a client before it
      // drops the connection, which is what node does itself with rejectUnauthorized on.
      { key: serverLeaf.keyPem, cert: serverLeaf.certificate.pem + ca.issuingPem, ca: ca.bundlePem, requestCert: true, rejectUnauthorized: false, crl: [issuingCrl.pem, rootCrl.pem] },
      (req, res) => {
        const socket = req.socket as TLSSocket;
        assert.ok(socket.authorized, "only verified clients reach the handler");
        res.end(`hello ${socket.getPeerCertificate().subject.CN}`);
      },
    );
    server.prependListener("secureConnection", (socket: TLSSocket) => {
      if (!socket.authorized) {
        refusedWith.push(String(socket.authorizationError));
        socket.destroy();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
    for (const [name, leaf] of Object.entries(leaves)) {
      chains[name] ??= ca.issuingPem;
      put(work.dir, `${name}-cert.crt`, leaf.certificate.pem + chains[name]);
      put(work.dir, `${name}-key.pem`, leaf.keyPem);
    }
    put(work.dir, "ca-bundle.pem", ca.bundlePem);
  });

  after(async () => {
    await new Promise((resolve) => server.close(resolve));
    work.cleanup();
  });

  it("node client: accepts the issued client certificate", async () => {
    const outcome = await get(port, ca.bundlePem, leaves.user, ca.issuingPem);
    assert.deepEqual(outcome, { status: 200, body: "hello My Test Certificate" });
  });

  // OpenSSL's verify result names the reason: the right refusal for the right cause.
  const refusals: Array<[string, string | undefined, string]> = [
    ["no certificate", undefined, "UNABLE_TO_GET_ISSUER_CERT"],
    // node lets OpenSSL verify on past the first error (unknown issuer) and reports the last one:
    // there is no CRL for the foreign issuing CA either.
    ["a certificate from another CA", "foreign", "UNABLE_TO_GET_CRL"],
    ["an expired certificate", "expired", "CERT_HAS_EXPIRED"],
    ["a certificate without clientAuth", "serverOnly", "INVALID_PURPOSE"],
    ["a revoked certificate (server given our CRLs)", "revoked", "CERT_REVOKED"],
  ];
  for (const [what, leafName, reason] of refusals) {
    it(`node client: refuses ${what} (${reason})`, async () => {
      const before = refusedWith.length;
      const outcome = await get(port, ca.bundlePem, leafName ? leaves[leafName] : undefined, leafName ? chains[leafName] : "");
      assert.equal(outcome.status, undefined, `must not get a response: ${JSON.stringify(outcome)}`);
      assert.match(outcome.error ?? "", /socket hang up|ECONNRESET|certificate required/);
      assert.deepEqual(refusedWith.slice(before), [reason]);
    });
  }

  it("curl --cert/--key: 200 with the user certificate, refused when revoked or absent", async () => {
    const curl = (name?: string) =>
      toolAsync("curl", ["-sS", "--max-time", "10", "--cacert", `${work.dir}/ca-bundle.pem`, "--resolve", `localhost:${port}:127.0.0.1`, ...(name ? ["--cert", `${work.dir}/${name}-cert.crt`, "--key", `${work.dir}/${name}-key.pem`] : []), `https://localhost:${port}/`]);
    const ok = await curl("user");
    assert.equal(ok.status, 0, ok.output);
    assert.equal(ok.stdout, "hello My Test Certificate");
    const before = refusedWith.length;
    const revoked = await curl("revoked");
    assert.notEqual(revoked.status, 0);
    assert.doesNotMatch(revoked.stdout, /hello/);
    const none = await curl();
    assert.notEqual(none.status, 0);
    assert.deepEqual(refusedWith.slice(before), ["CERT_REVOKED", "UNABLE_TO_GET_ISSUER_CERT"]);
  });

  it("gnutls-cli (GnuTLS, another TLS stack): handshake and response with the user certificate; revoked refused", async () => {
    const gnutls = (name: string) =>
      toolAsync("gnutls-cli", ["--x509cafile", `${work.dir}/ca-bundle.pem`, "--x509certfile", `${work.dir}/${name}-cert.crt`, "--x509keyfile", `${work.dir}/${name}-key.pem`, "-p", String(port), "localhost"], {
        input: "GET / HTTP/1.0\r\nHost: localhost\r\n\r\n",
      });
    const ok = await gnutls("user");
    assert.match(ok.output, /Handshake was completed/);
    assert.match(ok.stdout, /hello My Test Certificate/);
    const before = refusedWith.length;
    const revoked = await gnutls("revoked");
    assert.doesNotMatch(revoked.stdout, /hello/);
    assert.deepEqual(refusedWith.slice(before), ["CERT_REVOKED"]);
  });
});
