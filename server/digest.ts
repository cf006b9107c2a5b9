// RFC 9530 digest fields: `sha-256=:<base64>:` inside a structured-field dictionary.
import type { IncomingMessage } from 'node:http';
import { badRequest } from './errors.js';

const SHA256_MEMBER = /(?:^|,)\s*sha-256=:([A-Za-z0-9+/]*={0,2}):\s*(?:;[^,]*)?(?:,|$)/;

/** The SHA-256 a digest header declares, or undefined when it has none we know. 400 when it is malformed. */
export function readSha256Digest(req: IncomingMessage, name: string): Buffer | undefined {
  const value = req.headers[name];
  if (value === undefined) return undefined;
  const text = Array.isArray(value) ? value.join(', ') : value;
  if (!/sha-256=/.test(text)) return undefined; // only other algorithms: nothing we can check
  const match = SHA256_MEMBER.exec(text);
  const digest = match ? Buffer.from(match[1]!, 'base64') : undefined;
  if (!digest || digest.length !== 32) throw badRequest(`${name} must carry sha-256=:<base64 of 32 bytes>:`);
  return digest;
}
