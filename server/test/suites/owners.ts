// Each browser's uploads are its own: another owner sees nothing and can touch nothing.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Header } from '../../../common/protocol.js';
import { Client, MiB, randomFile, sha256, type Target } from '../helpers.js';

export function ownerSuite(where: string, start: () => Promise<Target>): void {
  describe(`owners: ${where}`, () => {
  let server: Target;
  before(async () => (server = await start()));
  after(() => server.close());

  it('sets an HttpOnly, SameSite=Strict owner cookie with a random token on the first response', async () => {
    const response = await fetch(`${server.urls[0]}/status`, { headers: { [Header.fileId]: 'x' } });
    const cookie = response.headers.get('set-cookie') ?? '';
    assert.match(cookie, /^ferry_owner=[A-Za-z0-9_-]{43};/);
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Strict/);
    assert.match(cookie, /Path=\//);
    const other = (await fetch(`${server.urls[0]}/`)).headers.get('set-cookie') ?? '';
    assert.notEqual(other.split(';')[0], cookie.split(';')[0], 'every browser gets its own token, the app page included');

    const client = new Client(server.urls);
    await client.ensureOwner();
    const again = await client.status('x');
    assert.equal(again.headers.get('set-cookie'), null, 'a browser that has one keeps it');
  });

  it('replaces a forged or malformed cookie with a fresh token', async () => {
    const response = await fetch(`${server.urls[0]}/files`, { headers: { cookie: 'ferry_owner=../../etc' } });
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), []);
    assert.match(response.headers.get('set-cookie') ?? '', /^ferry_owner=[A-Za-z0-9_-]{43};/);
  });

  it('keeps one owner\'s uploads from another that reads, appends, lists, downloads and deletes', async () => {
    const alice = new Client(server.urls);
    const mallory = new Client(server.urls);
    await mallory.ensureOwner();
    const done = randomFile(2 * MiB);
    const partial = randomFile(2 * MiB);
    assert.equal((await alice.upload('scan.dcm', done, MiB)).status, 200);
    await alice.append('half.dcm', 0, partial.subarray(0, MiB), { [Header.fileSize]: String(partial.length) });

    assert.equal((await mallory.status('scan.dcm')).offset, 0, 'status reveals nothing');
    assert.equal((await mallory.status('half.dcm')).offset, 0);
    assert.equal((await mallory.status('scan.dcm')).headers.get(Header.uploadComplete), null);

    const append = await mallory.append('half.dcm', MiB, randomFile(MiB), { [Header.fileSize]: String(partial.length) });
    assert.equal(append.status, 409, 'an append at Alice\'s offset is refused');
    assert.equal(append.offset, 0, 'and shows Mallory only Mallory\'s bytes');

    assert.deepEqual(await mallory.list(), []);
    assert.equal((await mallory.download('scan.dcm')).status, 404);
    assert.equal((await mallory.cancel('scan.dcm')).status, 204);
    assert.equal((await mallory.cancel('half.dcm')).status, 204);

    // Mallory's own upload under the same id lives apart from Alice's.
    assert.equal((await mallory.upload('scan.dcm', randomFile(1000), 1000)).status, 200);

    assert.equal(await alice.storedSha('scan.dcm'), sha256(done), 'Alice\'s file is intact');
    assert.equal((await alice.status('half.dcm')).offset, MiB, 'and so is her partial upload');
    assert.equal((await alice.append('half.dcm', MiB, partial.subarray(MiB))).status, 200);
    assert.equal(await alice.storedSha('half.dcm'), sha256(partial));
    assert.deepEqual((await alice.list()).map((file) => file.id).sort(), ['half.dcm', 'scan.dcm']);
  });
  });
}
