import { LOG_RETENTION_DAYS, rateMinutes, refusedCustomHeaderReason, scheduleExpressionProblem } from "../offline/aws-rules";
import { StackConfigError } from "../stack-config";

/** The header CloudFront adds to origin requests to prove itself, unless `edge-mtls:secretHeaderName` says otherwise. */
export const DEFAULT_SECRET_HEADER_NAME = "X-Origin-Verify";

/** The workload stack's settings, from `edge-mtls:*` config (and `aws:region`). */
export interface WorkloadStackConfig {
  readonly region: string;
  readonly assumeRoleArn?: string;
  readonly environment: string;
  /**
   * The CA stack: a plain stack name (`ca-dev`, in this stack's organization and project) or a
   * fully qualified one (`acme/edge-mtls/ca-dev`). Default `ca-<environment>`.
   */
  readonly caStack: string;
  /** Viewer-facing host name (CloudFront alias) and the API origin's custom domain. */
  readonly edgeDomain: string;
  readonly apiDomain: string;
  /** Route 53 zone for DNS-validated certificates and alias records; or certificate ARNs. */
  readonly hostedZoneId?: string;
  readonly edgeCertificateArn?: string;
  readonly apiCertificateArn?: string;
  readonly apiOwnershipVerificationCertificateArn?: string;
  readonly originCertificate: {
    commonName: string;
    organizationalUnit: string;
    lifetimeDays: number;
    renewBeforeDays: number;
    keyAlgorithm: "ECDSA" | "RSA";
    /** Alarm when fewer days remain (default half of renewBeforeDays). */
    alarmBelowDays: number;
    /** When the renewal function runs (EventBridge Scheduler expression). */
    renewalSchedule: string;
    /** Run the how-to's checks after each renewal (default: as verifyAfterDeploy). */
    checkAfterRenewal: boolean;
  };
  /** SNS topic for the workload stack's alarms (origin certificate renewal and expiry). */
  readonly alarmTopicArn?: string;
  readonly allowedOriginSubjects: { commonName: string; organizationalUnit: string }[];
  readonly secretHeaderName: string;
  readonly siteContentDir?: string;
  readonly priceClass?: string;
  readonly webAclArn?: string;
  readonly logRetentionDays?: number;
  /** Run `edge-mtls verify` after every relevant change (default: on, except in prod). */
  readonly verifyAfterDeploy: boolean;
}

/** A stack name, plain or fully qualified (`<org>/<project>/<stack>`). */
const STACK_NAME = /^([^/\s]+\/[^/\s]+\/)?[^/\s]+$/;

/** A CA stack name as a StackReference needs it: a plain name is qualified with this stack's organization and project. */
export function qualifyStackName(name: string, scope: () => { organization: string; project: string }): string {
  if (name.includes("/")) return name;
  const { organization, project } = scope();
  return `${organization}/${project}/${name}`;
}

