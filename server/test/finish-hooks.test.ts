// onUploadFinish (issue 30): called once an upload is complete and durable, at least once: again
// after it throws, and at the next start when the process that should have called it went away.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import { text } from 'node:stream/consumers';
import { describe, it } from 'node:test';
import { Header } from '../../common/protocol.js';
import { createLogger } from '../log.js';
import { createFerry, type Ferry, type UploadFinish } from '../create-ferry.js';
import { eventually, randomFile, sha256, tempDir } from './helpers.js';
import { listenLocally } from '../../testkit/sockets.js';

/** The tests' servers log nothing unless TEST_LOG_LEVEL asks. */
const logger = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');

async function serve(ferry: Ferry): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => ferry.handle(req, res));
  return { url: await listenLocally(server), server };
}

async function upload(url: string, id: string, body: Buffer, headers: Record<string, string> = {}): Promise<number> {
  const answer = await fetch(`${url}/upload`, {
    method: 'POST',
    headers: { 'x-user': 'erin', [Header.fileId]: id, [Header.startByte]: '0', [Header.fileSize]: String(body.length), ...headers },
    body: new Uint8Array(body),
  });
  await answer.arrayBuffer();
  return answer.status;
}

const authenticate = (req: { headers: Record<string, string | string[] | undefined> }) => (req.headers['x-user'] as string | undefined) ?? null;

describe('onUploadFinish', () => {
  it('is called with the upload and its bytes once it is complete, and again after it throws', async () => {
    const calls: UploadFinish[] = [];
    const contents: string[] = [];
    const ferry = await createFerry({
      logger,
      dataDir: await tempDir(),
      authenticate,
      onUploadFinish: async (finished) => {
        calls.push(finished);
        contents.push(await text(await finished.read()));
        if (calls.length === 1) throw new Error('the host was busy');
      },
    });
    const { url, server } = await serve(ferry);
    try {
      const body = Buffer.from('field notes, day one');
      assert.equal(await upload(url, 'notes.txt', body, { [Header.fileName]: 'notes.txt' }), 200);
      await eventually(async () => (calls.length >= 2 ? true : undefined), 8000, 'the hook to be called again');
      await new Promise((resolve) => setTimeout(resolve, 1500));
      assert.equal(calls.length, 2, 'called again once after its one failure, then never');
      const [first] = calls;
      assert.deepEqual([first!.id, first!.owner, first!.name, first!.size, first!.sha256, first!.verified], ['notes.txt', 'erin', 'notes.txt', body.length, sha256(body), false]);
      assert.deepEqual(contents, [body.toString(), body.toString()]);
      assert.equal(await readFile(first!.path!, 'utf8'), body.toString(), 'the filesystem store gives the path too');
    } finally {
      server.close();
      await ferry.close();
    }
  });

  it('is called at the next start for an upload whose hook never returned before the server went away', async () => {
    const dataDir = await tempDir();
    const failing = await createFerry({ logger, dataDir, authenticate, onUploadFinish: () => Promise.reject(new Error('down')) });
    const first = await serve(failing);
    const body = randomFile(1000);
    assert.equal(await upload(first.url, 'while-down', body), 200);
    first.server.close();
    await failing.close();

    const heard: UploadFinish[] = [];
    const again = await createFerry({ logger, dataDir, authenticate, onUploadFinish: (finished) => void heard.push(finished) });
    try {
      await eventually(async () => (heard.length > 0 ? true : undefined), 5000, 'the hook at start');
      assert.deepEqual(heard.map((finished) => [finished.id, finished.owner, finished.sha256]), [['while-down', 'erin', sha256(body)]]);
    } finally {
      await again.close();
    }
  });
});
