// What a row shows before the name: the file's kind as its extension on a coloured tile, or, for a
// picture still kept in this browser, a thumbnail of it (read from the worker's IndexedDB copy).

const KINDS: Array<[kind: string, test: (type: string, extension: string) => boolean]> = [
  ['image', (type) => type.startsWith('image/')],
  ['video', (type) => type.startsWith('video/')],
  ['audio', (type) => type.startsWith('audio/')],
  ['document', (type, extension) => type === 'application/pdf' || ['doc', 'docx', 'odt', 'rtf', 'txt', 'md', 'csv', 'xls', 'xlsx', 'ppt', 'pptx'].includes(extension)],
  ['archive', (type, extension) => /zip|tar|gzip|x-7z|rar/.test(type) || ['zip', 'tar', 'gz', '7z', 'rar', 'tgz'].includes(extension)],
];

/** Thumbnails are made only for pictures this small: decoding a 200 MB TIFF to show 40 px is not worth it. */
const THUMBNAIL_MAX_BYTES = 20_000_000;

export function kindOf(name: string, type: string): { kind: string; label: string } {
  const dot = name.lastIndexOf('.');
  const extension = dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
  const kind = KINDS.find(([, test]) => test(type, extension))?.[0] ?? 'other';
  return { kind, label: extension.slice(0, 4).toUpperCase() || '•' };
}

const thumbnails = new Map<string, Promise<string | undefined>>();

/** An object URL of the stored picture `id`, once per page; undefined when it is not a small picture still stored. */
export function thumbnailOf(id: string, type: string, size: number): Promise<string | undefined> {
  if (!type.startsWith('image/') || size > THUMBNAIL_MAX_BYTES) return Promise.resolve(undefined);
  let made = thumbnails.get(id);
  if (!made) {
    made = storedFile(id).then((blob) => (blob ? URL.createObjectURL(blob) : undefined), () => undefined);
    thumbnails.set(id, made);
  }
  return made;
}

/** The worker's stored copy, read only: the page never writes the worker's database. */
function storedFile(id: string): Promise<Blob | undefined> {
  return new Promise((resolve, reject) => {
    const opening = indexedDB.open('ferry');
    // The worker made the database; never create or upgrade it from the page.
    opening.onupgradeneeded = () => opening.transaction?.abort();
    opening.onerror = () => reject(opening.error);
    opening.onsuccess = () => {
      const db = opening.result;
      const reading = db.transaction('files').objectStore('files').get(id);
      reading.onsuccess = () => resolve(reading.result as Blob | undefined);
      reading.onerror = () => reject(reading.error);
      reading.transaction!.oncomplete = () => db.close();
    };
  });
}
