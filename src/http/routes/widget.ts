import type { FastifyInstance } from "fastify";
import { webBundle } from "../web-bundle.ts";

const hidden = { schema: { hide: true }, config: { role: "none" as const } };

/** The standalone member centre: the widget on a page of its own, the token in the URL's fragment. */
const MEMBER_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Your points</title>
<link rel="icon" href="data:,">
<style>body { margin: 0; padding: 16px; background: #f6f7f9; } main { max-width: 640px; margin: 0 auto; }</style>
</head>
<body>
<main><pointbook-member-center token-from-hash></pointbook-member-center></main>
<script src="/widget/pointbook.js"></script>
</body>
</html>
`;

/**
 * The member centre's one script (SPEC §5), for any page of any origin, and its standalone page
 * at /member#token=…&lang=…. A script tag needs no CORS; the script's calls to /v1/me do.
 */
export function registerWidgetRoutes(app: FastifyInstance): void {
  app.get("/widget/pointbook.js", hidden, async (_request, reply) => {
    const { js } = await webBundle("widget/pointbook.ts", "iife");
    return reply.header("content-type", "text/javascript; charset=utf-8").header("cache-control", "public, max-age=300").header("x-content-type-options", "nosniff").send(js);
  });
  app.get("/member", hidden, async (_request, reply) =>
    reply.header("content-type", "text/html; charset=utf-8")
      .header("content-security-policy", "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'")
      .header("referrer-policy", "no-referrer").header("cache-control", "no-cache").send(MEMBER_PAGE));
}
