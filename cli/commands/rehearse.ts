import { relative, resolve } from "node:path";
import { formatChecks } from "../../rehearsal/checks";
import { Command, DEFAULT_COLUMNS, twoColumns, UsageError } from "../command";

interface Flags {
  dir?: string;
  serve?: boolean;
  json?: boolean;
  "edge-port"?: string;
  "origin-port"?: string;
  verbose?: boolean;
  env?: string;
}

function port(value: string | undefined, flag: string): number {
  if (value === undefined) return 0;
  if (!/^\d+$/.test(value) || Number(value) > 65535) throw new UsageError(`--${flag} must be a port number from 0 to 65535 (0: any free port); got ${JSON.stringify(value)}`);
  return Number(value);
}

/** What to try after a rehearsal: the chain by hand, its certificates, one of your own, the real thing. */
export function nextSteps(userCertificate: string, width?: number): string {
  const steps: [string, string][] = [
    ["npm start -- --serve", "keep the chain up and call it with curl (the commands are printed)"],
    [`npx edge-mtls cert inspect ${userCertificate}`, "what the rehearsal's user certificate says"],
    ["npx edge-mtls demo", "the how-to's CloudFront client certificate, under certs/ (git-ignored)"],
    ["npx edge-mtls --help", "every command; for AWS, the README's \"Deploying both stacks\""],
  ];
  return `\nWhat to try next:\n${twoColumns(steps, width ?? DEFAULT_COLUMNS).join("\n")}\n`;
}

/** `edge-mtls rehearse` (npm start): the whole chain on loopback, and the how-to's Test section run against it. */
export const rehearseCommand: Command<Flags> = {
  words: ["rehearse"],
  summary:
    "Run both stack programs offline (the committed stack files, AWS rules enforced), start on 127.0.0.1 stand-ins for CloudFront and API Gateway configured from the resources they declare (the deployed function code, the connection function, the authorizer, the origin request policy), and check the chain the way the how-to's Test section does.",
  flags: {
    dir: { type: "string", description: "where the certificates, the local stand-in CAs and the access log go", defaultText: ".rehearsal" },
    serve: { type: "boolean", description: "keep the listeners up after the checks (Ctrl-C stops)" },
    json: { type: "boolean", description: "print the results as one JSON object" },
    "edge-port": { type: "string", description: "port of the edge listener", defaultText: "any free port" },
    "origin-port": { type: "string", description: "port of the origin listener", defaultText: "any free port" },
    verbose: { type: "boolean", description: "print the listeners' and functions' decisions" },
    env: { type: "string", description: "run the programs with Pulumi.ca-<env>.yaml and Pulumi.workload-<env>.yaml", defaultText: "dev" },
  },
  async run(flags, _positionals, io) {
    const edgePort = port(flags["edge-port"], "edge-port");
    const originPort = port(flags["origin-port"], "origin-port");
    // Loaded here, not at CLI start: the listeners bring in the Lambda handlers and their AWS clients.
    const { startRehearsal } = await import("../../rehearsal/run");
    const env = flags.env ?? "dev";
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(env)) throw new UsageError(`--env must be a stack environment name like dev (letters, digits, . _ -); got ${JSON.stringify(env)}`, "--env");
    // Progress goes to stderr, so stdout stays the table (or the JSON object, when nothing else is printed).
    const progress = flags.json ? undefined : (line: string) => io.stderr.write(`… ${line}\n`);
    const rehearsal = await startRehearsal({ dir: resolve(io.cwd, flags.dir ?? ".rehearsal"), edgePort, originPort, stacks: { env }, progress, log: flags.verbose ? (line) => io.stderr.write(line + "\n") : undefined });
    progress?.("running the how-to's checks and the origin certificate's renewal");
    let results;
    try {
      results = [...(await rehearsal.check()), await rehearsal.checkRenewal()];
    } catch (error) {
      await rehearsal.close();
      throw error;
    }
    const pass = results.every((r) => r.pass);
    const files = rehearsal.pki.certificates;
    const show = (path: string) => relative(io.cwd, path) || path;
    if (flags.json) {
      io.stdout.write(JSON.stringify({ pass, checks: results, edgeUrl: rehearsal.edgeUrl, originUrl: rehearsal.originUrl, accessLog: rehearsal.accessLogPath, caBundle: rehearsal.pki.bundlePath, serverCa: rehearsal.pki.serverCaPath }, null, 2) + "\n");
    } else {
      io.stdout.write(`edge (CloudFront)   ${rehearsal.edgeUrl}\norigin (API GW)     ${rehearsal.originUrl}\ncertificates        ${show(rehearsal.pki.dir)}\n\n${formatChecks(results)}\n${pass ? "All checks passed." : "Some checks FAILED."}\n`);
    }
    if (!flags.serve) {
      await rehearsal.close();
      if (!flags.json) io.stdout.write(nextSteps(show(files.user.crt), io.columns));
      return pass ? 0 : 1;
    }
    // With --json, stdout holds the one JSON object: what serving prints goes to stderr.
    const say = flags.json ? io.stderr : io.stdout;
    const curl = (cert: string, key: string, extra: string) => `curl --cacert ${show(rehearsal.pki.serverCaPath)} --cert ${show(cert)} --key ${show(key)} ${extra}`;
    say.write(
      `\nServing until Ctrl-C. Try:\n` +
        `  ${curl(files.user.crt, files.user.key, `${rehearsal.edgeUrl}/`)}\n` +
        `  ${curl(files.user.crt, files.user.key, `-X POST -H 'content-type: application/json' -d '{"hello":"edge"}' ${rehearsal.edgeUrl}/api`)}\n` +
        `  ${curl(files.user.crt, files.user.key, `-X POST -d '{}' ${rehearsal.originUrl}/api`)}     # bypass: denied\n` +
        `  ${curl(files.revoked.crt, files.revoked.key, `${rehearsal.edgeUrl}/`)}     # revoked: refused\n` +
        `  tail -f ${show(rehearsal.accessLogPath)}\n`,
    );
    await new Promise<void>((resolveStop) => {
      const stop = () => resolveStop();
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    });
    await rehearsal.close();
    say.write("Stopped.\n");
    return pass ? 0 : 1;
  },
};
