import type { FastifyInstance, FastifyReply } from "fastify";
import { webBundle } from "../web-bundle.ts";

/** Same-origin only: the back office loads nothing from elsewhere and may not be framed. */
const CSP = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Pointbook back office</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/admin/app.css">
</head>
<body>
<div id="app"><noscript>The back office needs JavaScript.</noscript></div>
<script type="module" src="/admin/app.js"></script>
</body>
</html>
`;

const hidden = { schema: { hide: true }, config: { role: "none" as const } };

function page(reply: FastifyReply, type: string, body: string): FastifyReply {
  return reply.header("content-type", type).header("content-security-policy", CSP).header("x-content-type-options", "nosniff").header("cache-control", "no-cache").send(body);
}

/** The back office (SPEC §5) at /admin: one page, its script and its styles, all served by this server. */
export function registerAdminRoutes(app: FastifyInstance): void {
  app.get("/admin", hidden, async (_request, reply) => page(reply, "text/html; charset=utf-8", PAGE));
  app.get("/admin/", hidden, async (_request, reply) => page(reply, "text/html; charset=utf-8", PAGE));
  app.get("/admin/app.js", hidden, async (_request, reply) => page(reply, "text/javascript; charset=utf-8", (await webBundle("admin/main.tsx")).js));
  app.get("/admin/app.css", hidden, async (_request, reply) => page(reply, "text/css; charset=utf-8", (await webBundle("admin/main.tsx")).css));
}
