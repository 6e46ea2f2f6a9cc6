import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A merchant's website for the member-centre tests: a plain node:http server on a port of its own,
 * so its pages are another origin than Pointbook's, as on a real shop. The same server answers as
 * two origins: `origin` (http://127.0.0.1:PORT, which the tests list in allowedOrigins) and
 * `otherOrigin` (http://localhost:PORT, a different origin to the browser, which they never list).
 */
export interface Shop {
  /** http://127.0.0.1:PORT */
  readonly origin: string;
  /** http://localhost:PORT: the same pages from an origin the store does not allow. */
  readonly otherOrigin: string;
  /** Serves `html` at a new path and answers that path (e.g. /page-3). */
  page(html: string): string;
  close(): Promise<void>;
}

export async function startShop(): Promise<Shop> {
  const pages = new Map<string, string>();
  const server = createServer((request, response) => {
    const html = pages.get((request.url ?? "/").split("?")[0]!);
    if (!html) {
      response.writeHead(404, { "content-type": "text/plain" }).end("no such page");
      return;
    }
    response.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" }).end(html);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    otherOrigin: `http://localhost:${port}`,
    page(html) {
      const path = `/page-${pages.size + 1}`;
      pages.set(path, html);
      return path;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const escapeAttr = (value: string) => value.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");

/** An attribute list for an element: `{token: "…", lang: "en"}` → ` token="…" lang="en"`. */
export const attrs = (values: Record<string, string | undefined>) =>
  Object.entries(values)
    .filter((e): e is [string, string] => e[1] !== undefined)
    .map(([k, v]) => ` ${k}="${escapeAttr(v)}"`)
    .join("");

/**
 * A merchant's page embedding the widgets the way SPEC §5 tells a merchant to: the elements in the
 * page, then one `<script src="…/widget/pointbook.js">` from Pointbook. The page has CSS of its own
 * (fonts, colours, a styled button) as any shop does; `css` adds more. Every `pointbook-points`
 * event that reaches the document is kept in `window.pointsEvents`.
 */
export function merchantPage(options: { pointbook: string; title: string; main: string; css?: string; lang?: string }): string {
  return `<!doctype html>
<html lang="${options.lang ?? "en"}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${options.title} · Tea House</title>
<link rel="icon" href="data:,">
<style>
  body { margin: 0; font: 16px/1.5 Georgia, "Times New Roman", serif; background: #f7f3ec; color: #2b2118; }
  header { display: flex; align-items: center; justify-content: space-between; padding: 14px 28px; background: #3d2b1f; color: #f7f3ec; }
  header a { color: #f7f3ec; margin-left: 18px; text-decoration: none; }
  header strong { font-size: 1.25rem; letter-spacing: 0.04em; }
  main { max-width: 720px; margin: 0 auto; padding: 20px 24px 40px; }
  h1 { font-size: 1.6rem; font-weight: normal; margin: 8px 0 16px; }
  .cart { background: #fff; border: 1px solid #e2d8c8; padding: 12px 16px; margin-bottom: 16px; }
  .cart td { padding: 2px 16px 2px 0; }
  ${options.css ?? ""}
</style>
</head>
<body>
<header><strong>Tea House</strong><nav><a href="#shop">Shop</a><a href="#account">My account</a></nav></header>
<main>
<h1>${options.title}</h1>
${options.main}
</main>
<script>
  window.pointsEvents = [];
  document.addEventListener("pointbook-points", (event) => window.pointsEvents.push(event.detail));
</script>
<script src="${options.pointbook}/widget/pointbook.js"></script>
</body>
</html>
`;
}
