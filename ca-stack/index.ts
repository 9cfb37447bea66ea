import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ServerlessCa } from "../components/serverless-ca";
import { readCaStackConfig } from "./config";
import { structuredValue } from "../stack-config";

/** The CA stack's outputs: the names are the contract the workload stack and tools read. */
export interface CaStackOutputs {
  rootCaCertPem: pulumi.Output<string>;
  issuingCaCertPem: pulumi.Output<string>;
  trustBundlePem: pulumi.Output<string>;
  trustBundleS3Uri: pulumi.Output<string>;
  trustBundleS3Version: pulumi.Output<string>;
  issuerFunctionArn: pulumi.Output<string>;
  /** ca-revoker, which the admin roles of edge-mtls:revokerPrincipals invoke to revoke. */
  revokerFunctionArn: pulumi.Output<string>;
  keygenKeyArn: pulumi.Output<string>;
  crlUrls: pulumi.Output<string[]>;
  caBucketName: pulumi.Output<string>;
  caAccountId: pulumi.Output<string>;
  /** What the alarm topic's policy must allow for CA key-change events to reach it (JSON); empty without a topic. */
  alarmTopicPolicyStatement: pulumi.Output<string>;
  /** ca-inventory, which `edge-mtls cert list --ca-function` invokes (read-only listings). */
  inventoryFunctionArn: pulumi.Output<string>;
  /** Where relying parties fetch CRLs and CA certificates (`http://<publicDomain>`); empty without one. */
  publicBaseUrl: pulumi.Output<string>;
}

/** The CA stack program: config → explicit provider → ServerlessCa → outputs. */
export function caStack(): CaStackOutputs {
  const config = new pulumi.Config("edge-mtls");
  const settings = readCaStackConfig((key) => structuredValue(config.get(key)), pulumi.getStack(), new pulumi.Config("aws").get("region"));
  const provider = new aws.Provider("ca-account", {
    region: settings.region as aws.Region,
    assumeRoles: settings.assumeRoleArn ? [{ roleArn: settings.assumeRoleArn, sessionName: "edge-mtls-ca" }] : undefined,
  });
  // CloudFront reads ACM certificates only in us-east-1: the public endpoint's certificate lives there.
  const publicEndpoint = settings.publicEndpoint
    ? { ...settings.publicEndpoint, usEast1: new aws.Provider("ca-us-east-1", { region: "us-east-1", assumeRoles: settings.assumeRoleArn ? [{ roleArn: settings.assumeRoleArn, sessionName: "edge-mtls-ca" }] : undefined }) }
    : undefined;
  const ca = new ServerlessCa("edge-mtls", { ...settings.ca, publicEndpoint }, { providers: [provider] });
  return {
    rootCaCertPem: ca.rootCaCertPem,
    issuingCaCertPem: ca.issuingCaCertPem,
    trustBundlePem: ca.trustBundlePem,
    trustBundleS3Uri: ca.trustBundleS3Uri,
    trustBundleS3Version: ca.trustBundleS3Version,
    issuerFunctionArn: ca.issuerFunctionArn,
    revokerFunctionArn: ca.revokerFunctionArn,
    keygenKeyArn: ca.keygenKeyArn,
    crlUrls: ca.crlUrls,
    caBucketName: ca.caBucketName,
    caAccountId: ca.caAccountId,
    alarmTopicPolicyStatement: ca.alarmTopicPolicyStatement,
    inventoryFunctionArn: ca.inventoryFunctionArn,
    publicBaseUrl: ca.publicBaseUrl,
  };
}
