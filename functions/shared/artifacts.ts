import { createHash } from "node:crypto";
import { HeadObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
export { ARTIFACT_KEYS } from "./contract";


/** Where CA certificates, the trust bundle and CRLs are published (S3 in AWS, a map in tests). */
export interface ArtifactStore {
  /**
   * Writes the object unless the current version already has exactly this content; returns the
   * version id either way (the trust bundle's version is what trust stores pin).
   */
  publish(key: string, body: string | Uint8Array, contentType: string): Promise<{ versionId?: string; changed: boolean }>;
}

/** The SHA-256 recorded in object metadata to recognise unchanged content. */
export function contentSha256(body: string | Uint8Array): string {
  return createHash("sha256").update(body).digest("base64");
}

/** {@link ArtifactStore} on a versioned S3 bucket. */
export class S3ArtifactStore implements ArtifactStore {
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
  ) {}

  async publish(key: string, body: string | Uint8Array, contentType: string): Promise<{ versionId?: string; changed: boolean }> {
    const sha256 = contentSha256(body);
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      if (head.Metadata?.sha256 === sha256) return { versionId: head.VersionId, changed: false };
    } catch (error) {
      if ((error as Error).name !== "NotFound" && (error as Error).name !== "NoSuchKey") throw error;
    }
    const put = await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: contentType, Metadata: { sha256 }, ChecksumAlgorithm: "SHA256" }));
    return { versionId: put.VersionId, changed: true };
  }
}
