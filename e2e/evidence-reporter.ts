// Prints, in full, the evidence a failed end-to-end test attached (e2e/evidence.ts): the list
// reporter shows only its first lines, and CI's output is all that is kept of a run.
import type { Reporter, TestCase, TestResult } from '@playwright/test/reporter';

export default class EvidenceReporter implements Reporter {
  onTestEnd(test: TestCase, result: TestResult): void {
    if (result.status === test.expectedStatus) return;
    for (const attachment of result.attachments) {
      if (attachment.contentType !== 'text/plain' || !attachment.body) continue;
      console.log(`\n──── ${test.title}: ${attachment.name} (try ${result.retry + 1}) ────\n${attachment.body.toString('utf8')}\n────`);
    }
    const shots = result.attachments.filter((attachment) => attachment.contentType === 'image/png' && attachment.path);
    for (const shot of shots) console.log(`screenshot: ${shot.path}`);
  }
}
