import { KeyObject, X509Certificate } from "node:crypto";
import { ACMClient, GetCertificateCommand, ImportCertificateCommand } from "@aws-sdk/client-acm";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { createCsr } from "../../pki/csr";
import { generatePrivateKey, privateKeyToPem } from "../../pki/local-signer";
import { checkOriginClientCertificate } from "../../pki/origin-client-certificate";
import { formatChecks, runChecks, type CheckResult, type ClientIdentity } from "../../rehearsal/checks";
import { ORIGIN_CERTIFICATE_METRIC, ORIGIN_CERTIFICATE_RENEWAL_METRIC, RENEWER_ENV, SMOKE_TEST_SUBJECT } from "../shared/contract";
import { deriveIdempotencyKey } from "../shared/idempotency-key";
import { jsonLogger, Logger } from "../shared/log";
import { CurrentCertificate, daysUntil, describeCurrent, OriginKeyAlgorithm, RenewalReason, renewalDecision, untrustedChainReason } from "./renewal";

export { RENEWER_ENV };

/** What the renewal function is told through its environment (set by the OriginCertificateRenewer component). */
export interface RenewerConfig {
  readonly certificateArn: string;
  readonly issuerFunction: string;
  readonly trustedCaSha256: readonly string[];
  readonly lifetimeDays: number;
  readonly renewBeforeDays: number;
  readonly subject: { readonly commonName: string; readonly organizationalUnit: string };
  /** Project, stack and component of the idempotency keys (the component that first imported the certificate, so its certificates form one series). */
  readonly idempotencyScope: { readonly project: string; readonly stack: string; readonly component: string };
  /** Value of the metric's `Certificate` dimension. */
  readonly metricDimension: string;
  /** With both, the how-to's checks run against the deployment after each renewal. */
  readonly smokeTest?: { readonly edgeUrl: string; readonly apiUrl: string };
}

/** The certificate in ACM: read it, replace it in place. */
export interface AcmCertificate {
  /** The certificate and chain ACM serves for the ARN (GetCertificate). */
  get(arn: string): Promise<{ certificatePem: string; chainPem?: string }>;
  /** Re-imports under the same ARN (ImportCertificate with CertificateArn). */
  reimport(arn: string, parts: { certificatePem: string; chainPem: string; privateKeyPem: string }): Promise<void>;
}

/** What ca-issuer answers (ARCHITECTURE.md): a certificate, or a refusal. */
export interface IssuerAnswer {
  readonly certificatePem?: string;
  readonly chainPem?: string;
  readonly serialNumber?: string;
  readonly notAfter?: string;
  readonly error?: { readonly code: string; readonly message: string; readonly field?: string };
}

/** What the handler works with; `handler` builds it from the environment, tests from fakes. */
export interface RenewerDeps {
  readonly config: RenewerConfig;
  readonly acm: AcmCertificate;
  /** Invokes the CA's ca-issuer with an issue request. */
  readonly issue: (request: Record<string, unknown>) => Promise<IssuerAnswer>;
  readonly generateKey: (algorithm: OriginKeyAlgorithm) => KeyObject;
  /** The how-to's checks (rehearsal/checks.ts runChecks) against the deployment, as this identity. */
  readonly runChecks: (target: { edgeUrl: string; apiUrl: string; user: ClientIdentity }) => Promise<CheckResult[]>;
  readonly clock: () => Date;
  readonly log: Logger;
}

/** What one run did. Never carries key material. */
export interface RenewalResult {
  readonly renewed: boolean;
  readonly reason: RenewalReason;
  readonly serialNumber: string;
  readonly notAfter: string;
  readonly daysToExpiry: number;
  readonly previousSerialNumber?: string;
  /** The smoke-test table, when the checks ran. */
  readonly checks?: string;
}

/** A failed renewal: the Lambda invocation fails (its error alarm fires) with this message. */
export class RenewalError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RenewalError";
  }
}

function emitDaysToExpiry(deps: RenewerDeps, current: CurrentCertificate): number {
  const days = daysUntil(current.notAfter, deps.clock());
  deps.log.metric(ORIGIN_CERTIFICATE_METRIC.namespace, ORIGIN_CERTIFICATE_METRIC.name, days, { dimensions: { [ORIGIN_CERTIFICATE_METRIC.dimension]: deps.config.metricDimension }, unit: "None" });
  return days;
}

async function readCurrent(deps: RenewerDeps): Promise<CurrentCertificate> {
  const served = await deps.acm.get(deps.config.certificateArn);
  return describeCurrent(served.certificatePem, served.chainPem);
}

