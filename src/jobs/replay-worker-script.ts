import { build } from "esbuild";
import { fileURLToPath } from "node:url";

let script: Promise<URL> | null = null;

/**
 * The replay worker's code (replay-worker.ts and all it imports, zod and luxon included) as one
 * plain JavaScript module, bundled by esbuild the first time a simulation needs workers and kept
 * for the process's life. A worker started on the TypeScript sources resolved and loaded some two
 * hundred modules one by one through the TypeScript loader (a small store's simulation took about
 * 1.1 s, most of it that); one module of plain JavaScript, with no loader, starts in a fraction of
 * the time (0.5 s for that simulation), and the bundle takes about 0.2 s, once. Handed to the
 * worker as a data: URL, so nothing is written to disk.
 */
export function replayWorkerScript(): Promise<URL> {
  if (!script) {
    script = bundle();
    // A failed bundle is not kept: the next simulation tries again.
    script.catch(() => (script = null));
  }
  return script;
}

async function bundle(): Promise<URL> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL("./replay-worker.ts", import.meta.url))],
    bundle: true,
    write: false,
    platform: "node",
    format: "esm",
    target: "node20",
    outfile: "replay-worker.mjs",
    logLevel: "silent",
  });
  const code = result.outputFiles[0]!.contents;
  return new URL(`data:text/javascript;base64,${Buffer.from(code).toString("base64")}`);
}
