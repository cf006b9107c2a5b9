// Each browser's uploads are its own: another owner sees nothing and can touch nothing.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Header } from '../../../common/protocol.js';
import { Client, MiB, randomFile, sha256, type Target } from '../helpers.js';

/** A signed owner token as the server issues it: 32 random bytes and their HMAC, base64url. */
const TOKEN = /^ferry_owner=[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{43};/;

export function ownerSuite(where: string, start: () => Promise<Target>): void {
  describe(`owners: ${where}`, () => {
  let server: Target;
  before(async () => (server = await start()));
  after(() => server.close());

  it('sets an HttpOnly, SameSite=Strict owner cookie with a random token on the first response', async () => {
    const response = await fetch(`${server.urls[0]}/status`, { headers: { [Header.fileId]: 'x' } });
    const cookie = response.headers.get('set-cookie') ?? '';
    assert.match(cookie, TOKEN);
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

  it('replaces a malformed cookie, or a well-formed token it did not issue, with a fresh token', async () => {
    const issued = new Client(server.urls);
    await issued.ensureOwner();
    const [nonce] = issued.cookie!.slice('ferry_owner='.length).split('.');
    const forged = [
      '../../etc',
      'A'.repeat(43), // the shape every token had before tokens were signed
      `${nonce}.${'B'.repeat(43)}`, // a real nonce under a made-up signature
      `${'C'.repeat(43)}.${issued.cookie!.split('.')[1]}`, // a real signature on another nonce
    ];
    for (const token of forged) {
      const response = await fetch(`${server.urls[0]}/files`, { headers: { cookie: `ferry_owner=${token}` } });
      assert.equal(response.status, 200);
      assert.deepEqual(await response.json(), []);
      const fresh = response.headers.get('set-cookie') ?? '';
      assert.match(fresh, TOKEN, token);
      assert.notEqual(fresh.split(';')[0], `ferry_owner=${token}`);
    }
  });

  it('never lets a token fixed by someone else reach the victim\'s uploads', async () => {
    // Mallory picks a token, plants it in Alice's browser, and waits for Alice to upload with it.
    const planted = `ferry_owner=${'M'.repeat(43)}`;
    const alice = new Client(server.urls);
    alice.cookie = planted;
    const file = randomFile(1000);
    assert.equal((await alice.upload('scan.dcm', file, 1000)).status, 200);
    assert.notEqual(alice.cookie, planted, 'Alice was given a token of her own');
    const mallory = new Client(server.urls);
    mallory.cookie = planted;
    assert.deepEqual(await mallory.list(), []);
    assert.equal((await mallory.download('scan.dcm')).status, 404);
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