/** Asks ca-issuer for a certificate for `key`; a refusal or a malformed answer is a RenewalError. */
async function issueFor(deps: RenewerDeps, key: KeyObject, request: { subject: { commonName: string; organizationalUnit: string }; lifetimeDays: number; period: string }): Promise<{ certificatePem: string; chainPem: string; serialNumber: string }> {
  const privateKeyPem = privateKeyToPem(key);
  // Keyed by the new private key, which only this invocation holds: a retried Invoke (the SDK's
  // retries after a timeout) replays the same certificate; nobody can compute the key in advance.
  const idempotencyKey = deriveIdempotencyKey(privateKeyPem, { ...deps.config.idempotencyScope, period: request.period });
  const answer = await deps.issue({ action: "issue", csrPem: createCsr(key, request.subject), purposes: ["client_auth"], lifetimeDays: request.lifetimeDays, idempotencyKey });
  if (answer.error) throw new RenewalError(`ca-issuer refused the certificate for ${request.subject.commonName}: ${answer.error.code}${answer.error.field ? ` (${answer.error.field})` : ""}: ${answer.error.message}`);
  if (typeof answer.certificatePem !== "string" || typeof answer.chainPem !== "string" || typeof answer.serialNumber !== "string") throw new RenewalError("ca-issuer answered without a certificate and chain");
  if (!new X509Certificate(answer.certificatePem).checkPrivateKey(key)) throw new RenewalError(`ca-issuer returned certificate ${answer.serialNumber} for another key`);
  return { certificatePem: answer.certificatePem, chainPem: answer.chainPem, serialNumber: answer.serialNumber };
}

/**
 * origin-cert-renewer: on its schedule, publishes the origin certificate's days until expiry and,
 * when fewer than renewBeforeDays remain (or the certificate is not from the trusted CA, or
 * `{ "force": true }`), makes a new key of the same type in memory, gets a certificate for it from
 * ca-issuer, checks it (clientAuth, key type, chain of this CA's certificates, valid now, later
 * than the current one), re-imports it under the same ACM ARN, confirms ACM serves it and, where
 * configured, runs the how-to's checks with a one-day smoke-test certificate. Any failure fails
 * the invocation (the error alarm fires); every failure before the import leaves the current
 * certificate in place. The private key exists only in this invocation's memory and in ACM: it is
 * never logged, returned or written anywhere else.
 */
