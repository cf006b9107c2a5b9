// "Upload from elsewhere": mint a bearer token for scripts, other devices and other sites' apps, show
// how to use it once (with Copy buttons), list the tokens this browser made, and revoke them.
import { Route } from '../../common/protocol.js';
import { language, onLanguageChange, t } from '../i18n.js';
import { curlCommand, tusSnippet } from './elsewhere-commands.js';

interface TokenInfo {
  id: string;
  createdAt: string;
}

const COPIED_MS = 2000;

export class TokensView {
  private tokens: TokenInfo[] = [];
  /** The token shown once, until it is revoked. */
  private shown: string | undefined;

  constructor(private readonly root: HTMLElement) {
    this.$('#mint-token').addEventListener('click', () => void this.mint());
    root.addEventListener('toggle', () => {
      if ((root as HTMLDetailsElement).open) void this.refresh();
    });
    for (const button of root.querySelectorAll<HTMLButtonElement>('button[data-copy]')) {
      button.addEventListener('click', () => void this.copy(button));
    }
    this.label();
    onLanguageChange(() => {
      this.label();
      this.draw();
    });
  }

  private $<T extends HTMLElement>(selector: string): T {
    return this.root.querySelector<T>(selector)!;
  }

  /** Each Copy button names what it copies. */
  private label(): void {
    for (const button of this.root.querySelectorAll<HTMLButtonElement>('button[data-copy]')) {
      button.setAttribute('aria-label', t(button.dataset.copyLabel === 'token' ? 'elsewhere.copyToken' : 'elsewhere.copyCommand'));
    }
  }

  private async copy(button: HTMLButtonElement): Promise<void> {
    const text = this.$(`#${button.dataset.copy!}`).textContent ?? '';
    const copied = await navigator.clipboard?.writeText(text).then(() => true, () => false);
    // Where the clipboard is refused, the text is selected instead, for the reader's own copy.
    if (!copied) getSelection()?.selectAllChildren(this.$(`#${button.dataset.copy!}`));
    button.textContent = t(copied ? 'elsewhere.copied' : 'elsewhere.selected');
    setTimeout(() => (button.textContent = t('elsewhere.copy')), COPIED_MS);
  }

  private async mint(): Promise<void> {
    const response = await fetch(Route.tokens, { method: 'POST' });
    if (response.status !== 201) return;
    const { token, id } = (await response.json()) as { token: string; id: string };
    this.shown = id;
    this.$('#token-value').textContent = token;
    this.$('#curl-snippet').textContent = curlCommand(location.origin, token);
    this.$('#tus-snippet').textContent = tusSnippet(location.origin, token);
    this.$('#new-token').hidden = false;
    await this.refresh();
    this.root.querySelector<HTMLButtonElement>('button[data-copy="token-value"]')?.focus();
  }

  private async revoke(id: string, index: number): Promise<void> {
    const response = await fetch(`${Route.tokens}/${id}`, { method: 'DELETE' }).catch(() => undefined);
    if (!response?.ok) return;
    // A revoked token no longer works: it does not stay on screen as "your new token".
    if (id === this.shown) {
      this.shown = undefined;
      this.$('#new-token').hidden = true;
      for (const selector of ['#token-value', '#curl-snippet', '#tus-snippet']) this.$(selector).textContent = '';
    }
    await this.refresh();
    // The focus goes to the next token's Revoke, else to Create a token: never to the top of the page.
    const buttons = this.root.querySelectorAll<HTMLButtonElement>('#tokens button');
    (buttons[Math.min(index, buttons.length - 1)] ?? this.$('#mint-token')).focus();
  }

  private async refresh(): Promise<void> {
    const response = await fetch(Route.tokens, { cache: 'no-store' }).catch(() => undefined);
    if (!response?.ok) return;
    this.tokens = (await response.json()) as TokenInfo[];
    this.draw();
  }

  private draw(): void {
    this.$('#tokens-title').hidden = this.tokens.length === 0;
    const when = new Intl.DateTimeFormat(language(), { dateStyle: 'medium', timeStyle: 'short' });
    this.$('#tokens').replaceChildren(...this.tokens.map((token, index) => {
      const item = document.createElement('li');
      const label = document.createElement('span');
      label.textContent = t('elsewhere.token', { id: token.id, date: when.format(new Date(token.createdAt)) });
      const revoke = document.createElement('button');
      revoke.type = 'button';
      revoke.className = 'quiet';
      revoke.textContent = t('elsewhere.revoke');
      revoke.setAttribute('aria-label', t('elsewhere.revokeNamed', { id: token.id }));
      revoke.addEventListener('click', () => void this.revoke(token.id, index));
      item.append(label, revoke);
      return item;
    }));
  }
}
