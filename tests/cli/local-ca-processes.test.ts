import { strict as assert } from "node:assert";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { LOCAL_CA_FILES, LocalCa } from "../../pki/local-ca";
import { runCli } from "../support/run-cli";
import { tempDir, tool } from "../support/tools";

const BIN = join(__dirname, "..", "..", "bin", "edge-mtls.js");
const KILL_HOOK = join(__dirname, "..", "support", "kill-at-fs-step.js");

/** Runs the real binary in its own process; resolves when it exits (or is killed). */
function runBin(cwd: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  return new Promise((resolvePromise) => {
    const child = spawn(process.execPath, ["-r", KILL_HOOK, BIN, ...args], { cwd, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code, signal) => resolvePromise({ code, signal, stdout, stderr }));
  });
}

/** Runs `count` jobs, at most `width` at a time. */
async function inBatches<T>(count: number, width: number, job: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < count) {
      const i = next++;
      results[i] = await job(i);
    }
  }));
  return results;
}

const inventory = (caDir: string) => JSON.parse(readFileSync(join(caDir, LOCAL_CA_FILES.inventory), "utf8")) as Array<{ serialHex: string; status: string; reason?: string }>;
const mode = (path: string) => statSync(path).mode & 0o777;

describe("cli: one local CA shared by many processes", function () {
  this.timeout(300_000);
  const work = tempDir();
  after(work.cleanup);

  it("24 parallel 'cert issue' processes and a racing 'cert revoke': every certificate is recorded and the revocation is kept", async () => {
    const init = await runCli(work.dir, "ca", "init", "--dir", "ca");
    assert.equal(init.code, 0, init.stderr);
    const first = JSON.parse((await runCli(work.dir, "cert", "issue", "--ca-dir", "ca", "--cn", "user-0", "--out", "out-0", "--json")).stdout);
    const issues = Array.from({ length: 24 }, (_, i) => runBin(work.dir, ["cert", "issue", "--ca-dir", "ca", "--cn", `user-${i + 1}`, "--out", `out-${i + 1}`, "--json"]));
    const revoke = new Promise((r) => setTimeout(r, 700)).then(() => runBin(work.dir, ["cert", "revoke", "--ca-dir", "ca", "--serial", first.serialNumber, "--reason", "keyCompromise"]));
    const results = await Promise.all([...issues, revoke]);
    for (const r of results) assert.equal(r.code, 0, r.stderr);
    const serials = results.slice(0, 24).map((r) => JSON.parse(r.stdout).serialNumber as string);
    const records = inventory(join(work.dir, "ca"));
    assert.equal(records.length, 25, `${records.length} of 25 recorded`);
    assert.deepEqual(new Set(records.map((r) => r.serialHex)), new Set([first.serialNumber, ...serials]));
    const revoked = records.filter((r) => r.status === "revoked");
    assert.deepEqual(revoked.map((r) => [r.serialHex, r.reason]), [[first.serialNumber, "keyCompromise"]]);
    // Every one of them can now be revoked, and the CRL lists what was revoked.
    assert.equal((await runCli(work.dir, "cert", "revoke", "--ca-dir", "ca", "--serial", serials[23]!)).code, 0);
    const crl = await runCli(work.dir, "crl", "--ca-dir", "ca", "--out", "issuing.crl");
    assert.equal(crl.code, 0, crl.stderr);
    const text = tool("openssl", ["crl", "-inform", "DER", "-in", join(work.dir, "issuing.crl"), "-noout", "-text"]).stdout;
    for (const serial of [first.serialNumber, serials[23]!]) assert.match(text, new RegExp(`Serial Number: ${serial.toUpperCase()}`));
    assert.deepEqual(readdirSync(join(work.dir, "ca")).filter((f) => f.endsWith(".tmp") || f === "ca.lock"), [], "no temporaries or lock left");
  });
});

