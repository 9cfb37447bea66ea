import { NamePolicy, validateNamePolicy } from "../pki/issuance-policy";
import { SubjectFields, validateSubject } from "../pki/names";
import { PURPOSES, CertificatePurpose } from "../pki/profiles";
import type { CaKeySpec, ServerlessCaArgs } from "../components/serverless-ca";
import { StackConfigError } from "../stack-config";
import { LOG_RETENTION_DAYS, scheduleExpressionProblem } from "../offline/aws-rules";

export { StackConfigError };

/** The CA stack's settings, read from `edge-mtls:*` config (and `aws:region`). */
export interface CaStackConfig {
  readonly region: string;
  /** Role to assume in the CA account; default: the caller's credentials as they are. */
  readonly assumeRoleArn?: string;
  /** The CA's arguments, except the public endpoint's provider, which the stack makes. */
  readonly ca: Omit<ServerlessCaArgs, "publicEndpoint">;
  /** The public PKI endpoint (edge-mtls:publicDomain and its zone or certificate), when configured. */
  readonly publicEndpoint?: { readonly domainName: string; readonly hostedZoneId?: string; readonly certificateArn?: string };
}

const HOST = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const SNS_TOPIC = /^arn:aws[a-z-]*:sns:([a-z0-9-]+):\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/;

const CA_KEY_SPECS: readonly CaKeySpec[] = ["ECC_NIST_P256", "ECC_NIST_P384", "RSA_2048", "RSA_3072", "RSA_4096"];

/**
 * Reads and checks the CA stack's configuration (pure: `get` returns the raw value of a key in the
 * `edge-mtls` namespace, objects already parsed). `stackName` gives the default environment name
 * (`ca-dev` → `dev`).
 */
