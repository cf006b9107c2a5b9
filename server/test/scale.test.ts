// Many uploads at once: every one intact, none mixed with another.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client, MiB, randomFile, sha256, startServer, type TestServer } from './helpers.js';

describe('scale', () => {
  let server: TestServer;
  before(async () => (server = await startServer()));
  after(() => server.close());

  it('stores 50 concurrent uploads of a few MiB each, all intact', async () => {
    const uploads = Array.from({ length: 50 }, (_, n) => ({
      client: new Client(server.url),
      id: `clip-${n}.mp4`,
      file: randomFile(3 * MiB + n * 997),
    }));
    // Half the uploads share one owner, so namespaces and ids are both exercised.
    const shared = new Client(server.url);
    await shared.ensureOwner();
    for (const upload of uploads.slice(0, 25)) upload.client = shared;

    const answers = await Promise.all(uploads.map(({ client, id, file }) => client.upload(id, file, MiB)));
    assert.deepEqual(answers.map((answer) => answer.status), uploads.map(() => 200));
    for (const { client, id, file } of uploads) assert.equal(await client.storedSha(id), sha256(file), id);
    assert.equal((await shared.list()).length, 25);
  });
});
