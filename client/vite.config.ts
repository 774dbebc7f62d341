import { defineConfig } from 'vite';

// Relative asset paths: the built page works from any folder or origin it is served from.
export default defineConfig({
  base: './',
  build: { target: 'es2022', sourcemap: true },
});
