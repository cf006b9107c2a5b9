// Issue 14: an offset the server reports is an offset it accepts. The tutorial's client is
// stopped and started again ten times through a middlebox that keeps delivering the stopped
// request's bytes; every resume must be taken, and the file must arrive exact.
import { test } from '@playwright/test';
import { classicStopAndResume } from './classic-client.ts';
import { Harness } from './harness.ts';

test('the classic client, stopped and resumed ten times through a middlebox, has every resume taken', async () => {
  test.setTimeout(120_000);
  const app = await Harness.start();
  try {
    await classicStopAndResume(app);
  } finally {
    await app.close();
  }
});