export async function handle(event: unknown, deps: RenewerDeps): Promise<RenewalResult> {
  const force = !!event && typeof event === "object" && (event as { force?: unknown }).force === true;
  const { config } = deps;
  const current = await readCurrent(deps);
  const daysBefore = emitDaysToExpiry(deps, current);
  const reason = renewalDecision(current, deps.clock(), { renewBeforeDays: config.renewBeforeDays, force, trustedCaSha256: config.trustedCaSha256 });
  // Why a certificate that is not due is renewed anyway: API Gateway's truststore holds the bundle
  // this function is configured with, and refuses CloudFront until ACM serves one that chains to it.
  const untrusted = untrustedChainReason(current, config.trustedCaSha256);
  deps.log.info("renewal.checked", { serialNumber: current.serialHex, notAfter: current.notAfter.toISOString(), daysToExpiry: daysBefore, reason, ...(untrusted ? { untrustedChain: untrusted } : {}) });
  if (reason === "other-ca") deps.log.error("renewal.untrusted-chain", { serialNumber: current.serialHex, why: untrusted, chainSha256: [...current.chainSha256], trustedCaSha256: [...config.trustedCaSha256], action: "renewing now, before the renewBefore date" });
  if (reason === "not-due") return { renewed: false, reason, serialNumber: current.serialHex, notAfter: current.notAfter.toISOString(), daysToExpiry: daysBefore };

  const key = deps.generateKey(current.keyAlgorithm);
  const issued = await issueFor(deps, key, { subject: config.subject, lifetimeDays: config.lifetimeDays, period: `r${current.serialHex}` });
  try {
    checkOriginClientCertificate(issued.certificatePem, issued.chainPem, { trustedCaSha256: config.trustedCaSha256, now: deps.clock() });
  } catch (error) {
    throw new RenewalError(`the new certificate ${issued.serialNumber} is unfit for CloudFront origin mTLS, so the current one stays: ${(error as Error).message}`);
  }
  const next = describeCurrent(issued.certificatePem, issued.chainPem);
  if (next.notAfter.getTime() <= current.notAfter.getTime() && reason !== "other-ca") {
    throw new RenewalError(`the new certificate ${issued.serialNumber} expires ${next.notAfter.toISOString()}, no later than the current one (${current.notAfter.toISOString()}); the current one stays`);
  }
  try {
    await deps.acm.reimport(config.certificateArn, { certificatePem: issued.certificatePem, chainPem: issued.chainPem, privateKeyPem: privateKeyToPem(key) });
  } catch (error) {
    deps.log.error("renewal.import-failed", { serialNumber: issued.serialNumber, error: (error as Error).name, message: (error as Error).message });
    throw new RenewalError(`ACM refused to re-import ${config.certificateArn} with certificate ${issued.serialNumber} (${(error as Error).name}: ${(error as Error).message}); the current certificate ${current.serialHex} stays until ${current.notAfter.toISOString()}`);
  }
  const served = await readCurrent(deps);
  if (served.serialHex !== next.serialHex) {
    // Another run may have re-imported after ours (Lambda may deliver an asynchronous event more
    // than once; a manual { force: true } can overlap a scheduled run): a renewal too, if ACM serves
    // a certificate of this CA other than the one both replaced, expiring later.
    const fromTrustedCa = served.chainSha256.length > 0 && served.chainSha256.every((fp) => config.trustedCaSha256.includes(fp));
    const renewedByAnotherRun = fromTrustedCa && served.serialHex !== current.serialHex && (reason === "other-ca" || served.notAfter.getTime() > current.notAfter.getTime());
    if (!renewedByAnotherRun) throw new RenewalError(`after the re-import ACM serves certificate ${served.serialHex}, not the new ${next.serialHex}`);
    deps.log.info("renewal.superseded", { serialNumber: next.serialHex, servedSerialNumber: served.serialHex, reason: "another run re-imported after this one" });
  }
  const daysAfter = emitDaysToExpiry(deps, served);
  deps.log.metric(ORIGIN_CERTIFICATE_RENEWAL_METRIC.namespace, ORIGIN_CERTIFICATE_RENEWAL_METRIC.name, 1, { dimensions: { [ORIGIN_CERTIFICATE_METRIC.dimension]: config.metricDimension, [ORIGIN_CERTIFICATE_RENEWAL_METRIC.reasonDimension]: reason }, unit: "Count" });
  deps.log.info("renewal.renewed", { serialNumber: served.serialHex, previousSerialNumber: current.serialHex, notAfter: served.notAfter.toISOString(), reason });

  let checks: string | undefined;
  if (config.smokeTest) {
    const smokeKey = deps.generateKey("ecdsa-p256");
    const smoke = await issueFor(deps, smokeKey, { subject: SMOKE_TEST_SUBJECT, lifetimeDays: 1, period: `s${served.serialHex}` });
    const results = await deps.runChecks({ ...config.smokeTest, user: { certPem: smoke.certificatePem + smoke.chainPem, keyPem: privateKeyToPem(smokeKey) } });
    checks = formatChecks(results);
    if (!results.every((r) => r.pass)) {
      deps.log.error("renewal.checks-failed", { serialNumber: served.serialHex, failed: results.filter((r) => !r.pass).map((r) => r.name) });
      throw new RenewalError(`certificate ${served.serialHex} is imported, but the checks against ${config.smokeTest.edgeUrl} failed:\n${checks}`);
    }
    deps.log.info("renewal.checks-passed", { serialNumber: served.serialHex, checks: results.length });
  }
  return { renewed: true, reason, serialNumber: served.serialHex, notAfter: served.notAfter.toISOString(), daysToExpiry: daysAfter, previousSerialNumber: current.serialHex, ...(checks ? { checks } : {}) };
}

/** Thrown when the environment is wrong: a deployment bug, reported with the variable's name. */
export class RenewerConfigError extends Error {
  constructor(variable: string, problem: string) {
    super(`environment ${variable}: ${problem}`);
    this.name = "RenewerConfigError";
  }
}

