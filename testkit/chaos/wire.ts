// One HTTP/1.1 request over its own TCP connection, which the schedule may cut after a chosen
// number of body bytes: the faults fetch will not make on request.
import net from 'node:net';
import { writeAll } from '../sockets.js';

export interface WireRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
  /** Destroy the connection once this many body bytes were written (the answer is then unknown). */
  cutAfter?: number;
}

export interface Reply {
  status: number;
  headers: Record<string, string>;
  text: string;
}

/** The answer, or `undefined` when the connection ended without one (cut by us, a kill, a reset). */
export async function send(port: number, request: WireRequest, timeoutMs = 30_000): Promise<Reply | undefined> {
  const socket = net.connect(port, '127.0.0.1');
  socket.setNoDelay(true);
  const reply = readReply(socket, timeoutMs);
  try {
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  } catch {
    return undefined;
  }
  const body = request.body ?? Buffer.alloc(0);
  const headers = { host: `127.0.0.1:${port}`, connection: 'close', 'content-length': String(body.length), ...request.headers };
  const head = Object.entries(headers).map(([name, value]) => `${name}: ${value}`).join('\r\n');
  socket.write(`${request.method} ${request.path} HTTP/1.1\r\n${head}\r\n\r\n`);
  if (request.cutAfter !== undefined && request.cutAfter < body.length) {
    await writeAll(socket, body.subarray(0, request.cutAfter));
    socket.destroy();
    await reply;
    return undefined;
  }
  if (body.length > 0) await writeAll(socket, body);
  return reply;
}

/** Reads until the connection closes, then parses the last final (non-1xx) answer. */
function readReply(socket: net.Socket, timeoutMs: number): Promise<Reply | undefined> {
  return new Promise((resolve) => {
    const pieces: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(), timeoutMs);
    socket.on('data', (data: Buffer) => pieces.push(data));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(parse(Buffer.concat(pieces).toString('latin1')));
    });
  });
}

function parse(raw: string): Reply | undefined {
  let rest = raw;
  for (;;) {
    const end = rest.indexOf('\r\n\r\n');
    if (end < 0) return undefined;
    const [statusLine = '', ...lines] = rest.slice(0, end).split('\r\n');
    const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine)?.[1]);
    if (!status) return undefined;
    rest = rest.slice(end + 4);
    if (status < 200) continue; // 100 Continue, 104 Upload Resumption Supported
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const colon = line.indexOf(':');
      if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    const length = headers['content-length'];
    if (length !== undefined && rest.length < Number(length)) return undefined; // cut mid-answer
    return { status, headers, text: length === undefined ? rest : rest.slice(0, Number(length)) };
  }
}