describe("cli: 'ca init' killed at any point", function () {
  this.timeout(600_000);
  const work = tempDir();
  after(work.cleanup);

  it("leaves no CA or a complete one, nothing else once re-run, and 'ca init' then works", async () => {
    const countDir = join(work.dir, "count");
    const countFile = join(work.dir, "steps.txt");
    const counted = await runBin(work.dir, ["ca", "init", "--dir", join(countDir, "ca")], { EDGE_MTLS_TEST_FS_ROOT: countDir, EDGE_MTLS_TEST_COUNT_FILE: countFile });
    assert.equal(counted.code, 0, counted.stderr);
    const steps = Number(readFileSync(countFile, "utf8"));
    assert.ok(steps >= 30, `only ${steps} file-system steps seen`);
    // Every step at the start and around the final rename, and every fourth one in between (each
    // file is opened, written, synced, closed, chmod-ed and renamed alike): about 25 processes.
    const points = Array.from({ length: steps }, (_, i) => i + 1).filter((n) => n <= 8 || n > steps - 10 || n % 4 === 0);
    const outcomes = await inBatches(points.length, 3, async (j) => {
      const i = points[j]! - 1;
      const root = join(work.dir, `kill-${i + 1}`);
      const target = join(root, "ca");
      const run = await runBin(work.dir, ["ca", "init", "--dir", target], { EDGE_MTLS_TEST_FS_ROOT: root, EDGE_MTLS_TEST_KILL_AT: String(i + 1) });
      assert.equal(run.signal, "SIGKILL", `step ${i + 1} of ${steps}: the process was not killed (${run.stderr})`);
      // Either no CA at all, or one that opens and issues.
      const complete = existsSync(target);
      if (complete) {
        assert.deepEqual(readdirSync(target).sort(), Object.values(LOCAL_CA_FILES).sort(), `step ${i + 1}`);
        await LocalCa.open(target);
      }
      const again = await runCli(work.dir, "ca", "init", "--dir", target);
      if (complete) assert.match(again.stderr, /CA_EXISTS/, `step ${i + 1}`);
      else assert.equal(again.code, 0, `step ${i + 1}: ${again.stderr}`);
      assert.deepEqual(readdirSync(root), ["ca"], `step ${i + 1}: leftovers beside the CA`);
      assert.deepEqual(readdirSync(target).sort(), Object.values(LOCAL_CA_FILES).sort(), `step ${i + 1}: leftovers in the CA`);
      const issued = await runCli(work.dir, "cert", "issue", "--ca-dir", target, "--cn", "after-crash", "--out", join(root, "out"));
      assert.equal(issued.code, 0, `step ${i + 1}: ${issued.stderr}`);
      return complete;
    });
    // The kill points cover both sides of the one rename.
    assert.ok(outcomes.includes(false) && outcomes.includes(true), JSON.stringify(outcomes));
  });

  it("makes the CA directory 0700 and the keys 0600 whatever the umask", () => {
    for (const umask of ["000", "077", "022"]) {
      const dir = join(work.dir, `umask-${umask}`);
      const result = spawnSync("sh", ["-c", `umask ${umask} && exec "${process.execPath}" "${BIN}" ca init --dir "${dir}"`], { encoding: "utf8" });
      assert.equal(result.status, 0, result.stderr);
      assert.equal(mode(dir), 0o700, `umask ${umask}: directory`);
      assert.equal(mode(join(dir, LOCAL_CA_FILES.rootKey)), 0o600, `umask ${umask}: root key`);
      assert.equal(mode(join(dir, LOCAL_CA_FILES.issuingKey)), 0o600, `umask ${umask}: issuing key`);
    }
  });

  it("refuses a directory that is not empty, and takes an empty one", async () => {
    writeFileSync(join(work.dir, "notes.txt"), "x");
    const busy = await runCli(work.dir, "ca", "init", "--dir", ".");
    assert.equal(busy.code, 1);
    assert.match(busy.stderr, /CA_EXISTS \(dir\): .* is not empty \(/);
    const empty = join(work.dir, "empty");
    spawnSync("mkdir", [empty]);
    assert.equal((await runCli(work.dir, "ca", "init", "--dir", "empty")).code, 0);
    assert.equal(mode(empty), 0o700);
  });
});

describe("cli: 'cert issue' checks everything before it issues", function () {
  this.timeout(120_000);
  const work = tempDir();
  after(work.cleanup);
  before(async () => assert.equal((await runCli(work.dir, "ca", "init", "--dir", "ca")).code, 0));

  it("a bad --name, a CN that makes no file name, or an --out it cannot write: exit 2 and nothing recorded", async () => {
    writeFileSync(join(work.dir, "a-file"), "x");
    const before = readFileSync(join(work.dir, "ca", LOCAL_CA_FILES.inventory), "utf8");
    const cases: Array<[string[], RegExp]> = [
      [["--cn", "user-1", "--name", "../escape"], /--name must be letters/],
      [["--cn", "東京"], /--name must be letters.*got ""/],
      [["--cn", "user-1", "--out", "a-file"], /--out .*a-file: .*a-file is not a directory; nothing was issued/],
      [["--cn", "user-1", "--out", "a-file/below"], /is not a directory/],
    ];
    for (const [args, message] of cases) {
      const result = await runCli(work.dir, "cert", "issue", "--ca-dir", "ca", ...args);
      assert.equal(result.code, 2, `${args.join(" ")}: ${result.stderr}`);
      assert.match(result.stderr, message);
    }
    assert.equal(readFileSync(join(work.dir, "ca", LOCAL_CA_FILES.inventory), "utf8"), before, "no ghost records");
  });

  it("--csr /dev/zero is refused at once as too large instead of hanging, and so is an oversized file", () => {
    const result = spawnSync(process.execPath, [BIN, "cert", "issue", "--ca-dir", "ca", "--csr", "/dev/zero"], { cwd: work.dir, encoding: "utf8", timeout: 30_000 });
    assert.equal(result.signal, null, "it must not hang");
    assert.equal(result.status, 1, result.stderr);
    assert.match(result.stderr, /CSR_TOO_LARGE \(--csr\): --csr \/dev\/zero is not a regular file and gave more than 16384 bytes/);
    writeFileSync(join(work.dir, "big.csr"), Buffer.alloc(10 * 1024 * 1024, 0x41));
    const big = spawnSync(process.execPath, [BIN, "cert", "issue", "--ca-dir", "ca", "--csr", "big.csr"], { cwd: work.dir, encoding: "utf8", timeout: 30_000 });
    assert.equal(big.status, 1);
    assert.match(big.stderr, /CSR_TOO_LARGE \(--csr\): --csr .*big\.csr is 10485760 bytes/);
  });

  it("--key-type and --reason refuse prototype names", async () => {
    const keyType = await runCli(work.dir, "cert", "issue", "--ca-dir", "ca", "--cn", "x", "--key-type", "constructor");
    assert.equal(keyType.code, 1);
    assert.match(keyType.stderr, /KEY_UNSUPPORTED \(--key-type\)/);
    const issued = JSON.parse((await runCli(work.dir, "cert", "issue", "--ca-dir", "ca", "--cn", "user-2", "--out", "o2", "--json")).stdout);
    for (const reason of ["__proto__", "toString", "removeFromCRL"]) {
      const result = await runCli(work.dir, "cert", "revoke", "--ca-dir", "ca", "--serial", issued.serialNumber, "--reason", reason);
      assert.equal(result.code, 1, reason);
      assert.match(result.stderr, /REASON_UNKNOWN \(reason\)/);
    }
    assert.equal(inventory(join(work.dir, "ca")).find((r) => r.serialHex === issued.serialNumber)!.status, "valid");
  });
});

describe("cli: 'cert issue' killed while it holds the CA's lock", function () {
  this.timeout(120_000);
  const work = tempDir();
  after(work.cleanup);

  it("leaves the inventory whole; the next process takes the dead process's lock over once it is stale and records its own certificate", async () => {
    // File-system steps of 'cert issue' inside the CA directory: 1 takes the lock (mkdir ca.lock),
    // 2–7 write the new inventory to a temporary file, 8 renames it into place; then the lock goes.
    const cases = [
      { name: "killed just after taking the lock", killAt: 2, recordsBefore: 0 },
      { name: "killed with the new inventory written but not yet renamed", killAt: 8, recordsBefore: 0 },
      { name: "killed after the rename, before letting the lock go", killAt: 0, recordsBefore: 1 },
    ];
    await Promise.all(
      cases.map(async (c, i) => {
        const caDir = join(work.dir, `ca-${i}`);
        assert.equal((await runCli(work.dir, "ca", "init", "--dir", caDir)).code, 0);
        if (c.killAt > 0) {
          const killed = await runBin(work.dir, ["cert", "issue", "--ca-dir", caDir, "--cn", "killed", "--out", join(work.dir, `out-${i}`)], { EDGE_MTLS_TEST_FS_ROOT: caDir, EDGE_MTLS_TEST_KILL_AT: String(c.killAt) });
          assert.equal(killed.signal, "SIGKILL", `${c.name}: ${killed.stderr}`);
        } else {
          assert.equal((await runCli(work.dir, "cert", "issue", "--ca-dir", caDir, "--cn", "killed", "--out", join(work.dir, `out-${i}`))).code, 0);
          spawnSync("mkdir", [join(caDir, "ca.lock")]); // the lock a process killed at that point leaves
        }
        assert.ok(existsSync(join(caDir, "ca.lock")), `${c.name}: a lock is left`);
        assert.equal(inventory(caDir).length, c.recordsBefore, `${c.name}: the inventory is whole JSON`);
        const next = await runBin(work.dir, ["cert", "issue", "--ca-dir", caDir, "--cn", "next", "--out", join(work.dir, `next-${i}`), "--json"]);
        assert.equal(next.code, 0, `${c.name}: ${next.stderr}`);
        const records = inventory(caDir);
        assert.equal(records.length, c.recordsBefore + 1, c.name);
        assert.ok(records.some((r) => r.serialHex === JSON.parse(next.stdout).serialNumber), c.name);
        assert.deepEqual(readdirSync(caDir).filter((f) => f.endsWith(".tmp") || f === "ca.lock"), [], `${c.name}: no temporaries or lock left`);
      }),
    );
  });
});
