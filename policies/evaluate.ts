import type { ResourceValidationArgs, StackValidationArgs } from "@pulumi/policy";
import { UnreadableValueError } from "./normalise";
import type { EdgePolicy, Exemption } from "./policies";

/** A resource as the engine hands it to policies: type, props, URN, name, and its provider's props. */
export interface EngineResource {
  readonly type: string;
  readonly name: string;
  readonly urn: string;
  readonly props: Record<string, any>;
  readonly provider?: { readonly type: string; readonly name: string; readonly urn: string; readonly props: Record<string, any> };
}

/** A violation, with the level it is enforced at. */
export interface Violation {
  readonly policy: string;
  readonly enforcementLevel: "advisory" | "mandatory";
  readonly resource?: string;
  readonly urn?: string;
  readonly message: string;
  /**
   * Set when the policy could not judge the resource: a value it needs is a secret held as
   * ciphertext, unknown, or of the wrong shape. Always mandatory; the checker exits 2 on it.
   */
  readonly unreadable?: { readonly field: string; readonly reason: string };
}

/** Per-policy settings, as in the pack's config: an enforcement level and exemptions. */
export type CheckConfig = Record<string, { enforcementLevel?: "advisory" | "mandatory" | "disabled"; exemptions?: Exemption[] }>;

class NotApplicable extends Error {}

/** Checks a config file's content: known policies, known levels, every exemption justified. */
export function validateCheckConfig(config: unknown, policies: readonly EdgePolicy[]): CheckConfig {
  if (config === null || typeof config !== "object" || Array.isArray(config)) throw new Error("the policy config must be an object keyed by policy name");
  for (const [name, settings] of Object.entries(config as Record<string, any>)) {
    if (!policies.some((p) => p.name === name)) throw new Error(`the policy config names unknown policy ${name}; known: ${policies.map((p) => p.name).join(", ")}`);
    if (settings.enforcementLevel !== undefined && !["advisory", "mandatory", "disabled"].includes(settings.enforcementLevel)) throw new Error(`${name}.enforcementLevel must be advisory, mandatory or disabled`);
    for (const exemption of settings.exemptions ?? []) {
      if (typeof exemption?.resource !== "string" || typeof exemption?.justification !== "string" || exemption.justification.trim().length < 10) {
        throw new Error(`${name}.exemptions: each exemption needs a resource (URN or name) and a justification of at least 10 characters`);
      }
    }
  }
  return config as CheckConfig;
}

/**
 * Evaluates the pack's policies on `resources` as the policy engine would: resource policies once
 * per resource, stack policies once; violations collected with their (configured) level. A value a
 * policy cannot read becomes a mandatory violation marked `unreadable` (where the engine, which
 * shows policies plaintext secrets and typed values, would fail the run instead).
 */
export function evaluate(resources: readonly EngineResource[], policies: readonly EdgePolicy[], config: CheckConfig = {}): Violation[] {
  const violations: Violation[] = [];
  const common = (policyName: string) => ({
    stackTags: new Map<string, string>(),
    notApplicable: (reason?: string): never => {
      throw new NotApplicable(reason);
    },
    getConfig: <T extends object>() => (config[policyName] ?? {}) as T,
  });
  const policyResource = (r: EngineResource) => ({
    ...r,
    opts: { protect: false, ignoreChanges: [], aliases: [], additionalSecretOutputs: [], customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 } },
    isType: () => false,
    asType: () => undefined,
  });
  // A value that cannot be read is reported once (a stack rule's advisory twin reads the same values), unless its resource is exempt.
  const cannotRead = (policyName: string, error: UnreadableValueError) => {
    const exempt = (config[policyName]?.exemptions ?? []).some((e) => e.resource === error.resource.urn || e.resource === error.resource.name);
    const seen = violations.some((v) => v.unreadable && v.urn === error.resource.urn && v.unreadable.field === error.field && v.unreadable.reason === error.reason);
    if (exempt || seen) return;
    violations.push({ policy: policyName, enforcementLevel: "mandatory", resource: error.resource.name, urn: error.resource.urn, message: error.message, unreadable: { field: error.field, reason: error.reason } });
  };
  for (const policy of policies) {
    const level = config[policy.name]?.enforcementLevel ?? policy.enforcementLevel ?? "advisory";
    if (level === "disabled" || level === "remediate") continue;
    const report = (resource?: EngineResource) => (message: string, urn?: string) =>
      violations.push({ policy: policy.name, enforcementLevel: level, resource: resource?.name ?? resources.find((r) => r.urn === urn)?.name, urn: urn ?? resource?.urn, message });
    try {
      if ("validateResource" in policy && policy.validateResource) {
        const validators = Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource];
        for (const resource of resources) {
          const args = { ...policyResource(resource), ...common(policy.name) } as unknown as ResourceValidationArgs;
          for (const validate of validators) {
            try {
              void validate(args, report(resource));
            } catch (error) {
              if (error instanceof UnreadableValueError) cannotRead(policy.name, error);
              else if (!(error instanceof NotApplicable)) throw error;
            }
          }
        }
      } else if ("validateStack" in policy && policy.validateStack) {
        const args = { resources: resources.map((r) => ({ ...policyResource(r), dependencies: [], propertyDependencies: {} })), ...common(policy.name) } as unknown as StackValidationArgs;
        void policy.validateStack(args, report());
      }
    } catch (error) {
      if (error instanceof UnreadableValueError) cannotRead(policy.name, error);
      else if (!(error instanceof NotApplicable)) throw error;
    }
  }
  return violations;
}
