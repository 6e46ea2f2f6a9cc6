import { build } from "esbuild";
import { fileURLToPath } from "node:url";

export interface Bundle {
  js: string;
  css: string;
}

const built = new Map<string, Promise<Bundle>>();

/**
 * The browser code under `web/`, bundled by esbuild the first time it is asked for and kept in
 * memory: `npm install && npm start` serves the back office with no build step, no CDN and no
 * files written. A bundle takes a fraction of a second; every later request is a map look-up.
 */
export function webBundle(entry: string, format: "esm" | "iife" = "esm"): Promise<Bundle> {
  const id = `${format}:${entry}`;
  let bundle = built.get(id);
  if (!bundle) {
    bundle = bundleOnce(entry, format);
    built.set(id, bundle);
    // A failed build is not kept: the next request tries again (after the code is fixed).
    bundle.catch(() => built.delete(id));
  }
  return bundle;
}

/** `iife` for a classic `<script src>` a merchant drops on any page (it must know its own URL); `esm` otherwise. */
async function bundleOnce(entry: string, format: "esm" | "iife"): Promise<Bundle> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL(`../../web/${entry}`, import.meta.url))],
    bundle: true,
    write: false,
    outdir: "/",
    format,
    target: ["es2020"],
    jsx: "automatic",
    jsxImportSource: "preact",
    minify: true,
    legalComments: "none",
    logLevel: "silent",
  });
  const js = result.outputFiles.find((f) => f.path.endsWith(".js"))?.text ?? "";
  const css = result.outputFiles.find((f) => f.path.endsWith(".css"))?.text ?? "";
  return { js, css };
}
