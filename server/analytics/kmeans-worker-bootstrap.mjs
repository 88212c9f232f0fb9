// Worker-thread entry of KmeansEngine (kmeans-engine.ts). The kernel is TypeScript, so this
// plain module loads it through tsx's programmatic loader (tsx is a runtime dependency): the
// worker runs the same kernel source as the calling thread, under tsx, vitest or the server.
import { tsImport } from "tsx/esm/api";

await tsImport("./kmeans-worker.ts", import.meta.url);
