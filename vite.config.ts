import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The renderer is built to build/renderer and loaded from there by both Electron (custom
// tessera-app:// protocol) and the web host, so asset URLs are relative.
export default defineConfig({
  root: 'renderer',
  base: './',
  plugins: [react()],
  build: {
    outDir: '../build/renderer',
    emptyOutDir: true,
    target: 'chrome130',
    sourcemap: true,
  },
});
