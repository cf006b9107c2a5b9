// docs/embed.md's snippets are the example's files, which e2e/embed.spec.ts builds and runs.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

describe('docs/embed.md', () => {
  it('shows the worker, page and element snippets exactly as examples/tus-host has them', () => {
    const doc = readFileSync('docs/embed.md', 'utf8');
    for (const file of ['sw.js', 'page.js', 'element.js']) {
      const source = readFileSync(`examples/tus-host/src/${file}`, 'utf8').trimEnd();
      assert.ok(doc.includes('```js\n' + source + '\n```'), `docs/embed.md shows examples/tus-host/src/${file} as it is`);
    }
  });
});
