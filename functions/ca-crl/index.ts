import { isPkiError, PkiError } from "../../pki/errors";
import { makeCaDeps } from "../shared/aws-deps";
import { CaDeps, loadCa, publishIssuingCrl, requireCa } from "../shared/ca-service";
import { CRL_METRIC } from "../shared/contract";


/**
 * ca-crl: on its schedule, builds the issuing CA's CRL from the inventory (expired entries pruned)
 * and publishes it, then emits one `IssuingCrlPublished` metric in CloudWatch's embedded metric
 * format; the stale-CRL alarm fires when that metric stops.
 */
export async function handle(_event: unknown, deps: CaDeps): Promise<{ crlNumber: number; listed: number; pruned: number } | { error: ReturnType<PkiError["toJSON"]> }> {
  try {
    const issuing = await loadCa(await requireCa(deps.store, "issuing"), deps.issuingSigner, deps.config.leafProfile);
    const crl = await publishIssuingCrl(deps, issuing);
    deps.log.metric(CRL_METRIC.namespace, CRL_METRIC.name, 1);
    return { crlNumber: crl.crlNumber, listed: crl.listed, pruned: crl.pruned };
  } catch (error) {
    if (!isPkiError(error)) throw error;
    deps.log.error("ca-crl.failed", { code: error.code, message: error.message });
    // Not a refusal of anyone's request: fail the invocation so the error alarm fires too.
    throw new Error(`${error.code}: ${error.message}`);
  }
}

let deps: Promise<CaDeps> | undefined;

/** The Lambda entry point: real clients, built once per container. */
export async function handler(event: unknown): Promise<unknown> {
  deps ??= makeCaDeps(process.env, { withRootKey: false });
  return handle(event, await deps);
}
