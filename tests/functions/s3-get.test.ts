import { strict as assert } from "node:assert";
import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { objectUrl, S3GetError, S3ObjectReader } from "../../functions/shared/s3-get";

const credentials = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", sessionToken: "session-token-example" };

/** The request the AWS SDK's own S3 client sends for a GetObject (captured before the network). */
async function sdkRequest(bucket: string, key: string, extra: { VersionId?: string; IfNoneMatch?: string } = {}) {
  let captured: { hostname: string; path: string; query: Record<string, string>; headers: Record<string, string> } | undefined;
  const client = new S3Client({
    region: "eu-west-2",
    credentials,
    requestHandler: {
      handle: async (request: any) => {
        captured = request;
        throw new Error("captured");
      },
    } as any,
    maxAttempts: 1,
  });
  await assert.rejects(client.send(new GetObjectCommand({ Bucket: bucket, Key: key, ...extra })), /captured/);
  return captured!;
}

describe("functions: the light S3 GetObject", () => {
  for (const [bucket, key, extra] of [
    ["edge-mtls-dev-ca-artifacts-1a2b3c", "issuing-ca.crl", {}],
    ["edge-mtls-dev-ca-artifacts-1a2b3c", "issuing-ca.crl", { VersionId: "3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY+MTRCxf3vjVBH40Nrjfkd" }],
    ["edge-mtls-dev-ca-artifacts-1a2b3c", "folder/a key(1)!*.crl", { IfNoneMatch: '"9b2cf535f27731c974343645a3985328"' }],
  ] as const) {
    it(`signs exactly as the SDK's S3 client does: ${key} ${JSON.stringify(extra)}`, async () => {
      const sdk = await sdkRequest(bucket, key, extra);
      const url = objectUrl(bucket, key, "eu-west-2", "VersionId" in extra ? extra.VersionId : undefined);
      assert.equal(url.hostname, sdk.hostname);
      assert.equal(url.pathname, sdk.path);
      assert.deepEqual(Object.fromEntries(url.searchParams), Object.fromEntries(Object.entries(sdk.query ?? {}).filter(([, v]) => v !== undefined)));
      const date = sdk.headers["x-amz-date"]!;
      const signingDate = new Date(`${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}T${date.slice(9, 11)}:${date.slice(11, 13)}:${date.slice(13, 15)}Z`);
      // The same request headers the SDK signed (its user agent and invocation ids included), signed by our reader.
      const extraHeaders = Object.fromEntries(Object.entries(sdk.headers).filter(([name]) => !["authorization", "x-amz-date", "x-amz-security-token", "host"].includes(name.toLowerCase())));
      const reader = new S3ObjectReader(bucket, { region: "eu-west-2", credentials: async () => credentials, clock: () => signingDate });
      const ours = await reader.signedHeaders(url, extraHeaders);
      assert.equal(ours.authorization, sdk.headers.authorization);
      assert.equal(ours["x-amz-security-token"], credentials.sessionToken);
    });
  }

  it("returns the body, honours If-None-Match, follows a region redirect once, retries 5xx, and names S3's error code", async () => {
    const seen: string[] = [];
    const answers = [
      { status: 301, headers: { "x-amz-bucket-region": "us-west-2" }, body: new Uint8Array() },
      { status: 503, headers: {}, body: new Uint8Array() },
      { status: 200, headers: { etag: '"e1"', "x-amz-version-id": "v1" }, body: new Uint8Array([1, 2, 3]) },
      { status: 304, headers: {}, body: new Uint8Array() },
      { status: 403, headers: {}, body: new Uint8Array(Buffer.from("<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>")) },
    ];
    const reader = new S3ObjectReader("bucket-a", {
      region: "eu-west-2",
      credentials: async () => credentials,
      send: async (url, headers) => {
        seen.push(`${url.hostname} ${headers["if-none-match"] ?? "-"}`);
        return answers.shift()!;
      },
    });
    const first = await reader.get("issuing-ca.crl");
    assert.deepEqual(first, { body: new Uint8Array([1, 2, 3]), etag: '"e1"', versionId: "v1" });
    assert.deepEqual(await reader.get("issuing-ca.crl", { ifNoneMatch: '"e1"' }), { notModified: true });
    await assert.rejects(reader.get("issuing-ca.crl"), (error: S3GetError) => error.code === "AccessDenied" && error.status === 403 && /s3:\/\/bucket-a\/issuing-ca.crl: 403 AccessDenied/.test(error.message));
    assert.deepEqual(seen, ["bucket-a.s3.eu-west-2.amazonaws.com -", "bucket-a.s3.us-west-2.amazonaws.com -", "bucket-a.s3.us-west-2.amazonaws.com -", 'bucket-a.s3.us-west-2.amazonaws.com "e1"', "bucket-a.s3.us-west-2.amazonaws.com -"]);
  });
});
