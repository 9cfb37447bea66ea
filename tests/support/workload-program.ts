import { handle as caAdmin, BootstrapResult } from "../../functions/ca-admin";
import type { CaDeps } from "../../functions/shared/ca-service";
import { memoryCaDeps } from "../../offline/memory-ca";
import { runStack, StackRunResult } from "../../offline/deployment";
import type { MockCa } from "../../offline/pulumi-mocks";
import type { WorkloadStackOptions } from "../../workload-stack";
import { TEST_CA_ENV } from "./ca-deps";

/** The workload stacks' origin secret in tests. */
export const SECRET = "origin-secret-0123456789-0123456789-abcdef";

/** The CA stack's ca-issuer as the workload tests reference it. */
export const ISSUER_ARN = "arn:aws:lambda:eu-west-2:999999999999:function:edge-mtls-dev-ca-issuer";

/** The CA stack the workload tests reference: an in-memory CA (the tests' CA environment), bootstrapped by the real ca-admin. */
export interface TestCa {
  readonly bootstrap: BootstrapResult;
  readonly issuerDeps: CaDeps;
  readonly mock: MockCa;
}

/** Bootstraps the in-memory CA the workload tests reference (in another account: 999999999999). */
export async function testCa(): Promise<TestCa> {
  const ca = memoryCaDeps(TEST_CA_ENV);
  const bootstrap = (await caAdmin({ action: "bootstrap" }, ca.admin)) as BootstrapResult;
  return { bootstrap, issuerDeps: ca.worker, mock: { issuerDeps: ca.worker, outputs: { ...bootstrap, issuerFunctionArn: ISSUER_ARN, caBucketName: "edge-mtls-ca-artifacts", caAccountId: "999999999999" } } };
}

/**
 * Runs the workload program (stack workload-dev, the tests' config plus `extra`) through the
 * offline deployment, offline/deployment.ts, as `pulumi up` would: AWS's rules refuse what AWS
 * would refuse, and a refusal fails the run. The recorded resources stay readable with `named`,
 * `ofType` and `recorded` until the next run.
 */
export async function runWorkload(ca: TestCa, extra: Record<string, string> = {}, options: WorkloadStackOptions = {}): Promise<StackRunResult> {
  return runStack({
    kind: "workload",
    stack: "workload-dev",
    config: {
      "edge-mtls:role": "workload",
      "aws:region": "eu-west-2",
      "edge-mtls:environment": "dev",
      "edge-mtls:caStack": "acme/edge-mtls/ca-dev",
      "edge-mtls:edgeDomain": "www.example.com",
      "edge-mtls:apiDomain": "api.example.com",
      "edge-mtls:originSecret": SECRET,
      ...extra,
    },
    secretKeys: ["edge-mtls:originSecret"],
    ca: ca.mock,
    workload: options,
  });
}
