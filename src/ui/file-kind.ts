// What a row shows before the name: the file's kind as its extension on a coloured tile, or, for a
// picture, a thumbnail of it: from the File this page picked, else the worker's copy.

const KINDS: Array<[kind: string, test: (type: string, extension: string) => boolean]> = [
  ['image', (type) => type.startsWith('image/')],
  ['video', (type) => type.startsWith('video/')],
  ['audio', (type) => type.startsWith('audio/')],
  ['document', (type, extension) => type === 'application/pdf' || ['doc', 'docx', 'odt', 'rtf', 'txt', 'md', 'csv', 'xls', 'xlsx', 'ppt', 'pptx'].includes(extension)],
  ['archive', (type, extension) => /zip|tar|gzip|x-7z|rar/.test(type) || ['zip', 'tar', 'gz', '7z', 'rar', 'tgz'].includes(extension)],
];

/** Thumbnails are made only for pictures this small: decoding a 200 MB TIFF to show 40 px is not worth it. */
const THUMBNAIL_MAX_BYTES = 20_000_000;
/** Pictures browsers draw; a TIFF or a RAW would leave the tile blank, so those keep their type label. */
const DRAWN = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp', 'image/avif', 'image/bmp', 'image/svg+xml']);

export function kindOf(name: string, type: string): { kind: string; label: string } {
  const dot = name.lastIndexOf('.');
  const extension = dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
  const kind = KINDS.find(([, test]) => test(type, extension))?.[0] ?? 'other';
  return { kind, label: extension.slice(0, 4).toUpperCase() || '•' };
}

const thumbnails = new Map<string, Promise<string | undefined>>();
const picked = new Map<string, Blob>();

/** The File this page handed over as `id`: its thumbnail is made from it, not read back from the worker's copy. */
export function rememberPicked(id: string, file: Blob): void {
  picked.set(id, file);
}

/**
 * Give `tile` the thumbnail of picture `id` once it comes near the screen: a batch of 300 photos
 * made 300 object URLs (each reading the worker's database) for rows nobody had scrolled to.
 */
export function showThumbnailWhenSeen(tile: HTMLElement, id: string, type: string, size: number): void {
  if (!DRAWN.has(type) || size > THUMBNAIL_MAX_BYTES) return;
  tile.dataset.thumbnailOf = id;
  nearScreen.observe(tile);
}

/** Server thumbnails are downloaded whole: only for pictures this small, unless this page still holds the file. */
const SERVER_THUMBNAIL_MAX_BYTES = 5_000_000;

/**
 * The tile of a file on the server: its kind, or the picture itself once near the screen (from the File
 * this page picked, else downloaded). The server sends SVG as bytes, never as an image, so it keeps its label.
 */
export function serverTile(file: { id: string; name: string; type: string; size: number }, url: string): HTMLSpanElement {
  const tile = document.createElement('span');
  tile.className = 'kind';
  tile.setAttribute('aria-hidden', 'true');
  const { kind, label } = kindOf(file.name, file.type);
  tile.dataset.kind = kind;
  tile.textContent = label;
  if (DRAWN.has(file.type) && file.type !== 'image/svg+xml' && (picked.has(file.id) || file.size <= SERVER_THUMBNAIL_MAX_BYTES)) {
    tile.dataset.thumbnailOf = file.id;
    tile.dataset.thumbnailUrl = url;
    nearScreen.observe(tile);
  }
  return tile;
}

/** A name's stem (cut with an ellipsis when too long) and its extension (always shown: "photo-harb….png"). */
export function nameParts(name: string): HTMLSpanElement[] {
  const dot = name.lastIndexOf('.');
  const split = dot > 0 && name.length - dot <= 9 ? dot : name.length;
  return [['stem', name.slice(0, split)], ['ext', name.slice(split)]].map(([kind, text]) => {
    const part = document.createElement('span');
    part.className = kind!;
    part.textContent = text!;
    return part;
  });
}

/** How long a tile stays near the screen before its thumbnail is made. */
const THUMBNAIL_AFTER_MS = 300;
const dwelling = new Map<Element, ReturnType<typeof setTimeout>>();

// A thumbnail is made for a tile that stays near the screen, not for each row a fast batch moves past
// it: 300 photos of 200 KB each went by the top for ~60 ms, and their object URLs and image loads cost
// the page about a second of its main thread (docs/performance.md, batch).
const nearScreen = new IntersectionObserver((entries) => {
  for (const { target, isIntersecting } of entries) {
    clearTimeout(dwelling.get(target));
    dwelling.delete(target);
    if (isIntersecting) dwelling.set(target, setTimeout(() => showThumbnail(target as HTMLElement), THUMBNAIL_AFTER_MS));
  }
}, { rootMargin: '300px 0px' });

function showThumbnail(tile: HTMLElement): void {
  dwelling.delete(tile);
  nearScreen.unobserve(tile);
  if (!tile.isConnected) return; // its row was removed meanwhile
  const { thumbnailOf: id, thumbnailUrl } = tile.dataset;
  void (id !== undefined && (picked.has(id) || thumbnailUrl === undefined) ? thumbnailOf(id) : Promise.resolve(thumbnailUrl)).then(async (url) => {
    // A file named .jpg that is no picture this browser can draw keeps its label, not a blank tile.
    if (!url || !(await drawable(url))) return;
    tile.textContent = '';
    tile.style.backgroundImage = `url("${url}")`;
    tile.classList.add('thumbnail');
  });
}

/** Whether the picture at `url` loads as an image: its header read, not the whole of it decoded. */
function drawable(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = new Image();
    probe.onload = () => resolve(true);
    probe.onerror = () => resolve(false);
    probe.src = url;
  });
}

/** An object URL of picture `id`, once per page; undefined when this page did not pick it and the worker no longer keeps it. */
function thumbnailOf(id: string): Promise<string | undefined> {
  let made = thumbnails.get(id);
  if (!made) {
    const inHand = picked.get(id);
    made = inHand ? Promise.resolve(URL.createObjectURL(inHand)) : storedFile(id).then((blob) => (blob ? URL.createObjectURL(blob) : undefined), () => undefined);
    thumbnails.set(id, made);
  }
  return made;
}

/** The worker's stored copy, asked of the worker: only the engine knows its database. */
let storedFile: (id: string) => Promise<Blob | undefined> = async () => undefined;

export function readStoredFilesWith(reader: (id: string) => Promise<Blob | undefined>): void {
  storedFile = reader;
}
