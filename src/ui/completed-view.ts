// The files the server holds for this browser, from GET /files: each with a download link, a
// Verified badge, when it finished, and a Delete button. The last list is kept in localStorage, so
// an app opened offline still shows it, marked with when it was last checked.
import { downloadPath, Header, Route, type CompletedFile } from '../../common/protocol.js';
import { relative, size, t } from '../i18n.js';
import { nameParts, serverTile } from './file-kind.js';
import { UNDO_MS } from './pending-cancels.js';

const KEPT = 'ferry:completed';
/** Files listed at first, and added by each "Show more": 43 cards made the page 5,677 px tall. */
const PAGE = 20;

interface Kept {
  files: CompletedFile[];
  checkedAt: number;
}

export class CompletedView {
  private checkedAt: number | undefined;
  private elsewhere = false;
  private shown = PAGE;
  /** The last line of the list: "Show 23 more". */
  private readonly more = document.createElement('li');

  constructor(
    private readonly list: HTMLUListElement,
    private readonly empty: HTMLElement,
    private readonly note: HTMLElement,
    /** Called with the ids listed, whenever the list changes. */
    private readonly onListed: (ids: ReadonlySet<string>) => void,
    /** Where the Ferry server is mounted (`ferry:<url>`); '' for the page's own origin. */
    private readonly base = '',
    /**
     * Erase a file from the server for good; true once done. By default a DELETE; the screen has the
     * worker do it for a file it uploaded, so its finished record goes too and never shows again.
     */
    private readonly erase: (id: string, onServer: () => Promise<boolean>) => Promise<boolean> = (_id, onServer) => onServer(),
  ) {
    list.addEventListener('click', (event) => {
      const button = (event.target as HTMLElement).closest<HTMLButtonElement>('button[data-delete], button[data-undo]');
      if (button?.dataset.delete) this.deleteWithUndo(button.dataset.delete, button);
      else if (button?.dataset.undo) this.undo(button.dataset.undo);
    });
    this.more.className = 'more';
    const showMore = document.createElement('button');
    showMore.type = 'button';
    showMore.className = 'quiet';
    showMore.addEventListener('click', () => {
      // The focus goes to the first file just shown.
      const first = this.shown;
      this.shown += PAGE;
      this.redraw();
      (this.list.children[first]?.querySelector<HTMLElement>('a') ?? showMore).focus();
    });
    this.more.append(showMore);
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
    // The focus stays on the same control of the same file: a refresh after a Delete dropped it to the page.
    const focused = (this.list.getRootNode() as Document | ShadowRoot).activeElement;
    const holder = this.list.contains(focused) ? focused?.closest<HTMLLIElement>('li.file') : undefined;
    const control = focused?.matches('a') ? 'a' : 'button';
    // A file whose Delete waits for its Undo keeps saying so.
    const items = files.slice(0, this.shown).map((file) => this.deleting.get(file.id)?.item ?? fileItem(file, this.base));
    const hidden = files.length - items.length;
    this.more.firstElementChild!.textContent = t('completed.showMore', { count: Math.min(PAGE, hidden) });
    this.list.replaceChildren(...items, ...(hidden > 0 ? [this.more] : []));
    if (holder && !holder.isConnected) {
      const again = [...this.list.children].find((item) => (item as HTMLElement).dataset.id === holder.dataset.id);
      (again?.querySelector<HTMLElement>(control) ?? this.empty).focus();
    }
    this.empty.hidden = files.length > 0;
    if (fresh) this.note.hidden = true;
    else this.markStale();
    this.onListed(new Set(files.map((file) => file.id)));
  }

  /**
   * Relative times move on ("8 seconds ago" read the same for a minute): only the words change, not the
   * list. The stale note is a live region, so it is not ticked: a screen reader would hear it every time.
   */
  tick(): void {
    for (const meta of this.list.querySelectorAll<HTMLElement>('.file-meta[data-at]')) {
      const text = `${size(Number(meta.dataset.size))} · ${relative(Number(meta.dataset.at))}`;
      if (meta.textContent !== text) meta.textContent = text;
    }
  }

