// Expiry: stale partial uploads go, completed files and live uploads stay.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Header } from '../../common/protocol.js';
import { Client, eventually, randomFile, sha256, sleep, startServer } from './helpers.js';

describe('expiry sweeper', () => {
  it('removes partial uploads untouched for UPLOAD_TTL and keeps completed ones', async () => {
    const server = await startServer({ UPLOAD_TTL: '1s', SWEEP_INTERVAL: '200ms' });
    try {
      const client = new Client(server.url);
      const kept = randomFile(2000);
      await client.upload('kept', kept, 1000);
      await client.append('stale', 0, randomFile(1000), { [Header.fileSize]: '5000' });
      await client.append('fresh', 0, randomFile(1000), { [Header.fileSize]: '100000' });
      // Keep "fresh" moving while "stale" sits still past its time to live.
      for (let at = 1000; at < 10_000; at += 1000) {
        await sleep(250);
        await client.append('fresh', at, randomFile(1000));
      }
      await eventually(async () => ((await client.status('stale')).offset === 0 ? true : undefined), 3000, 'the stale upload to expire');
      assert.equal((await client.status('fresh')).offset, 10_000, 'a live upload is not swept');
      assert.equal(await client.storedSha('kept'), sha256(kept), 'completed files do not expire');
    } finally {
      await server.close();
    }
  });
});
