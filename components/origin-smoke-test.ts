import * as aws from "@pulumi/aws";
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import { VERIFY_ENV } from "../cli/commands/verify";
import { SMOKE_TEST_SUBJECT } from "../functions/shared/contract";
import { stackIdempotencyKey } from "./idempotency-key";

/** The smoke-test certificate's subject (the renewal function uses it too); the CA's client_auth name policy must allow it. */
export { SMOKE_TEST_SUBJECT };

/** Arguments of {@link OriginSmokeTest}. */
export interface OriginSmokeTestArgs {
  /** The CA stack's ca-issuer (cross-account). */
  readonly issuerFunctionArn: pulumi.Input<string>;
  /** The distribution's alias URL and the API custom domain URL. */
  readonly edgeUrl: pulumi.Input<string>;
  readonly apiUrl: pulumi.Input<string>;
  /** What can change the answer: when any of these changes, the check runs again. */
  readonly triggers: {
    readonly distributionEtag: pulumi.Input<string>;
    readonly originCertificateArn: pulumi.Input<string>;
    readonly trustBundleVersion: pulumi.Input<string>;
    readonly authorizerCodeHash: string;
  };
  /** Clock for the certificate's day (tests). */
  readonly now?: () => Date;
}

/**
 * After every change that can affect it, runs `edge-mtls verify` against the deployment — the
 * how-to's Test section — with a short-lived (1 day) client certificate from the CA. A failed
 * verification fails the `pulumi up`, with the check table in the error. Key material reaches the
 * command through its environment, never its command line.
 */
export class OriginSmokeTest extends pulumi.ComponentResource {
  public readonly stdout: pulumi.Output<string>;

  constructor(name: string, args: OriginSmokeTestArgs, opts?: pulumi.ComponentResourceOptions) {
    super("edge-mtls:workload:OriginSmokeTest", name, {}, opts);
    const parent = { parent: this };
    const day = Math.floor((args.now ?? (() => new Date()))().getTime() / 86400_000);
    const key = new tls.PrivateKey(`${name}-key`, { algorithm: "ECDSA", ecdsaCurve: "P256" }, parent);
    const csr = new tls.CertRequest(`${name}-csr`, { privateKeyPem: key.privateKeyPem, subject: { ...SMOKE_TEST_SUBJECT } }, parent);
    const issue = new aws.lambda.Invocation(
      `${name}-issue`,
      {
        functionName: args.issuerFunctionArn,
        input: pulumi.jsonStringify({ action: "issue", csrPem: csr.certRequestPem, purposes: ["client_auth"], lifetimeDays: 1, idempotencyKey: stackIdempotencyKey(key.privateKeyPem, name, `d${day}`) }),
        // A 1-day certificate: re-issued each day the stack is updated.
        triggers: { day: String(day) },
      },
      parent,
    );
    const chainPem = issue.result.apply((raw) => {
      const result = JSON.parse(raw) as { certificatePem?: string; chainPem?: string; error?: { code: string; message: string } };
      if (result.error) throw new Error(`ca-issuer refused the smoke-test certificate: ${result.error.code}: ${result.error.message} (allow CN ${SMOKE_TEST_SUBJECT.commonName} / OU ${SMOKE_TEST_SUBJECT.organizationalUnit} in the CA's client_auth name policy)`);
      return result.certificatePem! + result.chainPem!;
    });
    const verify = new command.local.Command(
      `${name}-verify`,
      {
        // The binary by name, resolved when the command runs (npx: the project's own bin or
        // node_modules/.bin): no checkout path in the input, so no diff between machines.
        create: pulumi.interpolate`npx --no -- edge-mtls verify --edge ${args.edgeUrl} --api ${args.apiUrl}`,
        environment: { [VERIFY_ENV.certPem]: chainPem, [VERIFY_ENV.keyPem]: pulumi.secret(key.privateKeyPem) },
        triggers: [args.triggers.distributionEtag, args.triggers.originCertificateArn, args.triggers.trustBundleVersion, args.triggers.authorizerCodeHash],
      },
      parent,
    );
    this.stdout = verify.stdout;
    this.registerOutputs({ stdout: this.stdout });
  }
}
