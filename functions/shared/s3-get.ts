/**
 * A signed S3 GetObject on node's https, for the functions that only ever read one object (the
 * authorizer and revocation-sync read the CA's CRL). The full S3 client costs about 70% of those
 * functions' cold load; signing is done by `@smithy/signature-v4`, the AWS SDK's own SigV4 signer,
 * configured as the SDK's S3 client configures it (no double URI-encoding, payload hash header).
 */
import { createHash, createHmac } from "node:crypto";
import { request } from "node:https";
import { fromEnv } from "@aws-sdk/credential-provider-env";
import { SignatureV4 } from "@smithy/signature-v4";

type SignerInit = ConstructorParameters<typeof SignatureV4>[0];
type CredentialProvider = Extract<SignerInit["credentials"], (...args: never[]) => unknown>;
type UnsignedRequest = Parameters<SignatureV4["presign"]>[0];

/** SHA-256 (or HMAC-SHA-256 with a secret) on node:crypto, in the shape the signer wants. */
export class NodeSha256 {
  private hash: ReturnType<typeof createHash> | ReturnType<typeof createHmac>;
  private readonly secret?: string | Uint8Array;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.secret = bytes(secret);
    this.hash = this.secret === undefined ? createHash("sha256") : createHmac("sha256", this.secret);
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(bytes(data)!);
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {
    this.hash = this.secret === undefined ? createHash("sha256") : createHmac("sha256", this.secret);
  }
}

function bytes(data: string | ArrayBuffer | ArrayBufferView | undefined): string | Uint8Array | undefined {
  if (data === undefined || typeof data === "string") return data;
  return ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data);
}

/** What one GET returned: the object, or "not modified" for a conditional GET. */
export type S3GetResult = { readonly notModified: true } | { readonly notModified?: false; readonly body: Uint8Array; readonly etag?: string; readonly versionId?: string };

/** An S3 refusal or failure, with S3's error code when it gave one (`AccessDenied`, `NoSuchKey`, …). */
export class S3GetError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = code || "S3GetError";
  }
}

/** One raw HTTPS exchange; tests replace it. */
export type HttpsSend = (url: URL, headers: Record<string, string>) => Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Uint8Array }>;

const MAX_OBJECT_BYTES = 64 * 1024 * 1024;

/** The default {@link HttpsSend}: node's https, a 10 s timeout, a size limit. */
export const httpsSend: HttpsSend = (url, headers) =>
  new Promise((resolve, reject) => {
    const req = request(url, { method: "GET", headers, timeout: 10_000 }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_OBJECT_BYTES) req.destroy(new Error(`S3 object larger than ${MAX_OBJECT_BYTES} bytes`));
        else chunks.push(chunk);
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: new Uint8Array(Buffer.concat(chunks)) }));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error("S3 request timed out after 10 s")));
    req.on("error", reject);
    req.end();
  });

/** RFC 3986 encoding of each path segment, as S3 expects the (already encoded) signed path. */
function encodeKey(key: string): string {
  return key
    .split("/")
    .map((segment) => encodeURIComponent(segment).replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase()))
    .join("/");
}

/** The request URL: virtual-hosted style, or path style for bucket names with dots (TLS wildcard). */
export function objectUrl(bucket: string, key: string, region: string, versionId?: string): URL {
  const host = `s3.${region}.amazonaws.com`;
  const url = bucket.includes(".") ? new URL(`https://${host}/${bucket}/${encodeKey(key)}`) : new URL(`https://${bucket}.${host}/${encodeKey(key)}`);
  // The query the SDK's S3 client sends for GetObject, so the two requests are the same.
  url.searchParams.set("x-id", "GetObject");
  if (versionId !== undefined) url.searchParams.set("versionId", versionId);
  return url;
}

