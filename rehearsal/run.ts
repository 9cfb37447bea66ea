import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { handle as caIssuer } from "../functions/ca-issuer";
import { readRenewerConfig, RENEWER_ENV } from "../functions/origin-cert-renewer";
import { handle as syncRevocations } from "../functions/revocation-sync";
import { SYNC_ENV } from "../functions/shared/contract";
import { jsonLogger } from "../functions/shared/log";
import { OfflineDeployment, OfflineDeploymentFailed, recheckWorkload } from "../offline/deployment";
import type { MemoryArtifactStore } from "../offline/memory-ca";
import { MemoryKeyValueStore } from "../offline/memory-kvs";
import type { RecordedResource } from "../offline/pulumi-mocks";
import { accessLogReader, startOrigin } from "./api-gateway";
import { ACCESS_LOG_FIELDS } from "../components/edge-rules";
import { RehearsalAcm } from "./acm";
import { prepareRehearsalPki, RehearsalPki } from "./certificates";
import { CheckResult, runChecks } from "./checks";
import { startEdge } from "./cloudfront";
import { loadConnectionFunction } from "./connection-function";
import { allows, Declared, DeclarationMissing, readDeclared } from "./declared";
import { LambdaHandler, loadLambda, RehearsalBuckets } from "./lambda";
import type { Listener } from "./listener";
import { rehearseRenewal } from "./renewal";
import { deployForRehearsal, RehearsalDeploymentRefused, RehearsalStacks, requireStackFiles } from "./stacks";

export { REHEARSAL_SITE_DIR } from "./stacks";

/** Options of a rehearsal. */
export interface RehearsalOptions {
  /** Where certificates and logs go; created if missing. */
  readonly dir: string;
  /** Ports of the two listeners; 0 = any free port. */
  readonly edgePort: number;
  readonly originPort: number;
  /** Log lines of the stand-ins and the functions (refusals, decisions). */
  readonly log?: (line: string) => void;
  /** One line per step while the programs run and the stand-ins start. */
  readonly progress?: (line: string) => void;
  /** The stack files and config the programs run with (default: the committed dev files). */
  readonly stacks?: RehearsalStacks;
  /**
   * Changes to what the workload program declared, before the stand-ins read it: a test hook for
   * what config cannot express (a resource edited as a program change would edit it).
   */
  readonly mutate?: (workload: RecordedResource[]) => void;
  /** Deliberate faults, as declarations a broken program would make, to show that the checks catch them. */
  readonly faults?: { readonly edgeMtlsOptional?: boolean; readonly originAllowsEveryone?: boolean };
}

/** A running rehearsal: the listeners, the certificates, the URLs, and what they were configured from. */
export interface Rehearsal {
  readonly pki: RehearsalPki;
  readonly edge: Listener;
  readonly origin: Listener;
  readonly edgeUrl: string;
  readonly originUrl: string;
  readonly accessLogPath: string;
  /** The secret header's name, as the distribution's API origin declares it. */
  readonly secretHeaderName: string;
  /** The offline deployment of both programs, and what the stand-ins read from it. */
  readonly deployment: OfflineDeployment;
  readonly declared: Declared;
  close(): Promise<void>;
  /** The stand-in for the ACM certificate the edge presents to the origin. */
  readonly originCertificate: RehearsalAcm;
  /** Runs the how-to's Test section against the listeners. */
  check(): Promise<CheckResult[]>;
  /** Rehearses origin-cert-renewer on a short-lived origin certificate while viewers call the API (rehearsal/renewal.ts). */
  checkRenewal(): Promise<CheckResult>;
}

/** The faults, as edits of the declared resources: viewer mTLS `optional`; API methods without authorization. */
function applyFaults(workload: RecordedResource[], faults: RehearsalOptions["faults"] = {}): void {
  for (const r of workload) {
    if (faults.edgeMtlsOptional && r.type === "aws:cloudfront/distribution:Distribution") r.inputs.viewerMtlsConfig = { ...r.inputs.viewerMtlsConfig, mode: "optional" };
    if (faults.originAllowsEveryone && r.type === "aws:apigateway/method:Method") {
      r.inputs.authorization = "NONE";
      delete r.inputs.authorizerId;
    }
  }
}

