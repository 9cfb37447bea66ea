import { AWS_RULES, deploymentViolations, formatViolation, resourceViolations } from "./index";
import type { AwsResource, AwsViolation, RaisedQuotas } from "./rule";

/** AWS would refuse what the program declared: the error a `pulumi up` would end with, offline. */
export class AwsRulesRefused extends Error {
  /** The first violation's AWS error, e.g. `InvalidArgument`. */
  readonly code: string;
  constructor(readonly violations: readonly AwsViolation[]) {
    super(`AWS would refuse this deployment:\n${violations.map((v) => `  - ${formatViolation(v)}`).join("\n")}`);
    this.name = "AwsRulesRefused";
    this.code = violations[0]?.awsError.split(" ")[0] ?? "AwsRulesRefused";
  }
}

/** A resource as the mocks record it (a subset of RecordedResource, without importing the mocks). */
export interface DeclaredResource {
  readonly type: string;
  readonly name: string;
  readonly inputs: Record<string, any>;
  readonly outputs?: Record<string, any>;
  readonly provider?: string;
}

/** Every refusal since the last {@link takeRefusals}, in registration order. */
const refused: AwsViolation[] = [];
let raised: RaisedQuotas = {};

/** Sets the account's raised quotas (by rule id) the offline deployment assumes; default: AWS's defaults. */
export function assumeRaisedQuotas(quotas: RaisedQuotas): void {
  raised = { ...quotas };
}

/** The refusals recorded so far, removed from the list. */
export function takeRefusals(): AwsViolation[] {
  return refused.splice(0, refused.length);
}

/** The region a declared resource lands in: its explicit aws provider's `region` input. */
function regionOf(resource: DeclaredResource, providers: readonly DeclaredResource[]): string | undefined {
  const provider = providers.find((p) => resource.provider?.includes(`::${p.name}::`));
  return typeof provider?.inputs.region === "string" ? provider.inputs.region : undefined;
}

/** A declared resource as the rules see it: inputs over outputs, names left to Pulumi's auto-naming. */
export function toAwsResource(resource: DeclaredResource, all: readonly DeclaredResource[]): AwsResource {
  const providers = all.filter((r) => r.type.startsWith("pulumi:providers:"));
  return { type: resource.type, name: resource.name, urn: `urn:pulumi:offline::edge-mtls::${resource.type}::${resource.name}`, props: { ...(resource.outputs ?? {}), ...resource.inputs }, region: regionOf(resource, providers), declaredOnly: true };
}

/**
 * Called by the mocks when a resource is registered: throws {@link AwsRulesRefused} (and records
 * the refusal) when AWS would refuse the resource, as the provider's create call would fail.
 */
export function refuseAtRegistration(resource: DeclaredResource, registered: readonly DeclaredResource[]): void {
  const violations = resourceViolations(toAwsResource({ ...resource, outputs: undefined }, [...registered, resource]), raised, AWS_RULES);
  if (violations.length === 0) return;
  refused.push(...violations);
  throw new AwsRulesRefused(violations);
}

/**
 * Every rule over resources as they stand now: each resource as registration judges it (its
 * inputs), then the cross-resource rules. For declarations edited after their registration (the
 * rehearsal's mutations), which the registration-time check never saw.
 */
export function currentRefusals(resources: readonly DeclaredResource[]): AwsViolation[] {
  const single = resources.flatMap((r) => resourceViolations(toAwsResource({ ...r, outputs: undefined }, resources), raised, AWS_RULES));
  return [...single, ...deploymentRefusals(resources)];
}

/** The cross-resource rules over everything a run (or two runs together) declared. */
export function deploymentRefusals(resources: readonly DeclaredResource[]): AwsViolation[] {
  return deploymentViolations(resources.map((r) => toAwsResource(r, resources)), raised, AWS_RULES);
}
