/**
 * Names shared by the CA functions and the ServerlessCa component that deploys them: environment
 * variables, object keys, table layout, metrics. No SDK imports, so the Pulumi program can read
 * them without loading the functions.
 */

/** Environment variable names of the CA functions. */
export const CA_ENV = {
  tableName: "CA_TABLE",
  bucketName: "CA_BUCKET",
  rootKeyId: "ROOT_KEY_ID",
  issuingKeyId: "ISSUING_KEY_ID",
  rootSubject: "ROOT_SUBJECT",
  issuingSubject: "ISSUING_SUBJECT",
  rootLifetimeDays: "ROOT_LIFETIME_DAYS",
  issuingLifetimeDays: "ISSUING_LIFETIME_DAYS",
  issuingProfile: "ISSUING_PROFILE",
  leafProfile: "LEAF_PROFILE",
  policy: "ISSUANCE_POLICY",
  crlValidityHours: "CRL_VALIDITY_HOURS",
  rootCrlValidityDays: "ROOT_CRL_VALIDITY_DAYS",
} as const;

/** Object keys of the CA bucket: what relying parties and the workload stack read. */
export const ARTIFACT_KEYS = {
  rootCertPem: "root-ca.pem",
  issuingCertPem: "issuing-ca.pem",
  rootCertDer: "root-ca.crt",
  issuingCertDer: "issuing-ca.crt",
  trustBundle: "ca-bundle.pem",
  rootCrl: "root-ca.crl",
  issuingCrl: "issuing-ca.crl",
} as const;

/** Inventory table layout: one table, `pk`/`sk`, and a sparse GSI of revoked certificates. */
export const TABLE_LAYOUT = {
  partitionKey: "pk",
  sortKey: "sk",
  revokedIndex: "revoked",
  revokedIndexKey: "revokedBy",
  revokedIndexSortKey: "serialHex",
} as const;

/** The metric ca-crl emits on each publication, watched by the stale-CRL alarm. */
export const CRL_METRIC = { namespace: "edge-mtls/ca", name: "IssuingCrlPublished" } as const;

/** Environment variable names of the api-authorizer. */
export const AUTHORIZER_ENV = {
  allowedSubjects: "ALLOWED_SUBJECTS",
  secretHeaderName: "ORIGIN_SECRET_HEADER",
  secretValues: "ORIGIN_SECRET_VALUES",
  crlBucket: "CRL_BUCKET",
  crlKey: "CRL_KEY",
  issuingCaPem: "ISSUING_CA_PEM",
  crlCacheSeconds: "CRL_CACHE_SECONDS",
} as const;

/** Environment variable names of revocation-sync. */
export const SYNC_ENV = { crlBucket: "CRL_BUCKET", crlKey: "CRL_KEY", issuingCaPem: "ISSUING_CA_PEM", kvsArn: "KVS_ARN" } as const;

/**
 * The CloudFront-Viewer-Cert-* headers api-backend reads, and so the ones the distribution forwards
 * to the API (an origin request policy holds at most 10 headers by default).
 */
export const BACKEND_VIEWER_CERT_HEADERS = {
  present: "CloudFront-Viewer-Cert-Present",
  subject: "CloudFront-Viewer-Cert-Subject",
  serialNumber: "CloudFront-Viewer-Cert-Serial-Number",
  issuer: "CloudFront-Viewer-Cert-Issuer",
} as const;
