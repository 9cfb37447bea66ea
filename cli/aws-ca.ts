import { createPrivateKey, createPublicKey, KeyObject, randomUUID, X509Certificate } from "node:crypto";
import { ACMClient, ImportCertificateCommand } from "@aws-sdk/client-acm";
import { GenerateDataKeyPairCommand, KMSClient } from "@aws-sdk/client-kms";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { splitForAcmImport } from "../pki/bundle";
import { PkiError, PkiErrorCode } from "../pki/errors";
import { privateKeyToPem } from "../pki/local-signer";

/** A failure talking to AWS, said plainly (what was attempted, what AWS answered, what to do). */
export class AwsCallError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AwsCallError";
  }
}

function explain(action: string, target: string, error: unknown): AwsCallError {
  const name = (error as Error)?.name ?? "Error";
  const message = (error as Error)?.message ?? String(error);
  if (/AccessDenied/.test(name)) return new AwsCallError(`${action} on ${target} was denied: ${message}. Your credentials need ${action} on it (IAM and, for KMS keys, the key policy; for ca-issuer, ca-revoker and ca-inventory, the function's resource policy names your account or role).`);
  if (/Throttl|TooManyRequests|LimitExceeded/.test(name)) return new AwsCallError(`${action} on ${target} is being throttled (${name}) even after the SDK's retries; try again in a minute.`);
  if (/CredentialsProviderError|ExpiredToken|UnrecognizedClient|InvalidClientTokenId/.test(name)) return new AwsCallError(`no valid AWS credentials for ${action} (${name}: ${message}); log in (aws sso login, or set AWS_PROFILE) and retry.`);
  if (/ResourceNotFound|NotFound/.test(name)) return new AwsCallError(`${target} was not found for ${action} (${message}); check the name, ARN and region.`);
  return new AwsCallError(`${action} on ${target} failed: ${name}: ${message}`);
}

/** A key pair made by KMS GenerateDataKeyPair on the keygen key: the private half is returned once and never kept by KMS. */
export async function generateKeyPair(kms: KMSClient, keygenKeyId: string): Promise<KeyObject> {
  let response;
  try {
    response = await kms.send(new GenerateDataKeyPairCommand({ KeyId: keygenKeyId, KeyPairSpec: "ECC_NIST_P256" }));
  } catch (error) {
    throw explain("kms:GenerateDataKeyPair", keygenKeyId, error);
  }
  if (!response.PrivateKeyPlaintext || !response.PublicKey) throw new AwsCallError(`kms:GenerateDataKeyPair on ${keygenKeyId} returned no key pair`);
  const privateKey = createPrivateKey({ key: Buffer.from(response.PrivateKeyPlaintext), format: "der", type: "pkcs8" });
  const derived = createPublicKey(privateKey).export({ format: "der", type: "spki" });
  if (!Buffer.from(response.PublicKey).equals(derived)) throw new AwsCallError("kms:GenerateDataKeyPair returned a public key that does not match its private key");
  return privateKey;
}

/** What ca-issuer answers to an issue request. */
export interface IssuedFromAws {
  readonly certificatePem: string;
  readonly chainPem: string;
  readonly serialNumber: string;
  readonly notBefore: string;
  readonly notAfter: string;
}

/** The deployed CA's functions the CLI calls. */
export type CaFunctionRole = "ca-issuer" | "ca-revoker" | "ca-inventory";

/** Invokes a CA function (`role` names it in messages) synchronously; its refusals come back as PkiErrors with their code and field. */
export async function invokeCaFunction(lambda: LambdaClient, functionName: string, request: Record<string, unknown>, role: CaFunctionRole): Promise<Record<string, unknown>> {
  let response;
  try {
    response = await lambda.send(new InvokeCommand({ FunctionName: functionName, InvocationType: "RequestResponse", Payload: Buffer.from(JSON.stringify(request)) }));
  } catch (error) {
    throw explain("lambda:InvokeFunction", functionName, error);
  }
  const text = response.Payload ? Buffer.from(response.Payload).toString("utf8") : "";
  if (response.FunctionError) {
    let detail = text;
    try {
      detail = JSON.parse(text).errorMessage ?? text;
    } catch {
      // the raw payload is the best we have
    }
    throw new AwsCallError(`${role} (${functionName}) failed (${response.FunctionError}): ${detail}; see its CloudWatch logs`);
  }
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text);
  } catch {
    throw new AwsCallError(`${role} (${functionName}) answered something that is not JSON`);
  }
  const refusal = body.error as { code?: string; message?: string; field?: string } | undefined;
  if (refusal) throw new PkiError((refusal.code ?? "REQUEST_INVALID") as PkiErrorCode, `${role} refused: ${refusal.message ?? "no message"}`, refusal.field);
  return body;
}

/**
 * Issues a certificate for `privateKey` from the deployed CA (CSR made by the caller), checking
 * what comes back: the leaf holds our key, the chain runs to a root (as ACM import needs).
 */
export async function issueFromAws(lambda: LambdaClient, functionName: string, privateKey: KeyObject | undefined, request: { csrPem: string; purposes: string[]; lifetimeDays?: number; subject?: object; sans?: unknown; idempotencyKey?: string }): Promise<IssuedFromAws> {
  const body = await invokeCaFunction(lambda, functionName, { action: "issue", ...request, idempotencyKey: request.idempotencyKey ?? `cli-${randomUUID()}` }, "ca-issuer");
  const issued = body as unknown as IssuedFromAws;
  if (typeof issued.certificatePem !== "string" || typeof issued.chainPem !== "string") throw new AwsCallError(`ca-issuer (${functionName}) answered without a certificate`);
  if (privateKey) {
    if (!new X509Certificate(issued.certificatePem).checkPrivateKey(privateKey)) throw new AwsCallError("ca-issuer returned a certificate for another key");
    splitForAcmImport(privateKeyToPem(privateKey) + issued.certificatePem + issued.chainPem);
  }
  return issued;
}

/** Imports body / chain / key into ACM (re-importing in place when `certificateArn` is given); returns the ARN. */
export async function importToAcm(acm: ACMClient, parts: { certificatePem: string; certificateChainPem: string; privateKeyPem: string }, certificateArn?: string): Promise<string> {
  try {
    const response = await acm.send(
      new ImportCertificateCommand({
        Certificate: Buffer.from(parts.certificatePem),
        CertificateChain: Buffer.from(parts.certificateChainPem),
        PrivateKey: Buffer.from(parts.privateKeyPem),
        CertificateArn: certificateArn,
      }),
    );
    return response.CertificateArn!;
  } catch (error) {
    throw explain("acm:ImportCertificate", certificateArn ?? "a new ACM certificate", error);
  }
}

/** The AWS clients the CLI uses (the SDK's default credential chain; region from flags or the environment). */
export function awsClients(region?: string, acmRegion = "us-east-1") {
  return { kms: new KMSClient({ region }), lambda: new LambdaClient({ region }), acm: new ACMClient({ region: acmRegion }) };
}
