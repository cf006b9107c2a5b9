import { defineConfig } from 'vite';

// The page, and the worker under its own name (registered by URL, as an ES module).
export default defineConfig({
  build: {
    rollupOptions: {
      input: { main: 'index.html', worker: 'src/worker.js' },
      output: { entryFileNames: (chunk) => (chunk.name === 'worker' ? 'worker.js' : 'assets/[name]-[hash].js') },
    },
  },
});
