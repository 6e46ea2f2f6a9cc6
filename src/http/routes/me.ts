import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { quoteCheckout } from "../../services/checkout.ts";
import { inLanguage, memberCentre, myActivity, redeemForMember } from "../../services/member-centre.ts";
import type { HttpContext } from "../context.ts";
import { json, pageQuery, route } from "../openapi.ts";
import { redemptionView } from "../responses/redemptions.ts";
import { meQuoteView, meView, memberEntryPage } from "../responses/member-centre.ts";
import { parse } from "../validation.ts";
import { write } from "../write.ts";
import { cartSchema } from "./checkout.ts";

const TAGS = ["member centre"];
const ME_PATHS = ["/v1/me", "/v1/me/activity", "/v1/me/redemptions", "/v1/me/checkout/quote"];

const langQuery = z.object({ lang: z.string().min(2).max(20).regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, "a language tag such as en or zh-TW").optional() });
const redeemBody = z.object({ methodId: z.string().min(1).max(200) }).strict();
const quoteBody = cartSchema.extend({ channel: z.string().min(1).max(50).optional(), methodId: z.string().min(1).max(200).optional() }).strict();

function memberOf(request: FastifyRequest): { storeId: string; memberId: string } {
  if (!request.member) throw new Error(`route ${request.routeOptions.url} is not a member route`);
  return request.member;
}

/**
 * CORS for the member centre embedded on the merchant's pages (SPEC §3): an answer with member data
 * is readable by the origins the store's program allows; a refusal before the member is known
 * (a bad or expired token) by any origin, so the widget can say why instead of failing blind.
 */
async function allowOrigin(ctx: HttpContext, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const origin = request.headers.origin;
  if (!origin) return;
  reply.header("vary", "Origin");
  let allowed = !request.member;
  if (request.member) {
    const store = await (ctx.services.tx.read ?? ctx.services.tx.run)((repos) => repos.stores.get(request.member!.storeId));
    const origins = store?.program.allowedOrigins ?? [];
    allowed = origins.includes("*") || origins.includes(origin);
  }
  if (allowed) reply.header("access-control-allow-origin", origin).header("access-control-expose-headers", "idempotent-replayed, retry-after");
}

/** `/v1/me…`: the member's own points, history, rewards and checkout quote, with a member token. */
export async function registerMeRoutes(app: FastifyInstance, ctx: HttpContext): Promise<void> {
  await app.register(async (scope) => {
    scope.addHook("onSend", async (request, reply, payload) => {
      await allowOrigin(ctx, request, reply);
      return payload;
    });
    // Preflight carries no token, so it cannot name a store: it says what a real request may send,
    // and the real answer's CORS headers decide whether the page may read it.
    for (const path of ME_PATHS) {
      scope.options(path, { schema: { hide: true }, config: { role: "none" } }, async (request, reply) => {
        const origin = request.headers.origin;
        if (origin) {
          reply.header("access-control-allow-origin", origin).header("vary", "Origin")
            .header("access-control-allow-methods", "GET, POST").header("access-control-allow-headers", "authorization, content-type, idempotency-key")
            .header("access-control-max-age", "600");
        }
        return reply.code(204).send();
      });
    }

    scope.get("/v1/me", { ...route({
      operationId: "getMe", summary: "The member centre: balance, cash value, expiry, how to earn, rewards and history, in the member's language",
      tags: TAGS, role: "member", querystring: langQuery,
      responses: { 200: json("What the member centre shows", meView) },
    }) }, async (request) => {
      const { storeId, memberId } = memberOf(request);
      return memberCentre(ctx.services, storeId, memberId, parse(langQuery, request.query).lang);
    });

    scope.get("/v1/me/activity", { ...route({
      operationId: "getMyActivity", summary: "The member's own history, newest first", tags: TAGS, role: "member", querystring: pageQuery,
      responses: { 200: json("A page of the member's entries", memberEntryPage) },
    }) }, async (request) => {
      const { storeId, memberId } = memberOf(request);
      const q = parse(pageQuery, request.query);
      return myActivity(ctx.services, storeId, memberId, { limit: q.limit, cursor: q.cursor ?? null });
    });

    scope.post("/v1/me/redemptions", { ...route({
      operationId: "redeemMyReward", summary: "Redeem a catalogue item, coupon or product with the member's points", tags: TAGS, role: "member",
      body: redeemBody, idempotent: true,
      responses: { 201: json("The redemption", redemptionView) },
      errors: { 409: "Not enough points, or the program is disabled" },
    }) }, async (request, reply) => {
      const { storeId, memberId } = memberOf(request);
      const body = parse(redeemBody, request.body);
      return write(request, reply, ctx.services, { storeId, status: 201, run: (repos) => redeemForMember(repos, ctx.services, storeId, memberId, body.methodId) });
    });

    scope.post("/v1/me/checkout/quote", { ...route({
      operationId: "quoteMyCheckout", summary: "How many points the member can use on a cart, the most and why (the checkout widget)", tags: TAGS, role: "member",
      body: quoteBody,
      responses: { 200: json("The quote, with the store's currency and points name", meQuoteView) },
    }) }, async (request) => {
      const { storeId, memberId } = memberOf(request);
      const body = parse(quoteBody, request.body);
      const quote = await quoteCheckout(ctx.services, storeId, { ...body, memberId });
      const { store, method } = await ctx.services.tx.run(async (repos) => ({
        store: await repos.stores.get(storeId),
        method: quote.methodId ? await repos.redemptions.getMethod(storeId, quote.methodId) : null,
      }));
      const program = store!.program;
      const lang = parse(langQuery, request.query).lang ?? program.defaultLanguage;
      // The method's rate lets the widget offer whole steps and show the discount the server will give.
      const rate = method ? { points: Number(method.config.points), amount: Number(method.config.amount) } : null;
      return { ...quote, currency: store!.currency, pointsName: inLanguage(program.pointsName, lang, program.defaultLanguage) ?? "Points", rate };
    });
  });
}
