import { CA_ENV } from "./contract";
import { DEFAULT_ISSUANCE_POLICY, IssuancePolicy, validateNamePolicy } from "../../pki/issuance-policy";
import { SubjectFields, validateSubject } from "../../pki/names";
import { DEFAULT_ISSUING_LIFETIME_DAYS, DEFAULT_MAX_LEAF_LIFETIME_DAYS, DEFAULT_ROOT_LIFETIME_DAYS, PURPOSES, ProfileOptions } from "../../pki/profiles";

/** What the CA functions are told through their environment (set by the ServerlessCa component). */
export interface CaConfig {
  readonly tableName: string;
  readonly bucketName: string;
  readonly rootKeyId: string;
  readonly issuingKeyId: string;
  readonly rootSubject: SubjectFields;
  readonly issuingSubject: SubjectFields;
  readonly rootLifetimeDays: number;
  readonly issuingLifetimeDays: number;
  /** Profile of the issuing CA certificate (the root's CRL/AIA URLs, policy OIDs). */
  readonly issuingProfile: ProfileOptions;
  /** Profile of leaves (the issuing CA's CRL/AIA URLs, policy OIDs). */
  readonly leafProfile: ProfileOptions;
  readonly policy: IssuancePolicy;
  /** How long an issuing CRL is valid: a few times the publishing period. */
  readonly crlValidityHours: number;
  /** How long the root CRL is valid. */
  readonly rootCrlValidityDays: number;
  /** The ca-revoker function's name, for ca-issuer's answer to a revoke request. */
  readonly revokerFunctionName?: string;
}


/** Thrown when the environment is wrong: a deployment bug, reported with the variable's name. */
export class CaConfigError extends Error {
  constructor(variable: string, problem: string) {
    super(`environment ${variable}: ${problem}`);
    this.name = "CaConfigError";
  }
}

/** Reads and checks the CA configuration from an environment (pure). */
export function readCaConfig(env: Record<string, string | undefined>): CaConfig {
  const required = (name: string): string => {
    const value = env[name];
    if (!value) throw new CaConfigError(name, "is not set");
    return value;
  };
  const json = <T>(name: string, fallback?: T): T => {
    const value = env[name];
    if (value === undefined || value === "") {
      if (fallback !== undefined) return fallback;
      throw new CaConfigError(name, "is not set");
    }
    try {
      return JSON.parse(value) as T;
    } catch {
      throw new CaConfigError(name, "is not valid JSON");
    }
  };
  const positive = (name: string, fallback: number): number => {
    const value = env[name] === undefined || env[name] === "" ? fallback : Number(env[name]);
    if (!Number.isInteger(value) || value < 1) throw new CaConfigError(name, `must be a positive whole number; got ${env[name]}`);
    return value;
  };
  const policy = json<Partial<IssuancePolicy>>(CA_ENV.policy, DEFAULT_ISSUANCE_POLICY);
  const names = policy.names ?? DEFAULT_ISSUANCE_POLICY.names;
  return {
    tableName: required(CA_ENV.tableName),
    bucketName: required(CA_ENV.bucketName),
    rootKeyId: required(CA_ENV.rootKeyId),
    issuingKeyId: required(CA_ENV.issuingKeyId),
    rootSubject: validateSubject(json(CA_ENV.rootSubject), CA_ENV.rootSubject),
    issuingSubject: validateSubject(json(CA_ENV.issuingSubject), CA_ENV.issuingSubject),
    rootLifetimeDays: positive(CA_ENV.rootLifetimeDays, DEFAULT_ROOT_LIFETIME_DAYS),
    issuingLifetimeDays: positive(CA_ENV.issuingLifetimeDays, DEFAULT_ISSUING_LIFETIME_DAYS),
    issuingProfile: json<ProfileOptions>(CA_ENV.issuingProfile, {}),
    leafProfile: json<ProfileOptions>(CA_ENV.leafProfile, {}),
    policy: {
      maxLifetimeDays: policy.maxLifetimeDays ?? DEFAULT_MAX_LEAF_LIFETIME_DAYS,
      defaultLifetimeDays: policy.defaultLifetimeDays ?? DEFAULT_ISSUANCE_POLICY.defaultLifetimeDays,
      names: Object.fromEntries(PURPOSES.map((p) => [p, validateNamePolicy(names[p], `${CA_ENV.policy}.names.${p}`)])) as IssuancePolicy["names"],
    },
    crlValidityHours: positive(CA_ENV.crlValidityHours, 6),
    rootCrlValidityDays: positive(CA_ENV.rootCrlValidityDays, 7),
    ...(env[CA_ENV.revokerFunctionName] ? { revokerFunctionName: env[CA_ENV.revokerFunctionName] } : {}),
  };
}

export { CA_ENV };
