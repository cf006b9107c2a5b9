// The filesystem store against the storage port's shared contract.
import { rm } from 'node:fs/promises';
import { FsStore } from '../store/fs-store.js';
import { storeConformance } from './store-conformance.js';
import { tempDir } from './helpers.js';

storeConformance('filesystem', async () => {
  const dir = await tempDir();
  const open = async () => {
    const store = new FsStore(dir);
    await store.init();
    return store;
  };
  return { store: await open(), reopen: open, cleanup: () => rm(dir, { recursive: true, force: true }) };
});
