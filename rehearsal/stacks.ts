import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { PACKAGE_ROOT } from "../package-root";
import { OfflineDeployment, OfflineDeploymentFailed } from "../offline/deployment";
import { formatViolation } from "../offline/aws-rules";
import { runExampleDeployment } from "../policies/program-run";

/** The folder the rehearsal uploads as the site content (`edge-mtls:siteContentDir`). */
export const REHEARSAL_SITE_DIR = join(__dirname, "site");

/** The programs would not deploy: one line naming the stack, the resource and the reason (the offline failure in `cause`). */
export class RehearsalDeploymentRefused extends Error {
  readonly code = "DEPLOYMENT_REFUSED";
  constructor(readonly cause: OfflineDeploymentFailed) {
    super(deploymentFailureLine(cause));
    this.name = "RehearsalDeploymentRefused";
  }
}

/** Which stack files the rehearsal runs, and config on top of them (tests; never written back). */
export interface RehearsalStacks {
  /** `Pulumi.ca-<env>.yaml` and `Pulumi.workload-<env>.yaml`; default dev. */
  readonly env?: string;
  /** Config keys on top of each stack file (`undefined` removes a key the file sets). */
  readonly ca?: Readonly<Record<string, string | undefined>>;
  readonly workload?: Readonly<Record<string, string | undefined>>;
}

/**
 * Runs the CA program and the workload program offline with the committed stack files, as `pulumi
 * up` would run them one after the other, with AWS's rules enforced (offline/deployment.ts). The
 * workload stack's secret (`edge-mtls:originSecret`), which the committed file rightly lacks, is
 * generated for this run only; the site content is the rehearsal's page. Throws
 * {@link RehearsalDeploymentRefused} where the deployment would fail.
 */
export async function deployForRehearsal(stacks: RehearsalStacks = {}): Promise<OfflineDeployment> {
  const env = stacks.env ?? "dev";
  requireStackFiles(env);
  const generated = { "edge-mtls:originSecret": randomBytes(48).toString("base64"), "edge-mtls:siteContentDir": REHEARSAL_SITE_DIR };
  try {
    return await runExampleDeployment(env === "dev" ? {} : { "edge-mtls:environment": env }, { ca: stacks.ca, workload: { ...generated, ...stacks.workload } }, env);
  } catch (error) {
    if (error instanceof OfflineDeploymentFailed) throw new RehearsalDeploymentRefused(error);
    throw error;
  }
}

/** Throws STACK_FILE_MISSING unless both stack files of `env` are there (before anything is written). */
export function requireStackFiles(env: string): void {
  for (const file of [`Pulumi.ca-${env}.yaml`, `Pulumi.workload-${env}.yaml`]) {
    if (!existsSync(join(PACKAGE_ROOT, file))) throw Object.assign(new Error(`there is no stack file ${file} in ${PACKAGE_ROOT} for --env ${env}`), { code: "STACK_FILE_MISSING" });
  }
}

/** A failed offline deployment in one line: the stack, the resource and the reason (the first of them; how many more). */
export function deploymentFailureLine(error: OfflineDeploymentFailed): string {
  const reasons = [
    ...error.refusals.map((v) => `${v.resource.type} ${v.resource.name}: ${formatViolation(v)}`),
    ...[...new Set(error.errors)].map((e) => e.split("\n").map((l) => l.trim()).filter(Boolean).join(" ")),
  ];
  const more = reasons.length > 1 ? ` (and ${reasons.length - 1} more)` : "";
  return `stack ${error.stack} would not deploy: ${reasons[0] ?? "unknown failure"}${more}`;
}