/** The function a declaration needs, or a clear error. */
function declaredFunction(declared: Declared, name: string, what: string) {
  const fn = declared.functions.get(name);
  if (!fn) throw new DeclarationMissing(`${what}: the workload program declares no function ${name}`);
  return fn;
}

/**
 * Runs both stack programs offline (rehearsal/stacks.ts) and starts, on 127.0.0.1, the stand-ins
 * configured from what they declared (rehearsal/declared.ts): API Gateway with the authorizer and
 * backend functions' deployed code, CloudFront with its Connection Function and a KeyValueStore
 * filled by revocation-sync; the certificates come from the CA stack's ca-issuer.
 */
export async function startRehearsal(options: RehearsalOptions): Promise<Rehearsal> {
  const dir = resolve(options.dir);
  requireStackFiles(options.stacks?.env ?? "dev");
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, ".write-test"), "");
    rmSync(join(dir, ".write-test"));
  } catch (error) {
    throw new Error(`cannot write to --dir ${dir}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}; choose a writable directory`);
  }
  const log = options.log ?? (() => undefined);
  const progress = options.progress ?? (() => undefined);
  const env = options.stacks?.env ?? "dev";
  progress(`running the CA program (Pulumi.ca-${env}.yaml) and the workload program (Pulumi.workload-${env}.yaml) offline, AWS rules enforced`);
  const deployment = await deployForRehearsal(options.stacks);
  applyFaults(deployment.workload, options.faults);
  options.mutate?.(deployment.workload);
  if (options.mutate || options.faults) {
    // Edits made after registration: AWS's rules judge the edited resources, as `pulumi up` of the edited program would.
    try {
      recheckWorkload(deployment);
    } catch (error) {
      throw error instanceof OfflineDeploymentFailed ? new RehearsalDeploymentRefused(error) : error;
    }
  }
  const declared = await readDeclared(deployment.workload);
  const ca = deployment.caStack.issuerDeps;
  // The checks read the how-to's field names; the stage's declared format says under which keys they are logged.
  const readLogLine = declared.api.accessLogFormat ? accessLogReader(declared.api.accessLogFormat, ACCESS_LOG_FIELDS) : undefined;

  progress("issuing the rehearsal's certificates from the CA stack (ca-issuer, ca-revoker)");
  const pki = await prepareRehearsalPki(dir, { ca, trustBundlePem: declared.edge.trustBundlePem, edgeNames: declared.edge.aliases, apiNames: [declared.api.domainName] });

  // What the functions can read: the CA stack's bucket (its published artifacts) and the workload's.
  const caObjects = (ca.artifacts as MemoryArtifactStore).objects;
  const buckets: RehearsalBuckets = new Map([
    [String(deployment.outputs.ca.caBucketName), (key: string, versionId?: string) => {
      const object = caObjects.get(key);
      return object && (versionId === undefined || versionId === object.versionId) ? { body: typeof object.body === "string" ? new Uint8Array(Buffer.from(object.body)) : object.body, versionId: object.versionId } : undefined;
    }],
    ...[...declared.buckets].map(([bucket, objects]) => [bucket, (key: string) => objects.get(key)] as const),
  ]);
  const handlers = new Map<string, LambdaHandler>();
  const lambda = (name: string): LambdaHandler => {
    if (!handlers.has(name)) handlers.set(name, loadLambda(declaredFunction(declared, name, "an API method"), buckets, log));
    return handlers.get(name)!;
  };

  // The Connection Function's KeyValueStore, filled by revocation-sync's logic as the sync function is configured.
  const kvs = new MemoryKeyValueStore();
  const connection = declared.edge.connectionFunction;
  if (connection?.keyValueStoreArn) {
    const sync = [...declared.functions.values()].find((f) => f.environment[SYNC_ENV.kvsArn] === connection.keyValueStoreArn);
    if (!sync) throw new DeclarationMissing(`no function keeps the connection function's key value store ${connection.keyValueStoreArn} in sync`);
    progress(`filling the KeyValueStore with revocation-sync (${sync.name}) from the CA's CRL`);
    const crlBucket = sync.environment[SYNC_ENV.crlBucket] ?? "";
    const crlKey = sync.environment[SYNC_ENV.crlKey] ?? "";
    await syncRevocations({}, {
      fetchCrl: async (versionId) => {
        if (!allows(sync.statements, versionId ? "s3:GetObjectVersion" : "s3:GetObject", `arn:aws:s3:::${crlBucket}/${crlKey}`)) throw new Error(`${sync.name} may not read s3://${crlBucket}/${crlKey} (its role policy)`);
        const object = buckets.get(crlBucket)?.(crlKey, versionId);
        if (!object) throw new Error(`no object s3://${crlBucket}/${crlKey}`);
        return object;
      },
      issuingCaPem: sync.environment[SYNC_ENV.issuingCaPem] ?? "",
      store: kvs,
      clock: () => new Date(),
      log: jsonLogger((line) => log(`${sync.name} ${line}`)),
    });
  }
  const connectionFunction = connection && loadConnectionFunction(async (key) => kvs.items.has(key), (line) => log(`edge connection-function: ${line}`), connection.code);

  const apiOrigin = declared.edge.origins.find((o) => o.domainName === declared.api.domainName)!;
  const client = apiOrigin.custom?.clientCertificate;
  const originCertificate = new RehearsalAcm(client?.arn ?? "arn:aws:acm:us-east-1:000000000000:certificate/none", client ?? { certificatePem: pki.certificates.foreign.pem, chainPem: "", privateKeyPem: pki.certificates.foreign.keyPem });
  const renewerFunction = [...declared.functions.values()].find((f) => f.environment[RENEWER_ENV.certificateArn] === client?.arn);

  progress(`starting the API Gateway stand-in (${declared.api.domainName}) and the CloudFront stand-in (${declared.edge.aliases.join(", ")})`);
  const accessLogPath = join(dir, "api-gateway-access.log");
  writeFileSync(accessLogPath, "");
  const origin = await startOrigin({ api: declared.api, serverCertificate: pki.certificates.originServer, port: options.originPort, accessLogPath, lambda, log });
  let edge: Listener;
  try {
    edge = await startEdge({
      edge: declared.edge,
      serverCertificate: pki.certificates.edgeServer,
      port: options.edgePort,
      // The API stand-in is the custom domain's HTTPS listener (API Gateway custom domains answer HTTPS on 443 only).
      originPort: (domainName, port, protocol) => (domainName === declared.api.domainName && protocol === "https" && port === 443 ? origin.port : undefined),
      originServerCaPem: pki.serverCaPem,
      buckets: declared.buckets,
      bucketPolicies: declared.bucketPolicies,
      connectionFunction,
      originCertificate: () => (client ? originCertificate.current() : undefined),
      log,
    });
  } catch (error) {
    await origin.close();
    throw error;
  }
  const edgeUrl = `https://localhost:${edge.port}`;
  const originUrl = `https://localhost:${origin.port}`;
  const identity = (name: keyof RehearsalPki["certificates"]) => ({ certPem: readFileSync(pki.certificates[name].crt, "utf8"), keyPem: pki.certificates[name].keyPem });
  const accessLog = () => (readLogLine ? readFileSync(accessLogPath, "utf8").split("\n").filter(Boolean).map((line) => JSON.stringify(readLogLine(line))) : []);
  // Connect by IP (listeners bind 127.0.0.1 only), verify the name "localhost".
  const byIp = { edgeUrl: `https://127.0.0.1:${edge.port}`, apiUrl: `https://127.0.0.1:${origin.port}`, servername: "localhost" };
  return {
    pki,
    edge,
    origin,
    edgeUrl,
    originUrl,
    accessLogPath,
    secretHeaderName: apiOrigin.customHeaders[0]?.name ?? "",
    deployment,
    declared,
    originCertificate,
    close: async () => {
      await edge.close();
      await origin.close();
    },
    check: () => runChecks({ ...byIp, caPem: pki.serverCaPem, user: identity("user"), revoked: identity("revoked"), foreign: identity("foreign"), accessLog }),
    checkRenewal: async () => {
      if (!renewerFunction) return { name: "origin certificate renews itself", expected: "left alone, renewed when due (same ARN), not again; /api answers throughout", observed: "no renewer function declared for the origin certificate", pass: false };
      return rehearseRenewal({
        ...byIp,
        pki,
        acm: originCertificate,
        user: identity("user"),
        accessLog,
        log,
        renewer: readRenewerConfig(renewerFunction.environment),
        issue: (request, at) => caIssuer(request, at ? { ...ca, clock: () => at } : ca),
      });
    },
  };
}
