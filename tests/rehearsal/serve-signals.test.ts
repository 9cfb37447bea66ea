import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import { connect } from "node:net";
import { join } from "node:path";
import { tempDir } from "../support/tools";

const ROOT = join(__dirname, "..", "..");

/** `edge-mtls rehearse --serve --json` in its own process (the TypeScript sources), stopped by `signal` once it serves. */
function serveThenSignal(dir: string, signal: NodeJS.Signals): Promise<{ code: number | null; stdout: string; stderr: string; ports: number[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", "-e", "require('./cli/main').main(process.argv.slice(1), { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd() }).then((code) => { process.exitCode = code; })", "rehearse", "--serve", "--json", "--dir", dir], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let signalled = false;
    const timer = setTimeout(() => child.kill("SIGKILL"), 90_000);
    const serving = () => {
      if (!signalled && /Serving until Ctrl-C/.test(stdout + stderr)) {
        signalled = true;
        setTimeout(() => child.kill(signal), 200);
      }
    };
    child.stdout.on("data", (chunk: Buffer) => ((stdout += chunk), serving()));
    child.stderr.on("data", (chunk: Buffer) => ((stderr += chunk), serving()));
    child.on("error", reject);
    child.on("exit", (code) => {
      clearTimeout(timer);
      const json = (() => {
        try {
          return JSON.parse(stdout) as { edgeUrl: string; originUrl: string };
        } catch {
          return undefined;
        }
      })();
      resolve({ code, stdout, stderr, ports: json ? [json.edgeUrl, json.originUrl].map((u) => Number(new URL(u).port)) : [] });
    });
  });
}

const refused = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => (socket.destroy(), resolve(false)));
    socket.once("error", () => resolve(true));
  });

describe("rehearsal: --serve stops cleanly on SIGTERM and Ctrl-C", function () {
  this.timeout(200_000);
  const work = tempDir();
  after(work.cleanup);

  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    it(`${signal}: the listeners close, the process exits 0 on its own, stdout stays one JSON object, no stack trace`, async () => {
      const run = await serveThenSignal(join(work.dir, signal), signal);
      assert.equal(run.code, 0, run.stderr);
      const json = JSON.parse(run.stdout) as { pass: boolean };
      assert.equal(json.pass, true);
      assert.match(run.stderr, /Serving until Ctrl-C[\s\S]*Stopped\.\n$/);
      assert.doesNotMatch(run.stderr, /\bat .*\.(ts|js):\d+/);
      assert.equal(run.ports.length, 2);
      for (const port of run.ports) assert.ok(await refused(port), `port ${port} still listens`);
    });
  }
});
