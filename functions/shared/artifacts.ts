import { createHash } from "node:crypto";
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
export { ARTIFACT_KEYS } from "./contract";


/** Options of {@link ArtifactStore.publish}. */
export interface PublishOptions {
  /**
   * The object's place in a sequence (a CRL's number): it replaces the current object only if that
   * one's sequence is lower, checked and written atomically, so a slow writer can never put an
   * older CRL back over a newer one.
   */
  readonly sequence?: number;
}

/** What a publication did. */
export interface PublishResult {
  readonly versionId?: string;
  readonly changed: boolean;
  /** The sequence number of the newer object that made this one unnecessary, if one did. */
  readonly supersededBy?: number;
}

/** Where CA certificates, the trust bundle and CRLs are published (S3 in AWS, a map in tests). */
export interface ArtifactStore {
  /**
   * Writes the object unless the current version already has exactly this content (or, with a
   * sequence, a later sequence number); returns the version id either way (the trust bundle's
   * version is what trust stores pin).
   */
  publish(key: string, body: string | Uint8Array, contentType: string, options?: PublishOptions): Promise<PublishResult>;
  /**
   * The current content of `key` as published (strongly consistent: what the last successful
   * publication wrote), or undefined when nothing is published there.
   */
  read(key: string): Promise<Uint8Array | undefined>;
}

/** The object metadata key holding the sequence number. */
export const SEQUENCE_METADATA = "sequence";

/** Whether an object with `current` sequence metadata already supersedes `sequence`. */
export function supersedes(current: string | undefined, sequence: number): number | undefined {
  const number = current === undefined ? NaN : Number(current);
  return Number.isSafeInteger(number) && number >= sequence ? number : undefined;
}

/** The SHA-256 recorded in object metadata to recognise unchanged content. */
export function contentSha256(body: string | Uint8Array): string {
  return createHash("sha256").update(body).digest("base64");
}

const isMissing = (error: unknown) => (error as Error).name === "NotFound" || (error as Error).name === "NoSuchKey";
/** S3's answers to a conditional write that lost a race: the precondition failed, or a concurrent write conflicted. */
const lostRace = (error: unknown) => ["PreconditionFailed", "ConditionalRequestConflict", "NoSuchKey"].includes((error as Error).name);

/**
 * {@link ArtifactStore} on a versioned S3 bucket. A sequenced publication is an S3 conditional
 * write: `If-Match` the ETag of the object whose sequence was checked (or `If-None-Match: *` when
 * there is none), re-checked when another writer got there first.
 */
export class S3ArtifactStore implements ArtifactStore {
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
  ) {}

  async read(key: string): Promise<Uint8Array | undefined> {
    try {
      const object = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return await object.Body!.transformToByteArray();
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async publish(key: string, body: string | Uint8Array, contentType: string, options: PublishOptions = {}): Promise<PublishResult> {
    const sha256 = contentSha256(body);
    const metadata: Record<string, string> = options.sequence === undefined ? { sha256 } : { sha256, [SEQUENCE_METADATA]: String(options.sequence) };
    for (let attempt = 1; ; attempt++) {
      let head: { VersionId?: string; ETag?: string; Metadata?: Record<string, string> } | undefined;
      try {
        head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      } catch (error) {
        if (!isMissing(error)) throw error;
      }
      if (head?.Metadata?.sha256 === sha256) return { versionId: head.VersionId, changed: false };
      if (options.sequence !== undefined) {
        const newer = supersedes(head?.Metadata?.[SEQUENCE_METADATA], options.sequence);
        if (newer !== undefined) return { versionId: head!.VersionId, changed: false, supersededBy: newer };
      }
      const condition = options.sequence === undefined ? {} : head ? { IfMatch: head.ETag } : { IfNoneMatch: "*" };
      try {
        const put = await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: contentType, Metadata: metadata, ChecksumAlgorithm: "SHA256", ...condition }));
        return { versionId: put.VersionId, changed: true };
      } catch (error) {
        // Another writer changed the object between our check and our write: check again.
        if (options.sequence === undefined || !lostRace(error) || attempt >= 5) throw error;
      }
    }
  }
}
