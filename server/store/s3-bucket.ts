// Every S3 call Ferry makes, over one bucket: JSON objects, byte objects, multipart uploads,
// and the gateway quirks docs/cluster.md lists (checksum trailers, NoSuchKey for a gone upload).
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
  type _Object,
} from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';

export interface S3Settings {
  endpoint: string | undefined;
  region: string;
  bucket: string;
  /** Credentials; when absent the SDK reads the standard AWS_* variables. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

export function s3Client(settings: S3Settings): S3Client {
  return new S3Client({
    ...(settings.endpoint ? { endpoint: settings.endpoint, forcePathStyle: true } : {}),
    region: settings.region,
    ...(settings.credentials ? { credentials: settings.credentials } : {}),
    // SDK ≥ 3.729 adds CRC32 trailers by default; the RADOS Gateway then answers 411 on streamed bodies.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    // A full OSD makes requests hang rather than fail: every call gets a deadline.
    requestHandler: { requestTimeout: 60_000, connectionTimeout: 5_000, httpAgent: { keepAlive: true, maxSockets: 256 } },
  });
}

/** The object or the upload is not there (the gateway says NoSuchKey where AWS says NoSuchUpload). */
export function isGone(error: unknown): boolean {
  const name = (error as { name?: string } | undefined)?.name;
  const status = (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
  return name === 'NoSuchKey' || name === 'NoSuchUpload' || name === 'NotFound' || status === 404;
}

/** S3 refuses more parts than this in one multipart upload. */
export const MAX_PARTS = 10_000;

export interface SentPart {
  number: number;
  etag: string;
}

export class Bucket {
  constructor(private readonly client: S3Client, readonly name: string) {}

  async create(): Promise<void> {
    try {
      await this.client.send(new CreateBucketCommand({ Bucket: this.name }));
    } catch (error) {
      const name = (error as { name?: string }).name;
      if (name !== 'BucketAlreadyOwnedByYou' && name !== 'BucketAlreadyExists') throw error;
    }
  }

  async getJson<T>(key: string): Promise<T | undefined> {
    const bytes = await this.getBytes(key);
    return bytes && (JSON.parse(bytes.toString('utf8')) as T);
  }

  putJson(key: string, value: unknown): Promise<unknown> {
    return this.putBytes(key, Buffer.from(JSON.stringify(value)));
  }

  /** The object's bytes and user metadata, or undefined when it does not exist. */
  async get(key: string): Promise<{ bytes: Buffer; metadata: Record<string, string> } | undefined> {
    try {
      const answer = await this.client.send(new GetObjectCommand({ Bucket: this.name, Key: key }));
      return { bytes: Buffer.from(await answer.Body!.transformToByteArray()), metadata: answer.Metadata ?? {} };
    } catch (error) {
      if (isGone(error)) return undefined;
      throw error;
    }
  }

  /** The object's length and user metadata, without its bytes. */
  async head(key: string): Promise<{ length: number; metadata: Record<string, string> } | undefined> {
    try {
      const answer = await this.client.send(new HeadObjectCommand({ Bucket: this.name, Key: key }));
      return { length: answer.ContentLength ?? 0, metadata: answer.Metadata ?? {} };
    } catch (error) {
      if (isGone(error)) return undefined;
      throw error;
    }
  }

  async getBytes(key: string): Promise<Buffer | undefined> {
    return (await this.get(key))?.bytes;
  }

  putBytes(key: string, bytes: Buffer, metadata?: Record<string, string>): Promise<unknown> {
    return this.client.send(new PutObjectCommand({ Bucket: this.name, Key: key, Body: bytes, ContentLength: bytes.length, Metadata: metadata }));
  }

  /** The object's bytes as a stream, or those from `range.start` to `range.end` included. */
  async stream(key: string, range?: { start: number; end: number }): Promise<Readable | undefined> {
    try {
      const answer = await this.client.send(new GetObjectCommand({ Bucket: this.name, Key: key, ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}) }));
      return answer.Body as Readable;
    } catch (error) {
      if (isGone(error)) return undefined;
      throw error;
    }
  }

  async delete(keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    await this.client.send(new DeleteObjectsCommand({ Bucket: this.name, Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true } }));
  }

  async *list(prefix: string): AsyncGenerator<_Object> {
    let token: string | undefined;
    do {
      const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.name, Prefix: prefix, ContinuationToken: token }));
      yield* page.Contents ?? [];
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  /** A new multipart upload whose object will be `key`; its upload id. */
  async createMultipart(key: string): Promise<string> {
    const { UploadId } = await this.client.send(new CreateMultipartUploadCommand({ Bucket: this.name, Key: key }));
    return UploadId!;
  }

  /** Send part `number`; its ETag. */
  async uploadPart(key: string, uploadId: string, number: number, body: Buffer): Promise<string> {
    const { ETag } = await this.client.send(new UploadPartCommand({ Bucket: this.name, Key: key, UploadId: uploadId, PartNumber: number, Body: body, ContentLength: body.length }));
    return ETag!;
  }

  async completeMultipart(key: string, uploadId: string, parts: readonly SentPart[]): Promise<void> {
    await this.client.send(new CompleteMultipartUploadCommand({
      Bucket: this.name,
      Key: key,
      UploadId: uploadId,
      MultipartUpload: { Parts: parts.map((part) => ({ PartNumber: part.number, ETag: part.etag })) },
    }));
  }

  /** Abort a multipart upload; one already gone (aborted, or completed by another instance) is fine. */
  async abortMultipart(key: string, uploadId: string): Promise<void> {
    try {
      await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.name, Key: key, UploadId: uploadId }));
    } catch (error) {
      if (!isGone(error)) throw error;
    }
  }

  async exists(key: string): Promise<boolean> {
    return (await this.head(key)) !== undefined;
  }
}
