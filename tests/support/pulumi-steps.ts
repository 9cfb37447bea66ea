import { isDeepStrictEqual } from "node:util";
import type { RecordedResource } from "../../offline/pulumi-mocks";

/**
 * What the next `pulumi up` would do with a resource, from what the last run declared (the state's
 * inputs) and what the program declares now. The mocks run every program from scratch, so this
 * is how the tests see the difference between two runs as the engine would.
 */
export type PlannedStep =
  | { readonly op: "same" }
  | { readonly op: "create" }
  | { readonly op: "update"; readonly changed: readonly string[] }
  | { readonly op: "replace"; readonly changed: readonly string[]; readonly because: readonly string[] };

/**
 * Inputs the AWS provider cannot change in place, for the resource types these tests follow: the
 * `ForceNew` arguments of the Terraform schemas @pulumi/aws bridges. The installed @pulumi/aws
 * (7.48) ships no schema or ForceNew metadata (its SDK carries only the types and docs), so the
 * facts are pinned here with the source read, hashicorp/terraform-provider-aws on GitHub:
 * - internal/service/lambda/invocation.go (commit 0133e9ef): `function_name`, `qualifier` and
 *   `triggers` are `ForceNew`; `input` is not, but `customizeDiffInputChangeWithCreateOnlyScope`
 *   forces a new resource when it changes under `lifecycle_scope` CREATE_ONLY (the default); under
 *   CRUD a changed input is an update (the function is invoked with action "update").
 * - internal/service/acm/certificate.go (commit 01661ea3): `certificate_authority_arn`,
 *   `domain_name`, `key_algorithm`, `subject_alternative_names`, `validation_method`,
 *   `validation_option` are `ForceNew`; `certificate_body`, `certificate_chain` and `private_key`
 *   are not: `resourceCertificateUpdate` re-imports them (ImportCertificate with CertificateArn),
 *   and `resourceCertificateRead` never reads them back.
 * Those commits are the provider's main branch as stored here, not necessarily the exact
 * provider version 7.48 bridges; a test below pins what the model does with each fact.
 */
const REPLACED_ON: Readonly<Record<string, (inputs: Record<string, unknown>) => readonly string[]>> = {
  "aws:lambda/invocation:Invocation": (inputs) => ["functionName", "qualifier", "triggers", ...((inputs.lifecycleScope ?? "CREATE_ONLY") === "CREATE_ONLY" ? ["input"] : [])],
  "aws:acm/certificate:Certificate": () => ["certificateAuthorityArn", "domainName", "keyAlgorithm", "subjectAlternativeNames", "validationMethod", "validationOptions"],
};

const key = (r: RecordedResource) => `${r.type}::${r.name}`;

/**
 * The engine's step for each resource `after` declares (by type and logical name): ignored
 * properties (`ignoreChanges`, top-level names) take their old values first — Pulumi decides
 * update or replace on the old value (https://www.pulumi.com/docs/iac/concepts/options/ignorechanges/)
 * — then a change to a provider's replace-on input or a `replaceOnChanges` property replaces, any
 * other change updates.
 */
export function plannedSteps(before: readonly RecordedResource[], after: readonly RecordedResource[]): Map<string, PlannedStep> {
  const previous = new Map(before.map((r) => [key(r), r]));
  const steps = new Map<string, PlannedStep>();
  for (const resource of after) {
    const old = previous.get(key(resource));
    if (!old) {
      steps.set(key(resource), { op: "create" });
      continue;
    }
    const goal: Record<string, unknown> = { ...resource.inputs };
    for (const name of resource.ignoreChanges ?? []) if (name in old.inputs) goal[name] = old.inputs[name];
    const names = [...new Set([...Object.keys(goal), ...Object.keys(old.inputs)])];
    const changed = names.filter((name) => !isDeepStrictEqual(goal[name], old.inputs[name])).sort();
    const replaceOn = new Set([...(REPLACED_ON[resource.type]?.(goal) ?? []), ...(resource.replaceOnChanges ?? [])]);
    const because = changed.filter((name) => replaceOn.has(name));
    steps.set(key(resource), changed.length === 0 ? { op: "same" } : because.length > 0 ? { op: "replace", changed, because } : { op: "update", changed });
  }
  return steps;
}

/** The step of the resource of this type and logical name. */
export function stepOf(steps: Map<string, PlannedStep>, type: string, name: string): PlannedStep {
  const step = steps.get(`${type}::${name}`);
  if (!step) throw new Error(`no step for ${type} ${name}`);
  return step;
}

/** Names of the resources whose step is not "same". */
export function changedResources(steps: Map<string, PlannedStep>): string[] {
  return [...steps].filter(([, step]) => step.op !== "same").map(([k]) => k.split("::")[1]!).sort();
}
