// The files the server holds for this browser, from GET /files: each with a download link, a
// Verified badge, when it finished, and a Delete button. The last list is kept in localStorage, so
// an app opened offline still shows it, marked with when it was last checked.
import { downloadPath, Header, Route, type CompletedFile } from '../../common/protocol.js';
import { relative, size, t } from '../i18n.js';

const KEPT = 'ferry:completed';

interface Kept {
  files: CompletedFile[];
  checkedAt: number;
}

export class CompletedView {
  private checkedAt: number | undefined;
  private elsewhere = false;

  constructor(
    private readonly list: HTMLUListElement,
    private readonly empty: HTMLElement,
    private readonly note: HTMLElement,
    /** Called with the ids listed, whenever the list changes. */
    private readonly onListed: (ids: ReadonlySet<string>) => void,
    /** Where the Ferry server is mounted (`ferry:<url>`); '' for the page's own origin. */
    private readonly base = '',
  ) {
    list.addEventListener('click', (event) => {
      const button = (event.target as HTMLElement).closest<HTMLButtonElement>('button[data-delete]');
      if (button) void this.remove(button.dataset.delete!, button);
    });
    const kept = localStorage.getItem(KEPT);
    if (kept) this.show(JSON.parse(kept) as Kept, false);
  }

  /** Uploads go to another server, which Ferry cannot list: say where instead. */
  showElsewhere(sentence: string): void {
    this.elsewhere = true;
    this.list.replaceChildren();
    this.list.hidden = true;
    this.note.hidden = true;
    this.empty.textContent = sentence;
    this.empty.hidden = false;
  }

  /** Reload the list; false when the server could not be reached (the last list stays, marked as such). */
  async refresh(): Promise<boolean> {
    let files: CompletedFile[];
    try {
      const response = await fetch(`${this.base}${Route.files}`, { cache: 'no-store', signal: AbortSignal.timeout(10_000) });
      if (!response.ok) return true;
      files = (await response.json()) as CompletedFile[];
    } catch {
      this.markStale();
      return false;
    }
    const kept: Kept = { files, checkedAt: Date.now() };
    localStorage.setItem(KEPT, JSON.stringify(kept));
    this.show(kept, true);
    return true;
  }

  /** The last list again, in the language just chosen. */
  redraw(): void {
    const kept = localStorage.getItem(KEPT);
    if (kept && !this.elsewhere) this.show(JSON.parse(kept) as Kept, this.note.hidden === true);
  }

  private show({ files, checkedAt }: Kept, fresh: boolean): void {
    this.checkedAt = checkedAt;
    this.list.replaceChildren(...files.map((file) => fileItem(file, this.base)));
    this.empty.hidden = files.length > 0;
    if (fresh) this.note.hidden = true;
    else this.markStale();
    this.onListed(new Set(files.map((file) => file.id)));
  }

  private markStale(): void {
    if (this.checkedAt === undefined) return;
    this.note.textContent = t('completed.stale', { when: relative(this.checkedAt) });
    this.note.hidden = false;
  }

  private async remove(id: string, button: HTMLButtonElement): Promise<void> {
    button.disabled = true;
    const response = await fetch(`${this.base}${Route.upload}`, { method: 'DELETE', headers: { [Header.fileId]: id } }).catch(() => undefined);
    button.disabled = false;
    if (response?.ok) await this.refresh();
    else this.note.textContent = t('completed.deleteFailed');
    if (!response?.ok) this.note.hidden = false;
  }
}

function fileItem(file: CompletedFile, base: string): HTMLLIElement {
  const item = document.createElement('li');
  item.className = 'file';
  const link = document.createElement('a');
  link.href = `${base}${downloadPath(file.id)}`;
  link.download = file.name;
  link.textContent = file.name;
  link.className = 'file-name';
  const badge = document.createElement('span');
  badge.className = 'badge';
  badge.textContent = t('completed.verified');
  badge.title = t('completed.verifiedTitle');
  badge.hidden = !file.verified;
  const meta = document.createElement('span');
  meta.className = 'file-meta';
  const at = new Date(file.completedAt);
  meta.textContent = `${size(file.size)} · ${relative(at.getTime())}`;
  meta.title = `${at.toLocaleString()} · SHA-256 ${file.sha256}`;
  const remove = document.createElement('button');
  remove.type = 'button';
  remove.className = 'quiet';
  remove.dataset.delete = file.id;
  remove.textContent = t('completed.delete');
  remove.setAttribute('aria-label', t('completed.deleteNamed', { name: file.name }));
  const head = document.createElement('div');
  head.className = 'file-head';
  head.append(link, badge);
  const tail = document.createElement('div');
  tail.className = 'file-tail';
  tail.append(meta, remove);
  item.append(head, tail);
  return item;
}
