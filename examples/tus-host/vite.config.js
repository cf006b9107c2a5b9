import { defineConfig } from 'vite';

// Two pages and the service worker. The worker keeps its name (it is registered by URL) and is an
// ES module: it is registered with { type: 'module' }.
export default defineConfig({
  build: {
    rollupOptions: {
      input: { main: 'index.html', element: 'element.html', sw: 'src/sw.js' },
      output: { entryFileNames: (chunk) => (chunk.name === 'sw' ? 'sw.js' : 'assets/[name]-[hash].js') },
    },
  },
});
