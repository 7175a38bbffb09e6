import { defineConfig } from "vite";
import { svelte } from "@sveltejs/vite-plugin-svelte";

// The same bundle is served by `callboard-server` (HTTP) and embedded by Tauri,
// so asset URLs are relative.
export default defineConfig({
  base: "./",
  plugins: [svelte()],
  clearScreen: false,
  server: {
    port: 5173,
    strictPort: true,
    // `npm run dev` against a running callboard-server (default 127.0.0.1:8787).
    proxy: {
      "/api": {
        target: process.env.CALLBOARD_API ?? "http://127.0.0.1:8787",
        changeOrigin: true,
      },
    },
  },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    chunkSizeWarningLimit: 1000,
  },
});
