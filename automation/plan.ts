/** What a run does to the two stacks. */
export type Action = "deploy" | "preview" | "destroy" | "outputs";

/** A refusal before anything runs, or a failure said plainly; printed without a stack trace. */
export class AutomationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AutomationError";
  }
}

/** One stack's part of a run. */
export interface StackStep {
  readonly stack: string;
  readonly role: "ca" | "workload";
  readonly operation: "up" | "preview" | "destroy" | "outputs";
  /** Config set before the operation (besides the committed Pulumi.<stack>.yaml). */
  readonly config: Readonly<Record<string, string>>;
  /** For the workload stack: take `edge-mtls:caStack` from the CA stack's fully qualified name. */
  readonly needsCaStack: boolean;
  /** Policy packs to run with the operation. */
  readonly policyPacks: readonly string[];
  /** AWS profile for this account, when given. */
  readonly awsProfile?: string;
}

/** Options of a run. */
export interface PlanOptions {
  readonly action: Action;
  readonly env: string;
  /** Environments with committed stack configs (Pulumi.ca-<env>.yaml and Pulumi.workload-<env>.yaml). */
  readonly knownEnvs: readonly string[];
  readonly policyPackPath: string;
  readonly force?: boolean;
  readonly caProfile?: string;
  readonly workloadProfile?: string;
}

/** Environments whose CA is protected: `destroy` needs --force. */
export const PROTECTED_ENVS = ["prod"];

/** The CA stack's outputs the workload stack depends on: a CA run that lacks them stops the run. */
export const CA_CONTRACT = ["rootCaCertPem", "issuingCaCertPem", "trustBundlePem", "issuerFunctionArn", "caBucketName"];

/**
 * The steps of a run, in order (pure): the CA stack before the workload stack (which reads the CA
 * through a StackReference), or the reverse for destroy. Previews run the policy pack.
 */
export function planRun(options: PlanOptions): StackStep[] {
  if (!/^[a-z0-9-]{1,20}$/.test(options.env)) throw new AutomationError(`--env must be 1-20 lower-case letters, digits or '-'; got ${JSON.stringify(options.env)}`);
  if (!options.knownEnvs.includes(options.env)) {
    throw new AutomationError(`unknown env ${options.env}: there is no Pulumi.ca-${options.env}.yaml and Pulumi.workload-${options.env}.yaml; known: ${options.knownEnvs.join(", ") || "(none)"}`);
  }
  if (options.action === "destroy" && PROTECTED_ENVS.includes(options.env) && !options.force) {
    throw new AutomationError(`refusing to destroy the protected ${options.env} CA (its keys and inventory): add --force if you really mean it`);
  }
  const operation = ({ deploy: "up", preview: "preview", destroy: "destroy", outputs: "outputs" } as const)[options.action];
  const policyPacks = options.action === "preview" || options.action === "deploy" ? [options.policyPackPath] : [];
  const ca: StackStep = { stack: `ca-${options.env}`, role: "ca", operation, config: { "edge-mtls:role": "ca" }, needsCaStack: false, policyPacks, awsProfile: options.caProfile };
  const workload: StackStep = { stack: `workload-${options.env}`, role: "workload", operation, config: { "edge-mtls:role": "workload" }, needsCaStack: true, policyPacks, awsProfile: options.workloadProfile };
  return options.action === "destroy" ? [workload, ca] : [ca, workload];
}

/** Environments that have both stack configs, from the names of the committed files. */
export function knownEnvironments(files: readonly string[]): string[] {
  const envs = (role: string) => new Set(files.map((f) => f.match(new RegExp(`^Pulumi\\.${role}-([a-z0-9-]+)\\.yaml$`))?.[1]).filter((e): e is string => !!e));
  const ca = envs("ca");
  return [...envs("workload")].filter((e) => ca.has(e)).sort();
}

/** Explains what an engine failure means when it is one people hit (no credentials, no CLI); otherwise undefined. */
export function explainEngineError(stack: string, text: string): string | undefined {
  if (/no valid credential sources|NoCredentialProviders|could not load credentials|Unable to locate credentials|ExpiredToken/i.test(text)) {
    return `no usable AWS credentials for ${stack}: log in (aws sso login) or give the account's profile with --${stack.startsWith("ca-") ? "ca" : "workload"}-profile`;
  }
  if (/pulumi: (command )?not found|ENOENT.*pulumi|Could not find the Pulumi CLI/i.test(text)) return PULUMI_MISSING;
  return undefined;
}

export const PULUMI_MISSING = "the Pulumi CLI is not installed (or not on PATH): install it (https://www.pulumi.com/docs/install/, e.g. 'curl -fsSL https://get.pulumi.com | sh') and retry";