  private markStale(): void {
    if (this.checkedAt === undefined) return;
    this.note.textContent = t('completed.stale', { when: relative(this.checkedAt) });
    this.note.hidden = false;
  }

  private readonly deleting = new Map<string, { timer: ReturnType<typeof setTimeout>; item: HTMLLIElement; content: Node[] }>();

  /** Delete is undoable for a few seconds: the server keeps the file until the window ends. */
  private deleteWithUndo(id: string, button: HTMLButtonElement): void {
    const item = button.closest<HTMLLIElement>('li')!;
    const name = item.querySelector('.file-name')?.textContent ?? '';
    const content = [...item.childNodes];
    const said = document.createElement('span');
    said.textContent = t('completed.deleted', { name });
    const undo = document.createElement('button');
    undo.type = 'button';
    undo.dataset.undo = id;
    undo.textContent = t('action.undo');
    undo.setAttribute('aria-label', t('action.named', { action: t('action.undo'), name }));
    item.classList.add('deleting');
    item.replaceChildren(said, undo);
    undo.focus();
    const timer = setTimeout(() => void this.erased(id), UNDO_MS);
    this.deleting.set(id, { timer, item, content });
  }

  private undo(id: string): void {
    const entry = this.deleting.get(id);
    if (!entry) return;
    clearTimeout(entry.timer);
    this.deleting.delete(id);
    entry.item.classList.remove('deleting');
    entry.item.replaceChildren(...entry.content);
    entry.item.querySelector<HTMLButtonElement>('button[data-delete]')?.focus();
  }

  private async erased(id: string): Promise<void> {
    const entry = this.deleting.get(id);
    this.deleting.delete(id);
    const ok = await this.erase(id, () => this.deleteOnServer(id)).catch(() => false);
    if (!ok) {
      this.note.textContent = t('completed.deleteFailed');
      this.note.hidden = false;
      if (entry) this.undo(id);
      return;
    }
    // The focus goes on to the next file, never to the top of the page.
    const next = entry?.item.nextElementSibling ?? entry?.item.previousElementSibling;
    const hadFocus = entry?.item.contains((entry.item.getRootNode() as Document | ShadowRoot).activeElement ?? null);
    entry?.item.remove();
    if (hadFocus) (next?.querySelector<HTMLElement>('button') ?? this.empty).focus();
    await this.refresh();
  }

  private async deleteOnServer(id: string): Promise<boolean> {
    const response = await fetch(`${this.base}${Route.upload}`, { method: 'DELETE', headers: { [Header.fileId]: id } }).catch(() => undefined);
    return response?.ok === true;
  }
}

function fileItem(file: CompletedFile, base: string): HTMLLIElement {
  const item = document.createElement('li');
  item.className = 'file';
  item.dataset.id = file.id;
  const link = document.createElement('a');
  link.href = `${base}${downloadPath(file.id)}`;
  link.download = file.name;
  link.append(...nameParts(file.name));
  link.title = file.name;
  // Its stem and extension are flex items, which would be read "to-delete .pdf".
  link.setAttribute('aria-label', file.name);
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
  meta.dataset.at = String(at.getTime());
  meta.dataset.size = String(file.size);
  meta.title = `${at.toLocaleString()} · SHA-256 ${file.sha256}`;
  const remove = document.createElement('button');
  remove.type = 'button';
  remove.className = 'quiet';
  remove.dataset.delete = file.id;
  remove.textContent = t('completed.delete');
  remove.setAttribute('aria-label', t('completed.deleteNamed', { name: file.name }));
  const head = document.createElement('div');
  head.className = 'file-head';
  head.append(serverTile(file, link.href), link, badge);
  const tail = document.createElement('div');
  tail.className = 'file-tail';
  tail.append(meta, remove);
  item.append(head, tail);
  return item;
}
