import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { AwsCallError } from "../../cli/aws-ca";
import { describeError, Io, usage, UsageError, wrap } from "../../cli/command";
import { loadCommands, main } from "../../cli/main";
import { PkiError } from "../../pki/errors";
import { StackConfigError } from "../../stack-config";
import { runCli as cli } from "../support/run-cli";
import { put, tempDir } from "../support/tools";

/** The one error line: `edge-mtls: error CODE (field): message`. */
const ERROR_LINE = /^edge-mtls: error [A-Z][A-Z0-9_]*( \([^)]+\))?: \S/;

async function run(cwd: string, argv: string[], columns?: number) {
  let stdout = "";
  let stderr = "";
  const io: Io = { cwd, columns, stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) } };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

describe("cli: help, version and the error format", function () {
  this.timeout(120_000);
  const work = tempDir();
  after(work.cleanup);

  it("wraps the overview and every command's help to the terminal width, losing no word", async () => {
    const commands = await loadCommands();
    for (const width of [24, 40, 60, 80, 100, 160]) {
      const overview = (await run(work.dir, ["--help"], width)).stdout;
      const helps = [overview, ...commands.map((c) => usage(c, width))];
      for (const text of helps) {
        const long = text.split("\n").filter((line) => line.length > width);
        assert.deepEqual(long, [], `width ${width}`);
      }
      for (const command of commands) {
        const text = usage(command, width).split(/\s+/).join(" ");
        for (const flag of Object.keys(command.flags)) assert.ok(text.includes(`--${flag}`) || width < 30, `--${flag} at width ${width}`);
        if (width >= 40) assert.ok(text.includes(command.summary.split(/\s+/).join(" ")), `the summary of ${command.words.join(" ")} at width ${width}`);
      }
    }
    const standard = (await run(work.dir, ["--help"])).stdout.split("\n");
    assert.ok(standard.every((l) => l.length <= 80) && standard.some((l) => l.length > 70), "80 columns when the width is unknown");
    assert.deepEqual(wrap("a-very-long-unbreakable-word", 10), ["a-very-lon", "g-unbreaka", "ble-word"]);
  });

  it("prints the package version", async () => {
    const version = JSON.parse(readFileSync(join(__dirname, "..", "..", "package.json"), "utf8")).version;
    assert.deepEqual(await run(work.dir, ["--version"]), { code: 0, stdout: `edge-mtls ${version}\n`, stderr: "" });
  });

  it("prints every error as one line, edge-mtls: error CODE (field): message, with exit 2 for a wrong invocation", async () => {
    const project = tempDir();
    put(project.dir, "Pulumi.yaml", "name: edge-mtls\nruntime: nodejs\n");
    const cases: [string[], number, string, string | undefined][] = [
      [["cert", "issue", "--ca-dir", "ca", "--cn", "x", "--colour", "blue"], 2, "USAGE", "--colour"],
      [["cert", "revoke", "--ca-dir", "ca"], 2, "USAGE", "--serial"],
      [["cert", "inspect"], 2, "USAGE", "FILE"],
      [["cert", "list", "--ca-dir", "ca", "--status", "lapsed"], 2, "USAGE", "--status"],
      [["cert", "list", "--ca-dir", "ca", "--expiring-within", "soon"], 2, "USAGE", "--expiring-within"],
      [["cert", "list", "--ca-dir", "ca", "--status", "expired", "--expiring-within", "3"], 2, "USAGE", "--expiring-within"],
      [["rehearse", "--edge-port", "99999"], 2, "USAGE", "--edge-port"],
      [["cert", "issue", "--ca-dir", "ca", "--cn", "x", "--lifetime", "-3"], 2, "USAGE", "--lifetime"],
      [["frobnicate"], 2, "UNKNOWN_COMMAND", undefined],
      [["cert", "inspect", "missing.pem"], 1, "ENOENT", undefined],
      [["crl", "--ca-dir", "nowhere", "--out", "x.crl"], 1, "CA_NOT_INITIALISED", "caDir"],
      [["preview", "--env", "dev"], 1, "PROJECT_MISSING", "workDir"],
      [["preview", "--env", "Dev!", "--work-dir", project.dir], 1, "ENV_INVALID", "env"],
      [["destroy", "--env", "qa", "--work-dir", project.dir], 1, "ENV_UNKNOWN", "env"],
    ];
    try {
      for (const [argv, exit, code, field] of cases) {
        const result = await cli(work.dir, ...argv);
        const first = result.stderr.split("\n")[0]!;
        assert.equal(result.code, exit, `${argv.join(" ")}: ${result.stderr}`);
        assert.match(first, ERROR_LINE, argv.join(" "));
        assert.ok(first.startsWith(`edge-mtls: error ${code}${field ? ` (${field})` : ""}: `), `${argv.join(" ")}: ${first}`);
        assert.equal((result.stderr.match(/edge-mtls: error /g) ?? []).length, 1, "one error line");
        assert.equal(result.stderr.split(/\n\nUsage: /)[0]!.replace(/\n$/, ""), first, `${argv.join(" ")}: the error is one line`);
        assert.doesNotMatch(result.stderr, /\n\s+at /, "no stack trace");
        if (exit === 2) assert.match(result.stderr, /\n\nUsage: edge-mtls /, "a wrong invocation shows the usage");
      }
    } finally {
      project.cleanup();
    }
  });

  it("gives every kind of error a stable code: typed errors their own, named errors theirs, the rest INTERNAL", () => {
    assert.deepEqual(describeError(new PkiError("KEY_TOO_WEAK", "too weak", "csrPem")), { code: "KEY_TOO_WEAK", field: "csrPem", message: "too weak", exitCode: 1 });
    assert.deepEqual(describeError(new UsageError("--lifetime must be a whole number", "--lifetime")), { code: "USAGE", field: "--lifetime", message: "--lifetime must be a whole number", exitCode: 2 });
    assert.equal(describeError(new AwsCallError("kms:GenerateDataKeyPair was denied")).code, "AWS_CALL");
    assert.equal(describeError(new StackConfigError("caStack", "is wrong")).code, "STACK_CONFIG");
    assert.deepEqual(describeError(Object.assign(new Error("EACCES: permission denied, open '/x'"), { code: "EACCES" })), { code: "EACCES", field: undefined, message: "permission denied, open '/x'", exitCode: 1 });
    const bug = describeError(new TypeError("Cannot read properties of undefined"));
    assert.equal(bug.code, "INTERNAL");
    assert.match(bug.message, /Cannot read properties of undefined \(an edge-mtls bug: please report it/);
    assert.equal(describeError("a string").code, "INTERNAL");
  });

  it("ends the rehearsal (npm start) with what to try next, every suggestion a real command", async () => {
    const result = await cli(work.dir, "rehearse", "--dir", "r");
    assert.equal(result.code, 0, result.stderr);
    const next = result.stdout.slice(result.stdout.indexOf("\nWhat to try next:\n"));
    assert.ok(result.stdout.trimEnd().endsWith(next.trimEnd()) && next.length > 40, "the last section");
    const commands = await loadCommands();
    const suggested = [...next.matchAll(/npx edge-mtls ([a-z-]+(?: [a-z-]+)?)/g)].map((m) => m[1]!);
    assert.ok(suggested.length >= 3);
    for (const words of suggested) assert.ok(words === "--help" || commands.some((c) => words.startsWith(c.words.join(" "))), words);
    assert.match(next, /npm start -- --serve/);
    assert.equal(JSON.parse(readFileSync(join(__dirname, "..", "..", "package.json"), "utf8")).scripts.start, "node bin/edge-mtls.js rehearse");
    assert.ok("serve" in commands.find((c) => c.words.join(" ") === "rehearse")!.flags);
    const inspected = await cli(work.dir, ...next.match(/npx edge-mtls (cert inspect \S+)/)![1]!.split(" "));
    assert.equal(inspected.code, 0, inspected.stderr);
  });
});
