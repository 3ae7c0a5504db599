import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// `npm run dev -w packages/web` proxies the API to a `nightshift up` on the default port.
export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true },
  server: {
    proxy: { '/api': { target: 'http://127.0.0.1:7070', ws: true } },
  },
});
