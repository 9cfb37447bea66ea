/** What a run does to the two stacks. */
export type Action = "deploy" | "preview" | "destroy" | "outputs";

/** Why a run was refused or stopped: stable codes tools can branch on. */
export type AutomationErrorCode =
  | "ENV_INVALID"
  | "ENV_UNKNOWN"
  | "WORKDIR_INVALID"
  | "PROJECT_MISSING"
  | "CA_PROTECTED"
  | "PULUMI_MISSING"
  | "PULUMI_UNSUPPORTED"
  | "PASSPHRASE_MISSING"
  | "CA_CONTRACT"
  | "CA_NOT_RUN"
  | "ROLE_MISMATCH"
  | "NO_CREDENTIALS"
  | "OPTION_INVALID"
  | "ENGINE_FAILED";

/** A refusal before anything runs, or a failure said plainly; printed without a stack trace. */
export class AutomationError extends Error {
  constructor(
    readonly code: AutomationErrorCode,
    message: string,
    /** The option the error is about (`env`, `workDir`, `force`, …), when there is one. */
    readonly field?: string,
  ) {
    super(message);
    this.name = "AutomationError";
  }
}

/** One stack's part of a run. */
export interface StackStep {
  readonly stack: string;
  readonly role: "ca" | "workload";
  readonly operation: "up" | "preview" | "destroy" | "outputs";
  /** For the workload stack: the CA stack's name, handed to its program in memory (never written to a stack file). */
  readonly needsCaStack: boolean;
  /** Policy packs to run with the operation. */
  readonly policyPacks: readonly string[];
  /** Config files of those packs (JSON keyed by policy name), in the same order. */
  readonly policyPackConfigs: readonly string[];
  /** AWS profile for this account, when given. */
  readonly awsProfile?: string;
}

/** Options of a run. */
export interface PlanOptions {
  readonly action: Action;
  readonly env: string;
  /** The names of the files in the work directory (its Pulumi.yaml and Pulumi.<stack>.yaml files). */
  readonly workDirFiles: readonly string[];
  readonly policyPacks: readonly string[];
  readonly policyPackConfigs?: readonly string[];
  readonly force?: boolean;
  readonly caProfile?: string;
  readonly workloadProfile?: string;
}

/** Environments whose CA is protected: `destroy` needs --force. */
export const PROTECTED_ENVS = ["prod"];

/** The CA stack's outputs the workload stack depends on: a CA run that lacks them stops the run. */
export const CA_CONTRACT = ["rootCaCertPem", "issuingCaCertPem", "trustBundlePem", "issuerFunctionArn", "caBucketName"];

/** The project file names Pulumi reads, in its order. */
const PROJECT_FILES = ["Pulumi.yaml", "Pulumi.yml", "Pulumi.json"];

/**
 * The steps of a run, in order (pure): the CA stack before the workload stack (which reads the CA
 * through a StackReference), or the reverse for destroy. Previews and deployments run the policy
 * packs. The work directory must be a Pulumi project (its Pulumi.yaml names the project) with both
 * stack files of the environment.
 */
export function planRun(options: PlanOptions): StackStep[] {
  if (!/^[a-z0-9-]{1,20}$/.test(options.env)) throw new AutomationError("ENV_INVALID", `env must be 1-20 lower-case letters, digits or '-'; got ${JSON.stringify(options.env)}`, "env");
  if (!options.workDirFiles.some((f) => PROJECT_FILES.includes(f))) {
    throw new AutomationError("PROJECT_MISSING", "the work directory has no Pulumi.yaml: add one naming the project the stacks belong to (e.g. 'name: edge-mtls' and 'runtime: nodejs')", "workDir");
  }
  const knownEnvs = knownEnvironments(options.workDirFiles);
  if (!knownEnvs.includes(options.env)) {
    throw new AutomationError("ENV_UNKNOWN", `unknown env ${options.env}: the work directory has no Pulumi.ca-${options.env}.yaml and Pulumi.workload-${options.env}.yaml; known: ${knownEnvs.join(", ") || "(none)"}`, "env");
  }
  if (options.action === "destroy" && PROTECTED_ENVS.includes(options.env) && !options.force) {
    throw new AutomationError("CA_PROTECTED", `refusing to destroy the protected ${options.env} CA (its keys and inventory): add --force if you really mean it`, "force");
  }
  const configs = options.policyPackConfigs ?? [];
  if (configs.length > options.policyPacks.length) throw new AutomationError("OPTION_INVALID", `${configs.length} policy pack configs for ${options.policyPacks.length} policy pack(s): give at most one config per pack, in the same order`, "policyPackConfigs");
  const operation = ({ deploy: "up", preview: "preview", destroy: "destroy", outputs: "outputs" } as const)[options.action];
  const withPacks = options.action === "preview" || options.action === "deploy";
  const packs = { policyPacks: withPacks ? [...options.policyPacks] : [], policyPackConfigs: withPacks ? [...configs] : [] };
  const ca: StackStep = { stack: `ca-${options.env}`, role: "ca", operation, needsCaStack: false, ...packs, awsProfile: options.caProfile };
  const workload: StackStep = { stack: `workload-${options.env}`, role: "workload", operation, needsCaStack: true, ...packs, awsProfile: options.workloadProfile };
  return options.action === "destroy" ? [workload, ca] : [ca, workload];
}

/** Environments that have both stack configs, from the names of the files. */
export function knownEnvironments(files: readonly string[]): string[] {
  const envs = (role: string) => new Set(files.map((f) => f.match(new RegExp(`^Pulumi\\.${role}-([a-z0-9-]+)\\.yaml$`))?.[1]).filter((e): e is string => !!e));
  const ca = envs("ca");
  return [...envs("workload")].filter((e) => ca.has(e)).sort();
}

/** Explains an engine failure people hit (no credentials, no CLI) as a typed error; otherwise undefined. */
export function explainEngineError(stack: string, text: string): AutomationError | undefined {
  if (/no valid credential sources|NoCredentialProviders|could not load credentials|Unable to locate credentials|ExpiredToken/i.test(text)) {
    const flag = stack.startsWith("ca-") ? "caProfile" : "workloadProfile";
    return new AutomationError("NO_CREDENTIALS", `no usable AWS credentials for ${stack}: log in (aws sso login) or give the account's profile with --${stack.startsWith("ca-") ? "ca" : "workload"}-profile`, flag);
  }
  if (/pulumi: (command )?not found|ENOENT.*pulumi|Could not find the Pulumi CLI/i.test(text)) return new AutomationError("PULUMI_MISSING", PULUMI_MISSING);
  return undefined;
}

export const PULUMI_MISSING =
  "the Pulumi CLI is not installed (or not on PATH): install it (https://www.pulumi.com/docs/install/, e.g. 'curl -fsSL https://get.pulumi.com | sh'), or let the library install it with pulumiCli: { install: true }, and retry";
