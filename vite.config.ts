import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

// The renderer is built to build/renderer and loaded from there by both Electron (custom
// tessera-app:// protocol) and the web host, so asset URLs are relative.
export default defineConfig({
  root: here('./renderer'),
  base: './',
  plugins: [react()],
  build: {
    outDir: here('./build/renderer'),
    emptyOutDir: true,
    target: 'chrome130',
    sourcemap: true,
  },
});
