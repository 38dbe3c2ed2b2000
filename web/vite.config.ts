import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The console is built into web/dist, which the server serves at / (src/api/console.routes.ts).
// `npm run dev:web` serves it with live reload and forwards API calls to a Steward on 127.0.0.1:4318.
export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 1200 },
  server: { proxy: { '/api': 'http://127.0.0.1:4318' } },
});
