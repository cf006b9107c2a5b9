// Expiry: stale partial uploads go, completed files and live uploads stay.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Header } from '../../common/protocol.js';
import { Client, randomFile, sha256, sleep, startServer } from './helpers.js';

describe('expiry sweeper', () => {
  it('removes partial uploads untouched for UPLOAD_TTL and keeps completed ones', async () => {
    const server = await startServer({ UPLOAD_TTL: '2s', SWEEP_INTERVAL: '200ms' });
    try {
      const client = new Client(server.url);
      const kept = randomFile(2000);
      await client.upload('kept', kept, 1000);
      await client.append('stale', 0, randomFile(1000), { [Header.fileSize]: '5000' });
      await client.append('fresh', 0, randomFile(1000), { [Header.fileSize]: '100000' });
      // Keep "fresh" moving until "stale", still since it began, has been swept: a live upload left
      // alone while the test waited (up to 3 s, past the time to live) was swept too, once in a
      // server-suite run under load.
      let at = 1000;
      const deadline = Date.now() + 8000;
      for (;;) {
        await sleep(250);
        assert.equal((await client.append('fresh', at, randomFile(1000))).status, 200, 'a live upload takes its next append');
        at += 1000;
        if (at >= 10_000 && (await client.status('stale')).offset === 0) break;
        if (Date.now() > deadline) throw new Error('timed out waiting for the stale upload to expire');
      }
      assert.equal((await client.status('fresh')).offset, at, 'a live upload is not swept');
      assert.equal(await client.storedSha('kept'), sha256(kept), 'completed files do not expire');
    } finally {
      await server.close();
    }
  });
});