/** Reads and checks the renewal function's configuration from an environment (pure). */
export function readRenewerConfig(env: Record<string, string | undefined>): RenewerConfig {
  const required = (name: string): string => {
    const value = env[name];
    if (!value) throw new RenewerConfigError(name, "is not set");
    return value;
  };
  const json = <T>(name: string): T => {
    try {
      return JSON.parse(required(name)) as T;
    } catch (error) {
      if (error instanceof RenewerConfigError) throw error;
      throw new RenewerConfigError(name, "is not valid JSON");
    }
  };
  const days = (name: string): number => {
    const value = Number(required(name));
    if (!Number.isInteger(value) || value < 1) throw new RenewerConfigError(name, `must be a positive whole number; got ${env[name]}`);
    return value;
  };
  const certificateArn = required(RENEWER_ENV.certificateArn);
  if (!/^arn:aws[a-z-]*:acm:us-east-1:\d{12}:certificate\/[\w-]+$/.test(certificateArn)) throw new RenewerConfigError(RENEWER_ENV.certificateArn, `must be an ACM certificate ARN in us-east-1; got ${certificateArn}`);
  const trustedCaSha256 = required(RENEWER_ENV.trustedCaSha256).split(",");
  if (!trustedCaSha256.every((fp) => /^[0-9a-f]{64}$/.test(fp))) throw new RenewerConfigError(RENEWER_ENV.trustedCaSha256, "must be comma-separated SHA-256 fingerprints (64 lower-case hex digits)");
  const subject = json<{ commonName?: unknown; organizationalUnit?: unknown }>(RENEWER_ENV.subject);
  if (typeof subject.commonName !== "string" || typeof subject.organizationalUnit !== "string") throw new RenewerConfigError(RENEWER_ENV.subject, "must be { commonName, organizationalUnit }");
  const scope = json<{ project?: unknown; stack?: unknown; component?: unknown }>(RENEWER_ENV.idempotencyScope);
  if (typeof scope.project !== "string" || typeof scope.stack !== "string" || typeof scope.component !== "string") throw new RenewerConfigError(RENEWER_ENV.idempotencyScope, "must be { project, stack, component }");
  const lifetimeDays = days(RENEWER_ENV.lifetimeDays);
  const renewBeforeDays = days(RENEWER_ENV.renewBeforeDays);
  if (renewBeforeDays >= lifetimeDays) throw new RenewerConfigError(RENEWER_ENV.renewBeforeDays, `must be less than ${RENEWER_ENV.lifetimeDays} (${lifetimeDays})`);
  const edgeUrl = env[RENEWER_ENV.edgeUrl];
  const apiUrl = env[RENEWER_ENV.apiUrl];
  return {
    certificateArn,
    issuerFunction: required(RENEWER_ENV.issuerFunction),
    trustedCaSha256,
    lifetimeDays,
    renewBeforeDays,
    subject: { commonName: subject.commonName, organizationalUnit: subject.organizationalUnit },
    idempotencyScope: { project: scope.project, stack: scope.stack, component: scope.component },
    metricDimension: required(RENEWER_ENV.metricDimension),
    ...(edgeUrl && apiUrl ? { smokeTest: { edgeUrl, apiUrl } } : {}),
  };
}

/** {@link AcmCertificate} on the ACM API (us-east-1, where CloudFront reads certificates). */
export class AcmApiCertificate implements AcmCertificate {
  constructor(private readonly client: ACMClient) {}

  async get(arn: string): Promise<{ certificatePem: string; chainPem?: string }> {
    const result = await this.client.send(new GetCertificateCommand({ CertificateArn: arn }));
    if (!result.Certificate) throw new RenewalError(`ACM returned no certificate for ${arn}`);
    return { certificatePem: result.Certificate, chainPem: result.CertificateChain };
  }

  async reimport(arn: string, parts: { certificatePem: string; chainPem: string; privateKeyPem: string }): Promise<void> {
    await this.client.send(
      new ImportCertificateCommand({ CertificateArn: arn, Certificate: Buffer.from(parts.certificatePem), CertificateChain: Buffer.from(parts.chainPem), PrivateKey: Buffer.from(parts.privateKeyPem) }),
    );
  }
}

/** Invokes ca-issuer synchronously; a function error (not a refusal) is a RenewalError. */
export function lambdaIssuer(client: LambdaClient, functionName: string): RenewerDeps["issue"] {
  return async (request) => {
    const response = await client.send(new InvokeCommand({ FunctionName: functionName, InvocationType: "RequestResponse", Payload: Buffer.from(JSON.stringify(request)) }));
    const text = response.Payload ? Buffer.from(response.Payload).toString("utf8") : "";
    if (response.FunctionError) throw new RenewalError(`ca-issuer (${functionName}) failed (${response.FunctionError}): ${text.slice(0, 500)}`);
    try {
      return JSON.parse(text) as IssuerAnswer;
    } catch {
      throw new RenewalError(`ca-issuer (${functionName}) answered something that is not JSON`);
    }
  };
}

let deps: RenewerDeps | undefined;

/** The Lambda entry point (on a schedule; `{ "force": true }` to renew now). */
export async function handler(event: unknown): Promise<RenewalResult> {
  if (!deps) {
    const config = readRenewerConfig(process.env);
    deps = {
      config,
      acm: new AcmApiCertificate(new ACMClient({ region: "us-east-1" })),
      // The CA's function may live in another region: call it there (an ARN names its region).
      issue: lambdaIssuer(new LambdaClient({ region: config.issuerFunction.split(":")[3] || undefined }), config.issuerFunction),
      generateKey: generatePrivateKey,
      runChecks: (target) => runChecks(target),
      clock: () => new Date(),
      log: jsonLogger(),
    };
  }
  return handle(event, deps);
}