export function readCaStackConfig(get: (key: string) => unknown, stackName: string, region: string | undefined): CaStackConfig {
  if (!region) throw new Error("config aws:region is not set; run 'pulumi config set aws:region eu-west-2' (the CA account's region)");
  const str = (key: string): string | undefined => {
    const value = get(key);
    if (value === undefined) return undefined;
    if (typeof value !== "string" || value === "") throw new StackConfigError(key, "must be a non-empty string");
    return value;
  };
  const int = (key: string, min: number, max: number): number | undefined => {
    const raw = get(key);
    if (raw === undefined) return undefined;
    const value = typeof raw === "string" ? Number(raw) : raw;
    if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) throw new StackConfigError(key, `must be a whole number from ${min} to ${max}; got ${JSON.stringify(raw)}`);
    return value;
  };
  const subject = (key: string): SubjectFields => {
    const value = get(key);
    if (value === undefined) throw new StackConfigError(key, `is not set; give the CA's subject, e.g. { commonName: "Cloud Root CA", organization: "Cloud CA", country: "GB" }`);
    const checked = validateSubject(value, `edge-mtls:${key}`);
    if (!checked.commonName) throw new StackConfigError(key, "needs a commonName");
    return checked;
  };
  const keySpec = (key: string): CaKeySpec | undefined => {
    const value = str(key);
    if (value === undefined) return undefined;
    if (value === "ECC_NIST_P521") throw new StackConfigError(key, "cannot be ECC_NIST_P521: CloudFront trust stores accept only P-256 and P-384 EC CA keys (and RSA 2048-4096)");
    if (!CA_KEY_SPECS.includes(value as CaKeySpec)) throw new StackConfigError(key, `must be one of ${CA_KEY_SPECS.join(", ")}; got ${value}`);
    return value as CaKeySpec;
  };
  const list = (key: string, pattern: RegExp, what: string): string[] | undefined => {
    const value = get(key);
    if (value === undefined) return undefined;
    if (!Array.isArray(value) || !value.every((v) => typeof v === "string" && pattern.test(v))) throw new StackConfigError(key, `must be a list of ${what}`);
    return value as string[];
  };
  const namePolicies = (): Partial<Record<CertificatePurpose, NamePolicy>> | undefined => {
    const value = get("namePolicies");
    if (value === undefined) return undefined;
    if (value === null || typeof value !== "object") throw new StackConfigError("namePolicies", "must be an object keyed by client_auth / server_auth");
    const result: Partial<Record<CertificatePurpose, NamePolicy>> = {};
    for (const [purpose, policy] of Object.entries(value)) {
      if (!PURPOSES.includes(purpose as CertificatePurpose)) throw new StackConfigError("namePolicies", `has unknown purpose ${purpose}; use ${PURPOSES.join(", ")}`);
      try {
        result[purpose as CertificatePurpose] = validateNamePolicy(policy, `namePolicies.${purpose}`);
      } catch (error) {
        throw new StackConfigError("namePolicies", `is invalid: ${(error as Error).message}`);
      }
    }
    return result;
  };
  const rolePrincipals = (key: string, what: string, role: string): string[] | undefined => {
    const value = get(key);
    if (Array.isArray(value)) {
      const account = value.find((v) => typeof v === "string" && /^\d{12}$/.test(v));
      if (account) throw new StackConfigError(key, `must name IAM roles, not accounts: ${account} would let every principal of that account ${what}; give arn:aws:iam::${account}:role/<${role}>`);
    }
    return list(key, /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@\/-]+$/, `IAM role ARNs (arn:aws:iam::<account>:role/<name>) of those who may ${what}`);
  };
  const revokerPrincipals = () => rolePrincipals("revokerPrincipals", "revoke any certificate", "admin role");
  const topic = (key: string): string | undefined => {
    const arn = str(key);
    if (arn === undefined) return undefined;
    const match = SNS_TOPIC.exec(arn);
    if (!match) throw new StackConfigError(key, `must be an SNS topic ARN (arn:aws:sns:<region>:<account>:<name>); got ${arn}`);
    return arn;
  };
  const reminderWindowsDays = (): number[] | undefined => {
    const value = get("reminderWindowsDays");
    if (value === undefined) return undefined;
    if (!Array.isArray(value) || value.length === 0 || !value.every((v) => Number.isInteger(v) && v >= 1 && v <= 3650)) throw new StackConfigError("reminderWindowsDays", `must be a non-empty list of whole numbers of days from 1 to 3650, e.g. [30, 14, 7, 1]; got ${JSON.stringify(value)}`);
    if (new Set(value).size !== value.length) throw new StackConfigError("reminderWindowsDays", `lists a window twice: ${JSON.stringify(value)}`);
    return value as number[];
  };
  const publicEndpoint = (): CaStackConfig["publicEndpoint"] => {
    const domain = str("publicDomain")?.toLowerCase();
    const hostedZoneId = str("publicHostedZoneId");
    const certificateArn = str("publicCertificateArn");
    if (domain === undefined) {
      if (hostedZoneId || certificateArn) throw new StackConfigError(hostedZoneId ? "publicHostedZoneId" : "publicCertificateArn", "needs edge-mtls:publicDomain, the host name relying parties fetch CRLs and CA certificates from");
      return undefined;
    }
    if (!HOST.test(domain)) throw new StackConfigError("publicDomain", `must be a DNS host name like pki.example.com; got ${domain}`);
    if (!hostedZoneId && !certificateArn) throw new StackConfigError("publicDomain", "needs edge-mtls:publicHostedZoneId (a Route 53 zone: the certificate is DNS-validated and alias records added) or edge-mtls:publicCertificateArn (an ACM certificate in us-east-1 covering it)");
    if (certificateArn && !/^arn:aws[a-z-]*:acm:us-east-1:\d{12}:certificate\//.test(certificateArn)) throw new StackConfigError("publicCertificateArn", "must be an ACM certificate in us-east-1 (CloudFront reads certificates only there)");
    return { domainName: domain, hostedZoneId, certificateArn };
  };
  const endpoint = publicEndpoint();
  let publicBaseUrl = str("publicBaseUrl");
  if (publicBaseUrl !== undefined && !/^https?:\/\/[^\s/]+/.test(publicBaseUrl)) throw new StackConfigError("publicBaseUrl", `must be an http(s) URL; got ${publicBaseUrl}`);
  // Certificates carry it as an IA5String URI: printable ASCII (an IRI in its URI form).
  if (publicBaseUrl !== undefined && !/^[\x21-\x7e]+$/.test(publicBaseUrl)) throw new StackConfigError("publicBaseUrl", `must be an ASCII URI (no spaces, controls or non-ASCII characters); got ${JSON.stringify(publicBaseUrl)}`);
  if (endpoint) {
    // One base URL: the endpoint's. CRL distribution points and AIA are plain HTTP (RFC 5280 §8).
    const expected = `http://${endpoint.domainName}`;
    if (publicBaseUrl !== undefined && publicBaseUrl.replace(/\/+$/, "") !== expected) throw new StackConfigError("publicBaseUrl", `disagrees with edge-mtls:publicDomain: the endpoint serves ${expected}; remove publicBaseUrl (publicDomain sets it)`);
    publicBaseUrl = expected;
  }
  const alarmTopicArn = topic("alarmTopicArn");
  if (alarmTopicArn !== undefined && SNS_TOPIC.exec(alarmTopicArn)![1] !== region) {
    throw new StackConfigError("alarmTopicArn", `must be a topic in the CA's region ${region}: an EventBridge rule publishes only to targets in its own region; got ${SNS_TOPIC.exec(alarmTopicArn)![1]}`);
  }
  const protect = get("protect");
  if (protect !== undefined && typeof protect !== "boolean" && protect !== "true" && protect !== "false") throw new StackConfigError("protect", "must be true or false");
  const logRetentionDays = int("logRetentionDays", 1, 3653);
  if (logRetentionDays !== undefined && !(LOG_RETENTION_DAYS as readonly number[]).includes(logRetentionDays)) throw new StackConfigError("logRetentionDays", `must be one of the retention periods CloudWatch Logs accepts: ${LOG_RETENTION_DAYS.join(", ")}; got ${logRetentionDays}`);
  const crlSchedule = str("crlSchedule");
  const crlScheduleProblem = crlSchedule === undefined ? undefined : scheduleExpressionProblem(crlSchedule);
  if (crlScheduleProblem !== undefined) throw new StackConfigError("crlSchedule", `must be an EventBridge Scheduler rate(...) or cron(...) expression, e.g. "rate(1 hour)"; got ${JSON.stringify(crlSchedule)}, which ${crlScheduleProblem}`);
  const environment = str("environment") ?? stackName.replace(/^ca-/, "");
  if (!/^[a-z0-9-]{1,20}$/.test(environment)) throw new StackConfigError("environment", `must be 1-20 lower-case letters, digits or '-'; got ${environment}`);
  return {
    region,
    assumeRoleArn: str("assumeRoleArn"),
    publicEndpoint: endpoint,
    ca: {
      environment,
      rootSubject: subject("rootSubject"),
      issuingSubject: subject("issuingSubject"),
      rootKeySpec: keySpec("rootKeySpec"),
      issuingKeySpec: keySpec("issuingKeySpec"),
      rootLifetimeDays: int("rootLifetimeDays", 365, 36525),
      issuingLifetimeDays: int("issuingLifetimeDays", 30, 36525),
      maxLeafLifetimeDays: int("maxLeafLifetimeDays", 1, 825),
      namePolicies: namePolicies(),
      policyOids: list("policyOids", /^[0-2](\.(0|[1-9][0-9]*))+$/, "dotted OIDs like 2.23.140.1.2.1"),
      publicBaseUrl,
      workloadPrincipals: list("workloadPrincipals", /^(\d{12}|arn:aws[a-z-]*:iam::\d{12}:role\/.+)$/, "12-digit account ids or IAM role ARNs"),
      revokerPrincipals: revokerPrincipals(),
      crlSchedule,
      crlValidityHours: int("crlValidityHours", 1, 168),
      alarmTopicArn,
      notificationTopicArn: topic("notificationTopicArn"),
      reminderWindowsDays: reminderWindowsDays(),
      inventoryReaderPrincipals: rolePrincipals("inventoryReaderPrincipals", "list the whole inventory", "reader role"),
      keyDeletionWindowDays: int("keyDeletionWindowDays", 7, 30),
      protect: protect === true || protect === "true",
      logRetentionDays,
    },
  };
}
