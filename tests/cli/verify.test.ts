import { strict as assert } from "node:assert";
import { createServer } from "node:net";
import { Rehearsal, startRehearsal } from "../../rehearsal/run";
import { tempDir } from "../support/tools";
import { runCli } from "../support/run-cli";

const verify = (cwd: string, ...args: string[]) => runCli(cwd, "verify", ...args);

describe("cli: edge-mtls verify", function () {
  this.timeout(120_000);
  const work = tempDir();
  const running: Rehearsal[] = [];
  const serve = async (name: string, faults?: Parameters<typeof startRehearsal>[0]["faults"]) => {
    const rehearsal = await startRehearsal({ dir: `${work.dir}/${name}`, edgePort: 0, originPort: 0, faults });
    running.push(rehearsal);
    return rehearsal;
  };
  const args = (r: Rehearsal, withForeign = true) => {
    const c = r.pki.certificates;
    return [
      "--edge", `https://127.0.0.1:${r.edge.port}`,
      "--api", `https://127.0.0.1:${r.origin.port}`,
      "--cert", c.user.crt, "--key", c.user.key,
      "--ca-bundle", r.pki.serverCaPath,
      ...(withForeign ? ["--foreign-cert", c.foreign.crt, "--foreign-key", c.foreign.key] : []),
      "--json",
    ];
  };
  after(async () => {
    for (const r of running) await r.close();
    work.cleanup();
  });

  it("passes every check against the rehearsal's listeners", async () => {
    const r = await serve("good");
    const result = await verify(work.dir, ...args(r));
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const json = JSON.parse(result.stdout);
    assert.deepEqual(json.checks.map((c: { name: string; pass: boolean }) => [c.name, c.pass]), [
      ["no client certificate", true],
      ["user certificate, GET /", true],
      ["user certificate, POST /api", true],
      ["user certificate straight to the API", true],
      ["certificate from another CA", true],
    ]);
  });

  it("fails exactly the no-certificate check against an edge in optional mTLS mode", async () => {
    const r = await serve("open-edge", { edgeMtlsOptional: true });
    const result = await verify(work.dir, ...args(r, false));
    assert.equal(result.code, 1);
    const failed = JSON.parse(result.stdout).checks.filter((c: { pass: boolean }) => !c.pass);
    assert.deepEqual(failed.map((c: { name: string; observed: string }) => [c.name, c.observed]), [["no client certificate", "HTTP 200"]]);
  });

  it("fails exactly the bypass check against an origin whose authorizer allows everyone", async () => {
    const r = await serve("open-origin", { originAllowsEveryone: true });
    const result = await verify(work.dir, ...args(r));
    assert.equal(result.code, 1);
    const failed = JSON.parse(result.stdout).checks.filter((c: { pass: boolean }) => !c.pass);
    assert.deepEqual(failed.map((c: { name: string; observed: string }) => [c.name, c.observed]), [["user certificate straight to the API", "HTTP 200"]]);
  });

  it("reports DNS failures and timeouts as what they are, never as a pass", async () => {
    const r = running[0]!;
    const c = r.pki.certificates;
    const dns = await verify(work.dir, "--edge", "https://edge-mtls-does-not-exist.invalid", "--cert", c.user.crt, "--key", c.user.key, "--timeout", "3000", "--json");
    assert.equal(dns.code, 1);
    for (const check of JSON.parse(dns.stdout).checks) {
      assert.equal(check.pass, false);
      assert.match(check.observed, /^DNS lookup failed \((ENOTFOUND|EAI_AGAIN)\)$/);
    }
    const silent = createServer(() => undefined); // accepts TCP, never speaks TLS
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    try {
      const port = (silent.address() as { port: number }).port;
      const timeout = await verify(work.dir, "--edge", `https://127.0.0.1:${port}`, "--cert", c.user.crt, "--key", c.user.key, "--timeout", "500", "--json");
      assert.equal(timeout.code, 1);
      assert.ok(JSON.parse(timeout.stdout).checks.every((check: { pass: boolean; observed: string }) => !check.pass && /^timed out/.test(check.observed)));
    } finally {
      silent.close();
    }
  });

  it("refuses bad invocations clearly", async () => {
    const noCert = await verify(work.dir, "--edge", "https://example.com");
    assert.equal(noCert.code, 2);
    assert.match(noCert.stderr, /--cert and --key are required/);
    const http = await verify(work.dir, "--edge", "http://example.com", "--cert", "a", "--key", "b");
    assert.equal(http.code, 2);
    assert.match(http.stderr, /--edge must be an https:\/\/ URL/);
  });
});
