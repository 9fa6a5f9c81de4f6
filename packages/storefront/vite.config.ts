import { defineConfig } from 'vite';

// The storefront's bundle: one page, served by the shop at / (same origin as its API).
export default defineConfig({
  root: 'src/web',
  base: '/',
  build: { outDir: '../../dist/web', emptyOutDir: true, sourcemap: true, target: 'es2022' },
});
