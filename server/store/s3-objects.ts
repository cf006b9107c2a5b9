// Small typed helpers over one S3 bucket: JSON objects, byte objects, and the
// gateway quirks ../shared/CEPH.md measured (checksum trailers, NoSuchKey for a gone upload).
import {
  CreateBucketCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
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

export class Bucket {
  constructor(readonly client: S3Client, readonly name: string) {}

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

  async stream(key: string): Promise<Readable | undefined> {
    try {
      const answer = await this.client.send(new GetObjectCommand({ Bucket: this.name, Key: key }));
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
}
