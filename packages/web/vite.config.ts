import path from 'node:path';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// `npm run dev -w packages/web` proxies the API to a `nightshift up` on the default port.
export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  // The sources of the packages the UI imports, not their compiled dist/ (built for Node, maybe not built yet).
  resolve: {
    alias: Object.fromEntries(
      ['protocol', 'client'].map((name) => [
        `@nightshift/${name}`,
        path.resolve(import.meta.dirname, '..', name, 'src', 'index.ts'),
      ]),
    ),
  },
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true },
  server: {
    proxy: { '/api': { target: 'http://127.0.0.1:7070', ws: true } },
  },
});
