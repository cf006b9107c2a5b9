// What the worker does for each page message, and what it answers.
import type { PageMessage } from '../../common/messages.js';
import type { Engine } from '../engine/engine.js';
import type { QueueStore } from '../store/queue-store.js';

export async function answer(message: PageMessage, engine: Engine, store: QueueStore, requestSync: () => Promise<void>): Promise<unknown> {
  switch (message.type) {
    case 'ferry:hello':
      return engine.snapshot();
    case 'ferry:enqueue': {
      const { files, type: _, ...options } = message;
      const answers = await engine.enqueue(files, options);
      if (answers.some((reply) => reply.ok)) void requestSync();
      return answers;
    }
    case 'ferry:set-headers':
      await engine.setHeaders(message.headers, message.target);
      void requestSync();
      return undefined;
    case 'ferry:stored-file':
      return engine.storedFile(message.id);
    case 'ferry:pause':
      return engine.pause(message.id);
    case 'ferry:resume':
      return engine.resume(message.id);
    case 'ferry:cancel':
      return engine.cancel(message.id);
    case 'ferry:retry':
      return engine.retry(message.id);
    case 'ferry:clear-finished':
      return engine.clearFinished();
    case 'ferry:get-settings':
      return store.settings();
    case 'ferry:set-concurrency':
      await store.updateSettings({ concurrency: message.value });
      engine.setConcurrency(message.value);
      return undefined;
    case 'ferry:set-language':
      // Every page says it on opening: write only a change.
      if ((await store.settings()).language !== message.value) await store.updateSettings({ language: message.value });
      return undefined;
    case 'ferry:set-digests':
      await store.updateSettings({ digests: message.value });
      engine.setDigests(message.value);
      return undefined;
    case 'ferry:online':
      engine.wake();
      return undefined;
    case 'ferry:heartbeat':
      return undefined;
  }
}
