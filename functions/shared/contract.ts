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
  revokerFunctionName: "REVOKER_FUNCTION",
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

/**
 * Inventory table layout: one table, `pk`/`sk`; a sparse GSI of revoked certificates; a GSI of
 * certificates by expiry year and notAfter (inventory queries, expiry reminders); a sparse GSI of
 * certificates by series (one stack component's successive certificates) and notAfter; a TTL
 * attribute that only reminder records carry.
 */
export const TABLE_LAYOUT = {
  partitionKey: "pk",
  sortKey: "sk",
  revokedIndex: "revoked",
  revokedIndexKey: "revokedBy",
  revokedIndexSortKey: "serialHex",
  expiryIndex: "expiry",
  expiryIndexKey: "expiryYear",
  expiryIndexSortKey: "notAfter",
  seriesIndex: "series",
  seriesIndexKey: "series",
  seriesIndexSortKey: "notAfter",
  ttlAttribute: "expiresAt",
} as const;

/**
 * Attributes the expiry index carries besides its keys and the table's (what `cert list` and the
 * reminders read; never the PEM). No key attribute of the table or of another index is listed:
 * the serial comes from `pk`, the series from the idempotency key.
 */
export const EXPIRY_INDEX_ATTRIBUTES = ["subject", "sans", "purposes", "notBefore", "status", "revokedAt", "reason", "requestId", "idempotencyKey"] as const;

/** Attributes the series index carries besides its keys and the table's. */
export const SERIES_INDEX_ATTRIBUTES = ["status"] as const;

/** The metric ca-crl emits on each publication, watched by the stale-CRL alarm. */
export const CRL_METRIC = { namespace: "edge-mtls/ca", name: "IssuingCrlPublished" } as const;

/** The metric revocation-sync emits on each run: the key value store's size in bytes, watched by an alarm (namespace + `/<environment>`). */
export const STORE_METRIC = { namespace: "edge-mtls/edge", name: "RevokedSerialStoreBytes" } as const;

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
export const SYNC_ENV = { crlBucket: "CRL_BUCKET", crlKey: "CRL_KEY", issuingCaPem: "ISSUING_CA_PEM", kvsArn: "KVS_ARN", metricNamespace: "METRIC_NAMESPACE", budgetSeconds: "BUDGET_SECONDS" } as const;

/** Environment variable names of ca-inventory (read-only inventory queries). */
export const INVENTORY_ENV = { tableName: "CA_TABLE" } as const;

/** Environment variable names of ca-reminders. */
export const REMINDER_ENV = {
  tableName: "CA_TABLE",
  topicArn: "NOTIFICATION_TOPIC_ARN",
  windowsDays: "REMINDER_WINDOWS_DAYS",
  environment: "CA_ENVIRONMENT",
} as const;

/** The metric ca-reminders emits on each run (reminders sent). */
export const REMINDER_METRIC = { namespace: "edge-mtls/ca", name: "ExpiryRemindersSent" } as const;

/** The smoke-test certificate's subject; the CA's client_auth name policy must allow it. */
export const SMOKE_TEST_SUBJECT = { commonName: "edge-mtls-smoke-test", organizationalUnit: "Smoke Test" } as const;

/** Environment variable names of origin-cert-renewer (workload account). */
export const RENEWER_ENV = {
  certificateArn: "CERTIFICATE_ARN",
  issuerFunction: "ISSUER_FUNCTION",
  trustedCaSha256: "TRUSTED_CA_SHA256",
  lifetimeDays: "LIFETIME_DAYS",
  renewBeforeDays: "RENEW_BEFORE_DAYS",
  subject: "CERTIFICATE_SUBJECT",
  idempotencyScope: "IDEMPOTENCY_SCOPE",
  metricDimension: "METRIC_DIMENSION",
  edgeUrl: "SMOKE_EDGE_URL",
  apiUrl: "SMOKE_API_URL",
} as const;

/** The days-until-expiry metric of the origin certificate (dimension `Certificate`), watched by its alarm. */
export const ORIGIN_CERTIFICATE_METRIC = { namespace: "edge-mtls/workload", name: "OriginCertificateDaysToExpiry", dimension: "Certificate" } as const;

/** One per re-import of the origin certificate (dimensions `Certificate` and `Reason`: due, forced, other-ca). */
export const ORIGIN_CERTIFICATE_RENEWAL_METRIC = { namespace: "edge-mtls/workload", name: "OriginCertificateRenewals", reasonDimension: "Reason" } as const;

/**
 * The tag that marks the CA's public PKI endpoint (CloudFront in front of the CA bucket), the one
 * kind of distribution the policy pack lets go without viewer mTLS and serve plain HTTP, on these
 * paths only: CRLs and DER CA certificates, which relying parties fetch over HTTP (RFC 5280 §8).
 */
export const PUBLIC_PKI_TAG = { key: "edge-mtls:purpose", value: "public-pki" } as const;
export const PUBLIC_PKI_PLAIN_HTTP_PATHS = ["*.crl", "*.crt"] as const;

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
