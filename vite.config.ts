import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  root: 'src-renderer',
  base: './',
  plugins: [react()],
  // The renderer is loaded from local disk (app:// or loopback), never over a slow network, so one
  // ~500 kB chunk costs nothing worth splitting for.
  build: { outDir: '../dist/renderer', emptyOutDir: true, sourcemap: true, chunkSizeWarningLimit: 800 },
});