/** Options of {@link S3ObjectReader}. */
export interface S3ObjectReaderOptions {
  /** Region of the bucket; default `AWS_REGION` (a redirect to the bucket's region is followed once). */
  readonly region?: string;
  readonly credentials?: CredentialProvider;
  readonly send?: HttpsSend;
  readonly clock?: () => Date;
}

/**
 * GetObject for one bucket with SigV4. Follows S3's region redirect once, retries 5xx and network
 * errors twice, and supports `If-None-Match` so an unchanged object is not downloaded again.
 */
export class S3ObjectReader {
  private region: string;
  private readonly credentials: CredentialProvider;
  private readonly send: HttpsSend;
  private readonly clock: () => Date;
  private signer?: SignatureV4;

  constructor(
    private readonly bucket: string,
    options: S3ObjectReaderOptions = {},
  ) {
    this.region = options.region ?? process.env.AWS_REGION ?? "us-east-1";
    this.credentials = options.credentials ?? fromEnv();
    this.send = options.send ?? httpsSend;
    this.clock = options.clock ?? (() => new Date());
  }

  /** The signer this reader uses, configured as the SDK's S3 client configures its own. */
  signerFor(region: string): SignatureV4 {
    if (!this.signer || this.region !== region) {
      this.region = region;
      this.signer = new SignatureV4({ service: "s3", region, credentials: this.credentials, sha256: NodeSha256, uriEscapePath: false, applyChecksum: true });
    }
    return this.signer;
  }

  /** Signs a GET of `url` (exported for the test that compares it with the SDK's S3 client). */
  async signedHeaders(url: URL, extra: Record<string, string> = {}): Promise<Record<string, string>> {
    const query: Record<string, string> = {};
    url.searchParams.forEach((value, name) => (query[name] = value));
    const unsigned: UnsignedRequest = {
      method: "GET",
      protocol: "https:",
      hostname: url.hostname,
      path: url.pathname,
      query,
      headers: { host: url.hostname, "x-amz-content-sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", ...extra },
    };
    const signed = await this.signerFor(this.region).sign(unsigned, { signingDate: this.clock() });
    return signed.headers;
  }

  /** Gets `key` (optionally a version), or "not modified" when its ETag is still `ifNoneMatch`. */
  async get(key: string, options: { versionId?: string; ifNoneMatch?: string } = {}): Promise<S3GetResult> {
    let redirected = false;
    for (let attempt = 1; ; attempt++) {
      const url = objectUrl(this.bucket, key, this.region, options.versionId);
      let response: Awaited<ReturnType<HttpsSend>>;
      try {
        response = await this.send(url, await this.signedHeaders(url, options.ifNoneMatch ? { "if-none-match": options.ifNoneMatch } : {}));
      } catch (error) {
        if (attempt < 3) {
          await sleep(100 * 2 ** attempt);
          continue;
        }
        throw new S3GetError(0, "NetworkError", `S3 GetObject s3://${this.bucket}/${key}: ${(error as Error).message}`);
      }
      const header = (name: string) => {
        const value = response.headers[name];
        return Array.isArray(value) ? value[0] : value;
      };
      if (response.status === 200) return { body: response.body, etag: header("etag"), versionId: header("x-amz-version-id") };
      if (response.status === 304) return { notModified: true };
      const bucketRegion = header("x-amz-bucket-region");
      if ((response.status === 301 || response.status === 400) && bucketRegion && bucketRegion !== this.region && !redirected) {
        redirected = true;
        this.signerFor(bucketRegion);
        continue;
      }
      if (response.status >= 500 && attempt < 3) {
        await sleep(100 * 2 ** attempt);
        continue;
      }
      const text = Buffer.from(response.body).toString("utf8");
      const code = /<Code>([^<]{1,64})<\/Code>/.exec(text)?.[1] ?? `HTTP${response.status}`;
      throw new S3GetError(response.status, code, `S3 GetObject s3://${this.bucket}/${key}${options.versionId ? `?versionId=${options.versionId}` : ""}: ${response.status} ${code}`);
    }
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
