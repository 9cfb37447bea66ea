import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/**
 * A DNS-validated ACM certificate for one host name, in the provider's region (us-east-1 for
 * CloudFront): the certificate, its validation record in the Route 53 zone (one name has one
 * validation record, so no resource is made inside an apply), and the validation wait. Returns the
 * ARN, usable once validated.
 */
export function validatedCertificate(name: string, domain: string, zoneId: string, options: { provider: aws.Provider; parent?: pulumi.Resource }): pulumi.Output<string> {
  const certificate = new aws.acm.Certificate(name, { domainName: domain, validationMethod: "DNS", keyAlgorithm: "EC_prime256v1" }, options);
  const validation = certificate.domainValidationOptions.apply((all) => {
    if (all.length !== 1) throw new Error(`ACM returned ${all.length} validation records for ${domain}; expected one`);
    return all[0]!;
  });
  const record = new aws.route53.Record(
    `${name}-validation-0`,
    { zoneId, name: validation.resourceRecordName, type: validation.resourceRecordType, records: [validation.resourceRecordValue], ttl: 300, allowOverwrite: true },
    options,
  );
  return new aws.acm.CertificateValidation(`${name}-validation`, { certificateArn: certificate.arn, validationRecordFqdns: [record.fqdn] }, options).certificateArn;
}
