// The standalone server's HTTP hooks (issue 30): HOOK_URL hears every finished upload at least once,
// signed with HOOK_SECRET, across a SIGKILL and restart; HOOK_CREATE_URL refuses uploads.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { text } from 'node:stream/consumers';
import { after, before, describe, it } from 'node:test';
import { Header } from '../../common/protocol.js';
import { signatureOf } from '../webhooks.js';
import { Client, eventually, randomFile, sha256, sleep, spawnServer, tempDir } from './helpers.js';
import { listenLocally } from '../../testkit/sockets.js';

interface Heard {
  event: string;
  upload: { id: string; owner: string; sha256?: string; name: string };
  signature: string | undefined;
  body: string;
  answered: number;
}

/** An application's hook endpoint: records what it hears, and answers what `answer` says. */
class Receiver {
  readonly heard: Heard[] = [];
  answer: (heard: Heard) => number = () => 204;
  private server!: Server;
  url = '';

  async start(): Promise<this> {
    this.server = createServer(async (req: IncomingMessage, res) => {
      const body = await text(req);
      const parsed = JSON.parse(body) as Omit<Heard, 'signature' | 'body' | 'answered'>;
      const heard: Heard = { ...parsed, signature: req.headers['ferry-signature'] as string | undefined, body, answered: 0 };
      heard.answered = this.answer(heard);
      this.heard.push(heard);
      res.writeHead(heard.answered, { 'content-type': 'text/plain' }).end(heard.answered >= 400 ? 'Uploads of this kind are not taken here' : '');
    });
    this.url = await listenLocally(this.server);
    return this;
  }

  close(): void {
    this.server.close();
  }
}

const SECRET = 'a hook secret of the operator';

describe('webhooks (standalone server)', () => {
  let receiver: Receiver;
  before(async () => (receiver = await new Receiver().start()));
  after(() => receiver.close());

  it('delivers each finished upload, signed, at least once across a SIGKILL, and never twice in a row without a failure', async () => {
    let ferry = await spawnServer(await tempDir(), { HOOK_URL: `${receiver.url}/finished`, HOOK_SECRET: SECRET });
    try {
      receiver.answer = () => 500; // the application is down
      const client = new Client(ferry.url);
      const files = [randomFile(5000), randomFile(7000)];
      for (const [n, file] of files.entries()) assert.equal((await client.upload(`file-${n}`, file, 4096)).status, 200);
      await eventually(async () => (receiver.heard.filter((heard) => heard.answered === 500).length >= 2 ? true : undefined), 5000, 'the first failed deliveries');
      ferry = await ferry.restart(); // SIGKILL while the deliveries wait to be tried again
      receiver.answer = () => 204;
      await eventually(async () => (receiver.heard.filter((heard) => heard.answered === 204).length >= 2 ? true : undefined), 10_000, 'the deliveries after the restart');
      await sleep(2500);
      for (const [n, file] of files.entries()) {
        const mine = receiver.heard.filter((heard) => heard.upload.id === `file-${n}`);
        const taken = mine.filter((heard) => heard.answered === 204);
        assert.equal(taken.length, 1, `file-${n}: delivered once it was taken, then never again (${mine.map((heard) => heard.answered).join(' ')})`);
        assert.equal(taken[0]!.upload.sha256, sha256(file));
        assert.equal(taken[0]!.event, 'upload.finished');
        assert.equal(taken[0]!.signature, signatureOf(taken[0]!.body, SECRET));
        assert.ok(mine.indexOf(taken[0]!) === mine.length - 1, 'nothing after the delivery that was taken');
      }
    } finally {
      await ferry.close();
    }
  });

  it('lets HOOK_CREATE_URL refuse an upload with its status, keeping nothing, and pass the others', async () => {
    receiver.heard.length = 0;
    receiver.answer = (heard) => (heard.upload.name.endsWith('.exe') ? 403 : 204);
    const ferry = await spawnServer(await tempDir(), { HOOK_CREATE_URL: `${receiver.url}/create` });
    try {
      const client = new Client(ferry.url);
      const refused = await client.append('tool', 0, Buffer.from('MZ'), { [Header.fileSize]: '2', [Header.fileName]: 'tool.exe' });
      assert.equal(refused.status, 403);
      assert.equal(JSON.parse(refused.text).title, 'Uploads of this kind are not taken here');
      assert.equal((await client.status('tool')).offset, 0);
      assert.equal((await client.append('photo', 0, Buffer.from('jpeg'), { [Header.fileSize]: '4', [Header.fileName]: 'photo.jpg' })).status, 200);
      assert.deepEqual(receiver.heard.map((heard) => [heard.event, heard.upload.name]), [['upload.create', 'tool.exe'], ['upload.create', 'photo.jpg']]);
    } finally {
      await ferry.close();
    }
  });
});
