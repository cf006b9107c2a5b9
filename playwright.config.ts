import { defineConfig } from '@playwright/test';
import { ensureChromium } from './build/testkit/chromium.js';

// Resolve (and if needed install) the browser once, in the runner, before any worker starts.
process.env.CHROMIUM_PATH ??= ensureChromium();

export default defineConfig({
  testDir: 'e2e',
  testMatch: '**/*.spec.ts',
  timeout: 120_000,
  fullyParallel: false,
  workers: 1,
  retries: 0,
  // A failed test's server log and consoles are printed in full (e2e/evidence-reporter.ts).
  reporter: [['list'], ['./e2e/evidence-reporter.ts']],
  outputDir: 'test-results',
});
