// "9.2 GB of the 10 GB this server keeps for you is free": said before a pick, so nobody learns the
// quota from a refusal. Only Ferry's own server answers GET /quota.
import { Route, type QuotaReport } from '../../common/protocol.js';
import { t } from '../i18n.js';

export class QuotaLine {
  private report: QuotaReport | undefined;

  /** `base`: the Ferry server's URL prefix ('' for this origin), undefined when files go elsewhere. */
  constructor(private readonly line: HTMLElement, private readonly base: string | undefined, private readonly headers: () => Record<string, string> = () => ({})) {}

  async refresh(): Promise<void> {
    if (this.base === undefined) return;
    try {
      const response = await fetch(`${this.base}${Route.quota}`, { cache: 'no-store', headers: this.headers(), signal: AbortSignal.timeout(5000) });
      // An older server, or one mounted with no quota route: say nothing rather than something wrong.
      this.report = response.ok ? ((await response.json()) as QuotaReport) : undefined;
    } catch {
      // Out of reach: keep the last answer; the banner says the server cannot be reached.
    }
    this.show();
  }

  show(): void {
    const bytes = this.report?.bytes;
    this.line.hidden = bytes === undefined;
    if (bytes) this.line.textContent = t('drop.quota', { left: { bytes: Math.max(0, bytes.limit - bytes.used) }, limit: { bytes: bytes.limit } });
  }
}
