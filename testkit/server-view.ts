// What the server holds, seen as one browser's owner: SHA-256 of what it stores, and its offsets
// read with progress polls, which never stop the append they watch (docs/protocol.md).
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { downloadPath, Header } from '../common/protocol.js';

export const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

export async function sha256OfFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const piece of createReadStream(file)) hash.update(piece as Buffer);
  return hash.digest('hex');
}

type Cookies = ReadonlyArray<{ name: string; value: string }>;

/** The `ferry_owner` cookie among a browser's cookies, as a Cookie header. */
export function ownerCookieOf(cookies: Cookies): string {
  const owner = cookies.find((cookie) => cookie.name === 'ferry_owner');
  if (!owner) throw new Error('the browser has no owner cookie yet');
  return `${owner.name}=${owner.value}`;
}

/** The owner cookie a browser context holds for `url`, so a test can read the server as that browser. */
export async function ownerCookie(context: { cookies(url: string): Promise<Cookies> }, url: string): Promise<string> {
  return ownerCookieOf(await context.cookies(url));
}

/** SHA-256 of the file the server stored for `id`, downloaded as the owner. Throws unless it is there. */
export async function storedSha(url: string, cookie: string, id: string): Promise<string> {
  const response = await fetch(`${url}${downloadPath(id)}`, { headers: { cookie } });
  if (response.status !== 200) throw new Error(`download of ${id} answered ${response.status}`);
  return sha256(new Uint8Array(await response.arrayBuffer()));
}

export interface Progress {
  /** Bytes that count. */
  offset: number;
  /** Bytes that reached the server, counted or still waiting for their chunk's digest check. */
  received: number;
}

/** A progress poll of `id`: it reads a live append's offsets without stopping it. */
export async function progressOf(url: string, cookie: string, id: string): Promise<Progress> {
  const response = await fetch(`${url}/status`, { headers: { cookie, [Header.fileId]: id, [Header.progressPoll]: '1' } });
  const offset = Number(await response.text());
  return { offset, received: Number(response.headers.get(Header.uploadReceived) ?? offset) };
}
