// The worker's messages to its pages: in order, to every page open when each was posted, with one
// look at the pages for a burst instead of one a message.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PagePost, type MessagedPage } from '../worker/page-post.js';

/** A page that keeps what it was sent. */
function page(): MessagedPage<number> & { got: number[] } {
  const got: number[] = [];
  return { got, postMessage: (message) => got.push(message) };
}

/** The browser's list of pages, as open when a look starts; each look waits until `answer()` (so a test decides when it lands). */
function browser(open: Array<MessagedPage<number>>) {
  const looks: Array<() => void> = [];
  return {
    looks,
    matchAll: () => {
      const listed = [...open];
      return new Promise<ReadonlyArray<MessagedPage<number>>>((resolve) => looks.push(() => resolve(listed)));
    },
    /** Answer the oldest look still waiting, and let what follows it run. */
    async answer() {
      looks.shift()!();
      for (let turn = 0; turn < 10; turn++) await Promise.resolve();
    },
  };
}

describe('PagePost', () => {
  it('sends a burst of 300 messages in order with two looks at the pages, not 300', async () => {
    const a = page();
    const b = page();
    const pages = browser([a, b]);
    const post = new PagePost(pages.matchAll);
    for (let message = 0; message < 300; message++) post.post(message);
    await pages.answer(); // the first message's look
    await pages.answer(); // the rest, posted while it was under way
    assert.equal(pages.looks.length, 0);
    const all = Array.from({ length: 300 }, (_, i) => i);
    assert.deepEqual(a.got, all);
    assert.deepEqual(b.got, all);
  });

  it('a page opened before a message was posted gets it, even while a look that missed it was under way', async () => {
    const first = page();
    const open: Array<MessagedPage<number>> = [first];
    const pages = browser(open);
    const post = new PagePost(pages.matchAll);
    post.post(1); // its look has started; `late` is not open yet
    const late = page();
    open.push(late);
    post.post(2); // must not go with the look already under way
    await pages.answer();
    await pages.answer();
    assert.deepEqual(first.got, [1, 2]);
    assert.deepEqual(late.got, [2]);
  });

  it('with no page open, each message says so (an upload that ends notifies), and a failed look loses only its own', async () => {
    let looks = 0;
    const said: number[] = [];
    const post = new PagePost<number>(async () => {
      looks += 1;
      if (looks === 1) throw new Error('matchAll failed');
      return [];
    });
    post.post(1, async () => void said.push(1));
    for (let turn = 0; turn < 10; turn++) await Promise.resolve();
    post.post(2, async () => void said.push(2));
    post.post(3, async () => void said.push(3));
    post.post(4);
    for (let turn = 0; turn < 10; turn++) await Promise.resolve();
    assert.deepEqual(said, [2, 3]);
    assert.equal(looks, 3);
  });
});
