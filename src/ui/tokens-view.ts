// "Upload from elsewhere": mint a bearer token for scripts and other sites' apps, show how to use
// it once, list the tokens this browser made, and revoke them.
import { Route } from '../../common/protocol.js';
import { language, t } from '../i18n.js';

interface TokenInfo {
  id: string;
  createdAt: string;
}

export class TokensView {
  constructor(private readonly root: HTMLElement) {
    root.querySelector('#mint-token')!.addEventListener('click', () => void this.mint());
    root.addEventListener('toggle', () => {
      if ((root as HTMLDetailsElement).open) void this.refresh();
    });
  }

  private async mint(): Promise<void> {
    const response = await fetch(Route.tokens, { method: 'POST' });
    if (response.status !== 201) return;
    const { token } = (await response.json()) as { token: string };
    const origin = location.origin;
    this.root.querySelector('#token-value')!.textContent = token;
    this.root.querySelector('#curl-snippet')!.textContent =
      `curl -X POST -T "report.pdf" \\\n  -H "Authorization: Bearer ${token}" \\\n  -H "X-File-Id: report.pdf" -H "X-File-Name: report.pdf" \\\n  -H "X-File-Size: $(stat -c %s report.pdf)" \\\n  ${origin}${Route.upload}`;
    this.root.querySelector('#tus-snippet')!.textContent =
      `new tus.Upload(file, {\n  endpoint: '${origin}${Route.uploads}',\n  headers: { Authorization: 'Bearer ${token}' },\n  metadata: { filename: file.name, filetype: file.type },\n}).start();`;
    (this.root.querySelector('#new-token') as HTMLElement).hidden = false;
    await this.refresh();
  }

  private async refresh(): Promise<void> {
    const response = await fetch(Route.tokens, { cache: 'no-store' }).catch(() => undefined);
    if (!response?.ok) return;
    const tokens = (await response.json()) as TokenInfo[];
    const list = this.root.querySelector('#tokens')!;
    list.replaceChildren(...tokens.map((token) => {
      const item = document.createElement('li');
      const label = document.createElement('span');
      label.textContent = t('elsewhere.token', { id: token.id, date: new Date(token.createdAt).toLocaleString(language()) });
      const revoke = document.createElement('button');
      revoke.type = 'button';
      revoke.className = 'quiet';
      revoke.textContent = t('elsewhere.revoke');
      revoke.setAttribute('aria-label', t('elsewhere.revokeNamed', { id: token.id }));
      revoke.addEventListener('click', () => void fetch(`${Route.tokens}/${token.id}`, { method: 'DELETE' }).then(() => this.refresh()));
      item.append(label, revoke);
      return item;
    }));
  }
}
