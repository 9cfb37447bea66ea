import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { structuredValue } from "../stack-config";
import { MtlsApi } from "../components/mtls-api";
import { MtlsDistribution } from "../components/mtls-distribution";
import { OriginCertificateRenewer } from "../components/origin-certificate-renewer";
import { OriginClientCertificate } from "../components/origin-client-certificate";
import { OriginSmokeTest } from "../components/origin-smoke-test";
import { S3Origin } from "../components/s3-origin";
import { TrustStore } from "../components/trust-store";
import { validatedCertificate } from "../components/validated-certificate";
import { ViewerRevocation } from "../components/viewer-revocation";
import { ARTIFACT_KEYS } from "../functions/shared/contract";
import { checkOriginSecret, qualifyStackName, readWorkloadStackConfig } from "./config";

/** Options of the workload program beyond its stack config. */
export interface WorkloadStackOptions {
  /** The CA stack to read, handed over in memory (the Automation API); wins over `edge-mtls:caStack`. */
  readonly caStack?: string;
  /** The clock (tests). */
  readonly now?: () => Date;
}

/** The workload stack program: the CA stack's outputs → trust store, origins, API, distribution. */
export function workloadStack(options: WorkloadStackOptions = {}) {
  const config = new pulumi.Config("edge-mtls");
  const get = (key: string) => (key === "caStack" && options.caStack !== undefined ? options.caStack : structuredValue(config.get(key)));
  const settings = readWorkloadStackConfig(get, pulumi.getStack(), new pulumi.Config("aws").get("region"));
  const originSecret = config.requireSecret("originSecret").apply(checkOriginSecret);
  const previousSecret = config.getSecret("previousOriginSecret");
  const assumeRoles = settings.assumeRoleArn ? [{ roleArn: settings.assumeRoleArn, sessionName: "edge-mtls-workload" }] : undefined;
  const regional = new aws.Provider("workload-region", { region: settings.region as aws.Region, assumeRoles });
  const usEast1 = new aws.Provider("workload-us-east-1", { region: "us-east-1", assumeRoles });
  const inRegion = { providers: [regional] };

  const ca = new pulumi.StackReference(qualifyStackName(settings.caStack, () => ({ organization: pulumi.getOrganization(), project: pulumi.getProject() })));
  const trustBundlePem = ca.requireOutput("trustBundlePem") as pulumi.Output<string>;
  const issuingCaPem = ca.requireOutput("issuingCaCertPem") as pulumi.Output<string>;
  const caBucket = ca.requireOutput("caBucketName") as pulumi.Output<string>;
  const issuerFunctionArn = ca.requireOutput("issuerFunctionArn") as pulumi.Output<string>;

  const edgeCertificateArn = settings.edgeCertificateArn ?? validatedCertificate("edge-certificate", settings.edgeDomain, settings.hostedZoneId!, { provider: usEast1 });
  const apiCertificateArn = settings.apiCertificateArn ?? validatedCertificate("api-certificate", settings.apiDomain, settings.hostedZoneId!, { provider: regional });

  const trustStore = new TrustStore("trust", { trustBundlePem, usEast1, region: settings.region }, inRegion);
  const site = new S3Origin("site", { contentDir: settings.siteContentDir }, inRegion);
  const secretValues = pulumi.all([originSecret, previousSecret]).apply(([current, previous]) => (previous ? [current, previous] : [current]));
  const api = new MtlsApi(
    "api",
    {
      environment: settings.environment,
      domainName: settings.apiDomain,
      certificateArn: apiCertificateArn,
      ownershipVerificationCertificateArn: settings.apiOwnershipVerificationCertificateArn,
      truststoreUri: trustStore.truststoreUri,
      truststoreVersion: trustStore.truststoreVersion,
      allowedSubjects: settings.allowedOriginSubjects,
      secretHeaderName: settings.secretHeaderName,
      secretValues,
      crlBucket: caBucket,
      crlKey: ARTIFACT_KEYS.issuingCrl,
      issuingCaPem,
      logRetentionDays: settings.logRetentionDays,
    },
    inRegion,
  );
  const origin = settings.originCertificate;
  const originName = "origin-client";
  const originCertificate = new OriginClientCertificate(
    originName,
    { issuerFunctionArn, trustBundlePem, usEast1, commonName: origin.commonName, organizationalUnit: origin.organizationalUnit, keyAlgorithm: origin.keyAlgorithm, lifetimeDays: origin.lifetimeDays },
    inRegion,
  );
  // From the first import on, the renewer owns the certificate: renewal needs no deploy.
  const renewer = new OriginCertificateRenewer(
    "origin-renewer",
    {
      environment: settings.environment,
      certificateArn: originCertificate.certificateArn,
      issuerFunctionArn,
      trustBundlePem,
      commonName: origin.commonName,
      organizationalUnit: origin.organizationalUnit,
      lifetimeDays: origin.lifetimeDays,
      renewBeforeDays: origin.renewBeforeDays,
      alarmBelowDays: origin.alarmBelowDays,
      schedule: origin.renewalSchedule,
      idempotencyComponent: originName,
      smokeTest: origin.checkAfterRenewal ? { edgeUrl: `https://${settings.edgeDomain}`, apiUrl: `https://${settings.apiDomain}` } : undefined,
      alarmTopicArn: settings.alarmTopicArn,
      logRetentionDays: settings.logRetentionDays,
    },
    inRegion,
  );
  const revocation = new ViewerRevocation("viewer-revocation", { environment: settings.environment, crlBucket: caBucket, crlKey: ARTIFACT_KEYS.issuingCrl, issuingCaPem, usEast1, logRetentionDays: settings.logRetentionDays }, inRegion);
  const edge = new MtlsDistribution(
    "edge",
    {
      environment: settings.environment,
      aliases: [settings.edgeDomain],
      viewerCertificateArn: edgeCertificateArn,
      trustStoreId: trustStore.cloudFrontTrustStoreId,
      connectionFunctionId: revocation.connectionFunctionId,
      s3DomainName: site.regionalDomainName,
      s3OriginAccessControlId: site.originAccessControlId,
      apiDomainName: api.domainName,
      originClientCertificateArn: originCertificate.certificateArn,
      secretHeaderName: settings.secretHeaderName,
      secretHeaderValue: originSecret,
      priceClass: settings.priceClass,
      webAclArn: settings.webAclArn,
    },
    inRegion,
  );
  site.grantDistribution(edge.distributionArn);

  if (settings.verifyAfterDeploy) {
    new OriginSmokeTest(
      "smoke-test",
      {
        issuerFunctionArn,
        edgeUrl: `https://${settings.edgeDomain}`,
        apiUrl: `https://${settings.apiDomain}`,
        triggers: { distributionEtag: edge.etag, originCertificateArn: originCertificate.certificateArn, trustBundleVersion: trustStore.truststoreVersion, authorizerCodeHash: api.authorizerCodeHash },
        now: options.now,
      },
      { ...inRegion, dependsOn: [edge, api, site] },
    );
  }

  if (settings.hostedZoneId) {
    new aws.route53.Record("edge-alias", { zoneId: settings.hostedZoneId, name: settings.edgeDomain, type: "A", aliases: [{ name: edge.domainName, zoneId: edge.hostedZoneId, evaluateTargetHealth: false }] }, { provider: regional });
    new aws.route53.Record("api-alias", { zoneId: settings.hostedZoneId, name: settings.apiDomain, type: "A", aliases: [{ name: api.regionalDomainName, zoneId: api.regionalZoneId, evaluateTargetHealth: false }] }, { provider: regional });
  }

  return {
    edgeUrl: `https://${settings.edgeDomain}`,
    apiUrl: `https://${settings.apiDomain}`,
    distributionId: edge.distributionId,
    distributionDomainName: edge.domainName,
    originClientCertificateArn: originCertificate.certificateArn,
    originCertificateRenewerFunctionName: renewer.functionName,
    originCertificateRenewerRoleArn: renewer.roleArn,
    trustStoreId: trustStore.cloudFrontTrustStoreId,
    truststoreUri: trustStore.truststoreUri,
    truststoreVersion: trustStore.truststoreVersion,
    apiAccessLogGroup: api.accessLogGroupName,
    siteBucket: site.bucketName,
  };
}
