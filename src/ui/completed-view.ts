// The files the server holds for this browser, from GET /files.
import { downloadPath, Route, type CompletedFile } from '../../common/protocol.js';
import { formatBytes } from '../../common/format.js';

export class CompletedView {
  constructor(private readonly list: HTMLUListElement, private readonly empty: HTMLElement) {}

  /** Uploads go to another server, which Ferry cannot list: say where instead. */
  showElsewhere(sentence: string): void {
    this.list.replaceChildren();
    this.list.hidden = true;
    this.empty.textContent = sentence;
    this.empty.hidden = false;
  }

  /** Reload the list; false when the server could not be reached (what is shown stays). */
  async refresh(): Promise<boolean> {
    let files: CompletedFile[];
    try {
      const response = await fetch(Route.files, { cache: 'no-store', signal: AbortSignal.timeout(10_000) });
      if (!response.ok) return true;
      files = (await response.json()) as CompletedFile[];
    } catch {
      return false;
    }
    this.list.replaceChildren(...files.map(fileItem));
    this.empty.hidden = files.length > 0;
    return true;
  }
}

function fileItem(file: CompletedFile): HTMLLIElement {
  const item = document.createElement('li');
  item.className = 'file';
  const link = document.createElement('a');
  link.href = downloadPath(file.id);
  link.download = file.name;
  link.textContent = file.name;
  const meta = document.createElement('span');
  meta.className = 'file-meta';
  meta.textContent = `${formatBytes(file.size)} · ${new Date(file.completedAt).toLocaleString()}`;
  meta.title = `SHA-256 ${file.sha256}`;
  item.append(link, meta);
  return item;
}
