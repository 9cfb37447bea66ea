import { handle as caAdmin, BootstrapResult } from "../../functions/ca-admin";
import type { CaDeps } from "../../functions/shared/ca-service";
import { memoryCaDeps } from "../../offline/memory-ca";
import { TEST_CA_ENV } from "./ca-deps";
import { installMocks, resetRecorded, useCa } from "./pulumi-mocks";

/** The workload stacks' origin secret in tests. */
export const SECRET = "origin-secret-0123456789-0123456789-abcdef";

/** The CA stack's ca-issuer as the workload tests reference it. */
export const ISSUER_ARN = "arn:aws:lambda:eu-west-2:999999999999:function:edge-mtls-dev-ca-issuer";

/** Bootstraps an in-memory CA as the referenced CA stack and installs the workload config (plus `extra`). */
export async function prepareWorkload(extra: Record<string, string>): Promise<{ bootstrap: BootstrapResult; issuerDeps: CaDeps }> {
  const ca = memoryCaDeps(TEST_CA_ENV);
  const bootstrap = (await caAdmin({ action: "bootstrap" }, ca.admin)) as BootstrapResult;
  useCa({ issuerDeps: ca.worker, outputs: { ...bootstrap, issuerFunctionArn: ISSUER_ARN, caBucketName: "edge-mtls-ca-artifacts", caAccountId: "999999999999" } });
  installMocks(
    {
      "edge-mtls:role": "workload",
      "aws:region": "eu-west-2",
      "edge-mtls:environment": "dev",
      "edge-mtls:caStack": "acme/edge-mtls/ca-dev",
      "edge-mtls:edgeDomain": "www.example.com",
      "edge-mtls:apiDomain": "api.example.com",
      "edge-mtls:originSecret": SECRET,
      ...extra,
    },
    "workload-dev",
    ["edge-mtls:originSecret"],
  );
  resetRecorded();
  return { bootstrap, issuerDeps: ca.worker };
}