const HOST = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/** Reads and checks the workload stack's configuration (pure; `get` returns raw values, objects parsed). */
export function readWorkloadStackConfig(get: (key: string) => unknown, stackName: string, region: string | undefined): WorkloadStackConfig {
  if (!region) throw new Error("config aws:region is not set; run 'pulumi config set aws:region eu-west-2' (the workload account's region)");
  const str = (key: string, required = false): string | undefined => {
    const value = get(key);
    if (value === undefined) {
      if (required) throw new StackConfigError(key, "is not set");
      return undefined;
    }
    if (typeof value !== "string" || value === "") throw new StackConfigError(key, "must be a non-empty string");
    return value;
  };
  const host = (key: string): string => {
    const value = str(key, true)!.toLowerCase();
    if (!HOST.test(value)) throw new StackConfigError(key, `must be a DNS host name like www.example.com; got ${value}`);
    return value;
  };
  const caStackValue = str("caStack");
  if (caStackValue !== undefined && !STACK_NAME.test(caStackValue)) throw new StackConfigError("caStack", `must be a stack name (ca-dev) or a fully qualified one <org>/<project>/<stack>; got ${caStackValue}`);
  const hostedZoneId = str("hostedZoneId");
  const edgeCertificateArn = str("edgeCertificateArn");
  const apiCertificateArn = str("apiCertificateArn");
  if (!hostedZoneId && (!edgeCertificateArn || !apiCertificateArn)) {
    throw new StackConfigError("hostedZoneId", "is not set: give a Route 53 zone (certificates are then created and DNS-validated) or both edge-mtls:edgeCertificateArn (us-east-1) and edge-mtls:apiCertificateArn");
  }
  if (edgeCertificateArn && !/^arn:aws[a-z-]*:acm:us-east-1:\d{12}:certificate\//.test(edgeCertificateArn)) throw new StackConfigError("edgeCertificateArn", "must be an ACM certificate in us-east-1 (CloudFront reads certificates only there)");
  const origin = (get("originCertificate") ?? {}) as Record<string, unknown>;
  const lifetimeDays = origin.lifetimeDays === undefined ? 90 : Number(origin.lifetimeDays);
  const renewBeforeDays = origin.renewBeforeDays === undefined ? 30 : Number(origin.renewBeforeDays);
  if (!Number.isInteger(lifetimeDays) || lifetimeDays < 2 || lifetimeDays > 365) throw new StackConfigError("originCertificate", `lifetimeDays must be a whole number from 2 to 365; got ${origin.lifetimeDays}`);
  if (!Number.isInteger(renewBeforeDays) || renewBeforeDays < 1 || renewBeforeDays >= lifetimeDays) throw new StackConfigError("originCertificate", `renewBeforeDays must be at least 1 and less than lifetimeDays (${lifetimeDays}); got ${origin.renewBeforeDays}`);
  const keyAlgorithm = (origin.keyAlgorithm ?? "ECDSA") as string;
  if (keyAlgorithm !== "ECDSA" && keyAlgorithm !== "RSA") throw new StackConfigError("originCertificate", `keyAlgorithm must be ECDSA (P-256) or RSA (2048), the two CloudFront accepts for origin mTLS; got ${keyAlgorithm}`);
  const alarmBelowDays = origin.alarmBelowDays === undefined ? Math.max(1, Math.floor(renewBeforeDays / 2)) : Number(origin.alarmBelowDays);
  if (!Number.isInteger(alarmBelowDays) || alarmBelowDays < 1 || alarmBelowDays > renewBeforeDays) throw new StackConfigError("originCertificate", `alarmBelowDays must be a whole number from 1 to renewBeforeDays (${renewBeforeDays}): the alarm is for a renewal that did not happen; got ${origin.alarmBelowDays}`);
  const renewalSchedule = origin.renewalSchedule === undefined ? "rate(12 hours)" : origin.renewalSchedule;
  const scheduleProblem = typeof renewalSchedule === "string" ? scheduleExpressionProblem(renewalSchedule) : "is not a string";
  if (scheduleProblem !== undefined) throw new StackConfigError("originCertificate", `renewalSchedule must be an EventBridge Scheduler rate(...) or cron(...) expression, e.g. "rate(12 hours)"; got ${JSON.stringify(origin.renewalSchedule)}, which ${scheduleProblem}`);
  // The expiry alarm counts a day without the renewer's metric as breaching: it must run at least daily.
  const minutesApart = rateMinutes(renewalSchedule as string);
  if (minutesApart !== undefined && minutesApart > 1440) throw new StackConfigError("originCertificate", `renewalSchedule must run the renewer at least once a day (its expiry alarm treats a day without its metric as a renewer that stopped); got ${renewalSchedule}`);
  if (origin.checkAfterRenewal !== undefined && typeof origin.checkAfterRenewal !== "boolean") throw new StackConfigError("originCertificate", "checkAfterRenewal must be true or false");
  const originCertificate = {
    commonName: typeof origin.commonName === "string" ? origin.commonName : "CloudFront",
    organizationalUnit: typeof origin.organizationalUnit === "string" ? origin.organizationalUnit : "CloudFront",
    lifetimeDays,
    renewBeforeDays,
    keyAlgorithm: keyAlgorithm as "ECDSA" | "RSA",
    alarmBelowDays,
    renewalSchedule: renewalSchedule as string,
    checkAfterRenewal: origin.checkAfterRenewal as boolean | undefined,
  };
  const allowed = get("allowedOriginSubjects") ?? [{ commonName: originCertificate.commonName, organizationalUnit: originCertificate.organizationalUnit }];
  if (!Array.isArray(allowed) || !allowed.every((a) => a && typeof a.commonName === "string" && typeof a.organizationalUnit === "string")) {
    throw new StackConfigError("allowedOriginSubjects", "must be a list of { commonName, organizationalUnit }");
  }
  if (!allowed.some((a) => a.commonName === originCertificate.commonName && a.organizationalUnit === originCertificate.organizationalUnit)) {
    throw new StackConfigError("allowedOriginSubjects", `does not include the origin certificate's CN=${originCertificate.commonName}, OU=${originCertificate.organizationalUnit}: the authorizer would refuse every request from CloudFront`);
  }
  const secretHeaderName = str("secretHeaderName") ?? DEFAULT_SECRET_HEADER_NAME;
  if (!/^X-[A-Za-z0-9-]+$/.test(secretHeaderName)) throw new StackConfigError("secretHeaderName", `must be a custom header name like ${DEFAULT_SECRET_HEADER_NAME}; got ${secretHeaderName}`);
  const refused = refusedCustomHeaderReason(secretHeaderName);
  if (refused) throw new StackConfigError("secretHeaderName", `cannot be ${secretHeaderName}: ${refused} (CloudFront's create call would fail); use a name such as ${DEFAULT_SECRET_HEADER_NAME}`);
  const environment = str("environment") ?? stackName.replace(/^workload-/, "");
  if (!/^[a-z0-9-]{1,20}$/.test(environment)) throw new StackConfigError("environment", `must be 1-20 lower-case letters, digits or '-'; got ${environment}`);
  const retention = get("logRetentionDays");
  if (retention !== undefined && !(LOG_RETENTION_DAYS as readonly number[]).includes(Number(retention))) throw new StackConfigError("logRetentionDays", `must be one of the retention periods CloudWatch Logs accepts: ${LOG_RETENTION_DAYS.join(", ")}; got ${JSON.stringify(retention)}`);
  const verify = get("verifyAfterDeploy");
  if (verify !== undefined && typeof verify !== "boolean") throw new StackConfigError("verifyAfterDeploy", "must be true or false");
  const verifyAfterDeploy = verify === undefined ? environment !== "prod" : verify;
  const alarmTopicArn = str("alarmTopicArn");
  if (alarmTopicArn !== undefined && !/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/.test(alarmTopicArn)) throw new StackConfigError("alarmTopicArn", `must be an SNS topic ARN (arn:aws:sns:<region>:<account>:<name>); got ${alarmTopicArn}`);
  return {
    region,
    assumeRoleArn: str("assumeRoleArn"),
    environment,
    caStack: caStackValue ?? `ca-${environment}`,
    edgeDomain: host("edgeDomain"),
    apiDomain: host("apiDomain"),
    hostedZoneId,
    edgeCertificateArn,
    apiCertificateArn,
    apiOwnershipVerificationCertificateArn: str("apiOwnershipVerificationCertificateArn"),
    originCertificate: { ...originCertificate, checkAfterRenewal: originCertificate.checkAfterRenewal ?? verifyAfterDeploy },
    alarmTopicArn,
    allowedOriginSubjects: allowed,
    secretHeaderName,
    siteContentDir: str("siteContentDir"),
    priceClass: str("priceClass"),
    webAclArn: str("webAclArn"),
    logRetentionDays: retention === undefined ? undefined : Number(retention),
    verifyAfterDeploy,
  };
}

/** Checks the origin secret (config `edge-mtls:originSecret`, a secret): long enough to be unguessable. */
export function checkOriginSecret(value: string | undefined): string {
  if (!value) throw new StackConfigError("originSecret", "is not set; run 'pulumi config set --secret edge-mtls:originSecret \"$(openssl rand -base64 48)\"'");
  if (value.length < 32) throw new StackConfigError("originSecret", `must be at least 32 characters; got ${value.length}`);
  return value;
}
