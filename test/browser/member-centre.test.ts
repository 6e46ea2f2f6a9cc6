/**
 * The member centre in Chromium (SPEC §5, source 002 "what the member centre shows"): the widgets
 * embedded on a merchant's page of another origin, as a member sees them — points held in the
 * program's own name, cash equivalent, expiry dates, rules and history; rewards to redeem; at
 * checkout the points a cart can use and why not; in English and Traditional Chinese; with a token
 * that has expired or is not valid; from an origin the store does not allow; themed by the page and
 * untouched by its CSS; as the standalone page; from the keyboard.
 */
import { decodeJwt, SignJWT } from "jose";
import type { Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiClient, backOfficeSuite, screenshot, STORE_ZONE, type ApiClient } from "./back-office.ts";
import { attrs, merchantPage, startShop, type Shop } from "./member-centre-shop.ts";

const NAMES = { en: "Leaves", "zh-TW": "茶葉點" };
const RULES = {
  en: "Earn 1 leaf for every $10 you spend. Leaves arrive 3 days after your order is collected and last until December 31 of the next year.\nUse 10 leaves for $1 off orders over $200.",
  "zh-TW": "每消費 10 元可得 1 點茶葉點，訂單取貨後 3 天入帳，有效至隔年 12 月 31 日。\n訂單滿 200 元可使用，每 10 點折抵 1 元。",
};

interface MemberView { balance: number; expiring: Array<{ expiresAt: string; points: number }> }

/** A date as the member centre shows it: the member's language, the store's zone. */
const day = (iso: string, lang: string) => new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeZone: STORE_ZONE }).format(new Date(iso));

describe("member centre in Chromium, embedded on a merchant's page", () => {
  const pb = backOfficeSuite("member-centre");
  let shop: Shop;
  let manager: ApiClient;
  let storeId: string;
  let sampler: string;
  let cashback: string;

  beforeAll(async () => {
    shop = await startShop();
    manager = apiClient(pb.base, (await pb.keyFor("points_manager", "shop backend")).key);
    await pb.api.patch("/v1/program", { pointsName: NAMES, rulesText: RULES, allowedOrigins: [shop.origin] });
    sampler = (await pb.api.post<{ id: string }>("/v1/redeem-methods", { type: "catalog", name: "Tea sampler", description: "Five teas to try", points: 300, grant: { sku: "sampler", units: 1 } })).id;
    await pb.api.post("/v1/redeem-methods", { type: "catalog", name: "Cast-iron teapot", points: 5_000, grant: { sku: "teapot", units: 1 } });
    const methods = await pb.api.get<{ data: Array<{ id: string; type: string }> }>("/v1/redeem-methods");
    cashback = methods.data.find((m) => m.type === "cashback")!.id;

    // Mei's points, as source 002 makes them: an order earns 1 point per $10 three days after it is
    // collected (the sandbox clock is moved past that), and the merchant adds points with a reason.
    const now = new Date().toISOString();
    await pb.api.post("/v1/clock/advance", { to: now });
    const order = await manager.put<{ points: { pending: number } }>("/v1/orders/TH-1001", {
      memberId: "mei", channel: "online", currency: "USD", lines: [{ sku: "oolong-tin", quantity: 2, amount: 250_000 }],
      status: "delivered", placedAt: now, paidAt: now, deliveredAt: now,
    });
    expect(order.points.pending).toBe(250);
    await manager.post("/v1/members/mei/adjustments", { points: 500, reason: "Birthday gift" });
    const ran = await pb.api.post<{ ran: { matured: number } }>("/v1/clock/advance", { to: new Date(Date.parse(now) + 4 * 86_400_000).toISOString() });
    expect(ran.ran.matured).toBe(1);
    storeId = decodeJwt(await tokenFor("mei")).iss!;
  });

  afterAll(async () => {
    await shop?.close();
  });

  /** What the merchant's backend does for a signed-in member: asks Pointbook for a token. */
  async function tokenFor(memberId: string, ttlSeconds = 600): Promise<string> {
    return (await manager.post<{ token: string }>("/v1/member-tokens", { memberId, ttlSeconds })).token;
  }

  /** A member with `points`, given by the merchant (a fresh id per test, so tests never share a balance). */
  async function memberWith(memberId: string, points: number): Promise<string> {
    await manager.post(`/v1/members/${memberId}/adjustments`, { points, reason: "Welcome to Tea House" });
    return tokenFor(memberId);
  }

  /** Opens a merchant page holding `main` (from the allowed origin unless told otherwise). */
  async function openShopPage(main: string, options: { title?: string; css?: string; origin?: string; onPage?: (page: Page) => void } = {}): Promise<Page> {
    const path = shop.page(merchantPage({ pointbook: pb.base, title: options.title ?? "My points", main, ...(options.css ? { css: options.css } : {}) }));
    const page = await pb.newPage({ width: 900, height: 640 });
    options.onPage?.(page);
    await page.goto(`${options.origin ?? shop.origin}${path}`);
    return page;
  }

  const memberCentre = (page: Page) => page.locator("pointbook-member-center");
  const text = async (locator: Locator) => (await locator.innerText()).replace(/\s+/g, " ").trim();
  /** The rows of a list in the widget, each as its visible text on one line. */
  const rows = async (list: Locator) => (await list.locator("li").allInnerTexts()).map((r) => r.replace(/\s+/g, " ").trim());

  it("shows the balance in the program's name, its cash value, the expiry dates, the rules and the history", async () => {
    const page = await openShopPage(`<pointbook-member-center${attrs({ token: await tokenFor("mei"), lang: "en" })}></pointbook-member-center>`);
    const widget = memberCentre(page);
    // Shadow-piercing CSS: everything below is inside the element's shadow root.
    expect(await text(widget.locator("[data-balance]"))).toBe("750 Leaves");
    // 10 leaves = $1 at checkout (the preset's cashback method), labelled as what they are worth there.
    expect(await text(widget.locator(".figure").filter({ has: page.locator("[data-cash]") }))).toBe("Worth at checkout $75.00");

    const mei = await pb.api.get<MemberView>("/v1/members/mei");
    expect(mei.balance).toBe(750);
    expect(await rows(widget.locator("[data-expiring]"))).toEqual(mei.expiring.map((x) => `${day(x.expiresAt, "en")} ${x.points} Leaves`));
    expect(mei.expiring.some((x) => day(x.expiresAt, "en").startsWith("Dec 31,"))).toBe(true);

    expect(await widget.locator("[data-rules]").innerText()).toBe(RULES.en);
    expect(await text(widget.getByRole("heading", { name: "How to earn and use" }))).toBe("How to earn and use");

    // Newest first: the order's points becoming available, the gift with its reason, the order's pending points.
    const history = await rows(widget.locator("[data-history]"));
    expect(history).toHaveLength(3);
    expect(history[0]).toMatch(/^Now available .* \+250$/);
    expect(history[1]).toMatch(/^Birthday gift .* \+500$/);
    // Pending points are not in the balance: marked so, and not in the colour of points gained.
    expect(history[2]).toMatch(/^Points on orders .* · Pending \+250$/);
    const colour = (l: Locator) => l.evaluate((el) => getComputedStyle(el).color);
    const [gained, pending] = [widget.locator("[data-history] li").nth(1).locator(".num"), widget.locator("[data-history] li").nth(2).locator(".num")];
    expect(await colour(pending)).not.toBe(await colour(gained));
    // Rewards the member has points for, and one they do not.
    expect(await widget.getByRole("button", { name: "Redeem: Tea sampler" }).isEnabled()).toBe(true);
    expect(await widget.getByRole("button", { name: "Redeem: Cast-iron teapot" }).isDisabled()).toBe(true);
    await screenshot(page, "member-centre-en");
  });

  it("switches to Traditional Chinese when the page changes its lang attribute: the program's texts and the widget's words", async () => {
    const page = await openShopPage(`<pointbook-member-center${attrs({ token: await tokenFor("mei"), lang: "en" })}></pointbook-member-center>`);
    const widget = memberCentre(page);
    expect(await text(widget.locator("[data-balance]"))).toBe("750 Leaves");
    await widget.evaluate((el) => el.setAttribute("lang", "zh-TW"));
    await expect.poll(() => text(widget.locator("[data-balance]"))).toBe("750 茶葉點");
    expect(await widget.locator("[data-rules]").innerText()).toBe(RULES["zh-TW"]);
    for (const heading of ["即將到期", "點數取得與使用方式", "可兌換項目", "點數紀錄"]) await widget.getByRole("heading", { name: heading }).waitFor();
    expect(await text(widget.getByText("點數餘額"))).toBe("點數餘額");
    expect(await text(widget.getByText("可折抵金額"))).toBe("可折抵金額");
    const mei = await pb.api.get<MemberView>("/v1/members/mei");
    expect(await rows(widget.locator("[data-expiring]"))).toEqual(mei.expiring.map((x) => `${day(x.expiresAt, "zh-TW")} ${x.points} 茶葉點`));
    expect((await rows(widget.locator("[data-history]")))[0]).toMatch(/^已入帳 .* \+250$/);
    await widget.getByRole("button", { name: "兌換: Tea sampler" }).waitFor();
    await screenshot(page, "member-centre-zh-TW");
  });

  it("an answer that arrives late never overwrites a newer one: switched to zh-TW and back to en, it stays in English", async () => {
    const page = await openShopPage(`<pointbook-member-center${attrs({ token: await tokenFor("mei"), lang: "en" })}></pointbook-member-center>`);
    const widget = memberCentre(page);
    expect(await text(widget.locator("[data-balance]"))).toBe("750 Leaves");
    // The Chinese answer is held back until the English one asked after it has been shown.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route((url) => url.pathname === "/v1/me" && url.searchParams.get("lang") === "zh-TW", async (route) => {
      await held;
      await route.continue();
    });
    const late = page.waitForResponse((r) => r.url().includes("lang=zh-TW"));
    await widget.evaluate((el) => el.setAttribute("lang", "zh-TW"));
    await widget.evaluate((el) => el.setAttribute("lang", "en"));
    await expect.poll(() => text(widget.locator("[data-balance]"))).toBe("750 Leaves");
    release();
    await late;
    // Give the late answer the moment it would need to be shown (a few frames), then look again.
    await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 100)));
    expect(await text(widget.locator("[data-balance]"))).toBe("750 Leaves");
    expect(await text(widget.locator("[data-rules]"))).toBe(RULES.en.replace(/\s+/g, " "));
  });

  it("redeems a catalogue item with its Redeem button: the balance drops by its points and the history shows it; a reward too dear is disabled", async () => {
    const page = await openShopPage(`<pointbook-member-center${attrs({ token: await memberWith("ken", 1_000), lang: "en" })}></pointbook-member-center>`);
    const widget = memberCentre(page);
    expect(await text(widget.locator("[data-balance]"))).toBe("1,000 Leaves");
    const teapot = widget.getByRole("button", { name: "Redeem: Cast-iron teapot" });
    expect(await teapot.isDisabled()).toBe(true);
    expect(await teapot.getAttribute("title")).toBe("5,000 Leaves needed");

    await widget.getByRole("button", { name: "Redeem: Tea sampler" }).click();
    await expect.poll(() => text(widget.getByRole("status"))).toBe("Redeemed: Tea sampler.");
    await expect.poll(() => text(widget.locator("[data-balance]"))).toBe("700 Leaves");
    expect((await rows(widget.locator("[data-history]")))[0]).toMatch(/^Tea sampler .* -300$/);
    expect(await teapot.isDisabled()).toBe(true);

    // The ledger agrees: 300 points spent, one sampler granted.
    expect((await pb.api.get<MemberView>("/v1/members/ken")).balance).toBe(700);
    const granted = await pb.api.get<{ data: Array<{ sku: string; units: number }> }>("/v1/members/ken/entitlements");
    expect(granted.data).toEqual([expect.objectContaining({ sku: "sampler", units: 1 })]);
  });

  it("says the session has expired for an expired token, and that the link is not valid for a garbage one, never a blank box", async () => {
    const { secret } = await pb.api.post<{ secret: string }>("/v1/member-token-secret/rotate");
    const iat = Math.floor(Date.now() / 1000) - 7_200;
    // What a merchant's backend signs with the store's secret (SPEC §3), an hour past its expiry.
    const expired = await new SignJWT({}).setProtectedHeader({ alg: "HS256", typ: "JWT" }).setIssuer(storeId).setSubject("mei")
      .setIssuedAt(iat).setExpirationTime(iat + 3_600).sign(new TextEncoder().encode(secret));
    const page = await openShopPage(`<pointbook-member-center${attrs({ token: expired, lang: "en" })}></pointbook-member-center>`, { title: "My points" });
    const widget = memberCentre(page);
    expect(await text(widget.getByRole("alert"))).toBe("Your session has expired. Please sign in again to see your points.");
    expect(await widget.locator("[data-balance]").count()).toBe(0);
    await screenshot(page, "member-centre-expired");

    await widget.evaluate((el) => el.setAttribute("lang", "zh-TW"));
    await expect.poll(() => text(widget.getByRole("alert"))).toBe("登入已逾時，請重新登入以查看您的點數。");

    await widget.evaluate((el) => el.setAttribute("token", "garbage"));
    await widget.evaluate((el) => el.setAttribute("lang", "en"));
    await expect.poll(() => text(widget.getByRole("alert"))).toBe("This link is not valid. Please sign in again to see your points.");
    // A token signed with a secret that is not the store's: not valid either.
    const forged = await new SignJWT({}).setProtectedHeader({ alg: "HS256" }).setIssuer(storeId).setSubject("mei")
      .setIssuedAt().setExpirationTime("10m").sign(new TextEncoder().encode("not the store's secret"));
    await widget.evaluate((el, token) => el.setAttribute("token", token), forged);
    await expect.poll(() => text(widget.getByRole("alert"))).toBe("This link is not valid. Please sign in again to see your points.");

    // A token the merchant signs with the new secret opens the centre: the expired one failed for its expiry alone.
    const fresh = await new SignJWT({}).setProtectedHeader({ alg: "HS256" }).setIssuer(storeId).setSubject("mei")
      .setIssuedAt().setExpirationTime("10m").sign(new TextEncoder().encode(secret));
    await widget.evaluate((el, token) => el.setAttribute("token", token), fresh);
    await expect.poll(() => text(widget.locator("[data-balance]"))).toBe("750 Leaves");
    expect(await widget.getByRole("alert").count()).toBe(0);
  });

  it("checkout: the most a cart can use and why none, in the member's language; Apply announces the chosen points to the page", async () => {
    const token = await tokenFor("mei");
    const cart = { lines: [{ sku: "oolong-tin", quantity: 2, amount: 30_000 }] };
    const page = await openShopPage(
      `<table class="cart"><tr><td>Oolong, 2 tins</td><td>$300.00</td></tr></table>
       <pointbook-checkout-points${attrs({ token, lang: "en", cart: JSON.stringify(cart) })}></pointbook-checkout-points>`,
      { title: "Checkout" },
    );
    const widget = page.locator("pointbook-checkout-points");
    // 750 leaves, but at most $50 off an order: 500 leaves.
    expect(await text(widget.locator("[data-available]"))).toBe("You have 750 Leaves.");
    expect(await text(widget.locator("[data-max]"))).toBe("Up to 500 Leaves ($50.00 off) can be used on this order.");
    await widget.getByRole("heading", { name: "Use your Leaves" }).waitFor();
    const input = widget.getByLabel("Leaves to use");
    expect(await input.inputValue()).toBe("500");
    await input.fill("250");
    await widget.getByRole("button", { name: "Apply" }).click();
    await expect.poll(() => page.evaluate(() => (window as unknown as { pointsEvents: unknown[] }).pointsEvents)).toEqual([{ points: 250, discount: 2_500, methodId: cashback }]);
    expect(await text(widget.getByRole("status"))).toBe("250 Leaves will take $25.00 off.");
    await screenshot(page, "checkout-points");

    // The page's checkout changes the cart through the element's property: below the $200 minimum.
    await widget.evaluate((el) => {
      (el as HTMLElement & { cart: unknown }).cart = { lines: [{ sku: "oolong-tin", quantity: 1, amount: 15_000 }] };
    });
    await expect.poll(() => text(widget.locator("[data-reason]"))).toBe("This order is below the minimum for using points.");
    expect(await widget.getByRole("button", { name: "Apply" }).count()).toBe(0);
    await widget.evaluate((el) => el.setAttribute("lang", "zh-TW"));
    await expect.poll(() => text(widget.locator("[data-reason]"))).toBe("本筆訂單金額未達使用點數的最低門檻。");
    await expect.poll(() => text(widget.locator("[data-available]"))).toBe("您目前有 750 茶葉點。");
    await widget.getByRole("heading", { name: "使用茶葉點" }).waitFor();
  });

  it("checkout: a member with fewer points than the cap uses them in the method's steps (10 points = $1), all of them with one click", async () => {
    const token = await memberWith("lin", 455);
    const page = await openShopPage(`<pointbook-checkout-points${attrs({ token, lang: "en", cart: JSON.stringify({ lines: [{ sku: "oolong-tin", quantity: 1, amount: 30_000 }] }) })}></pointbook-checkout-points>`, { title: "Checkout" });
    const widget = page.locator("pointbook-checkout-points");
    expect(await text(widget.locator("[data-max]"))).toBe("Up to 450 Leaves ($45.00 off) can be used on this order.");
    await widget.getByRole("button", { name: "Apply" }).click();
    await expect.poll(() => page.evaluate(() => (window as unknown as { pointsEvents: unknown[] }).pointsEvents)).toEqual([{ points: 450, discount: 4_500, methodId: cashback }]);
  });

  it("a page whose origin the store does not allow cannot read the member's data: the widget shows an error, not the balance", async () => {
    const token = await tokenFor("mei");
    const messages: string[] = [];
    const page = await openShopPage(`<pointbook-member-center${attrs({ token, lang: "en" })}></pointbook-member-center>`, {
      origin: shop.otherOrigin, onPage: (p) => p.on("console", (m) => messages.push(m.text())),
    });
    const widget = memberCentre(page);
    expect(await text(widget.getByRole("alert"))).toBe("The points service could not be reached. Please try again.");
    expect(await widget.locator("[data-balance]").count()).toBe(0);
    expect(await page.locator("body").innerText()).not.toContain("750");
    // The browser refused the answer for its missing CORS header; the same token works from the allowed origin.
    expect(messages.join("\n")).toMatch(new RegExp(`from origin '${shop.otherOrigin}' has been blocked by CORS policy`));
    expect((await fetch(`${pb.base}/v1/me`, { headers: { authorization: `Bearer ${token}`, origin: shop.otherOrigin } })).headers.get("access-control-allow-origin")).toBeNull();
    const allowed = await openShopPage(`<pointbook-member-center${attrs({ token, lang: "en" })}></pointbook-member-center>`);
    expect(await text(memberCentre(allowed).locator("[data-balance]"))).toBe("750 Leaves");
  });

  it("takes the page's --pb-accent and none of the page's own CSS", async () => {
    const page = await openShopPage(
      `<button type="button" id="shop-button">Sign out</button>
       <pointbook-member-center style="--pb-accent: rgb(11, 122, 61)"${attrs({ token: await tokenFor("mei"), lang: "en" })}></pointbook-member-center>`,
      { css: "button { background: red !important; color: yellow !important; border-radius: 0 !important; } li { display: block !important; color: purple; }" },
    );
    const redeem = memberCentre(page).getByRole("button", { name: "Redeem: Tea sampler" });
    await redeem.waitFor();
    const style = (l: Locator) => l.evaluate((el) => { const s = getComputedStyle(el); return { background: s.backgroundColor, color: s.color, radius: s.borderTopLeftRadius }; });
    // The page's rule is live on the page's own button...
    expect(await style(page.locator("#shop-button"))).toEqual({ background: "rgb(255, 0, 0)", color: "rgb(255, 255, 0)", radius: "0px" });
    // ...and does not reach into the widget, which takes the accent the page gave it.
    expect(await style(redeem)).toEqual({ background: "rgb(11, 122, 61)", color: "rgb(255, 255, 255)", radius: "8px" });
    expect(await memberCentre(page).locator("[data-history] li").first().evaluate((el) => getComputedStyle(el).display)).toBe("flex");
  });

  it("the standalone page /member#token=…&lang=zh-TW shows the member centre", async () => {
    const token = await tokenFor("mei");
    const page = await pb.newPage({ width: 700, height: 900 });
    await page.goto(`${pb.base}/member#token=${encodeURIComponent(token)}&lang=zh-TW`);
    const widget = memberCentre(page);
    expect(await text(widget.locator("[data-balance]"))).toBe("750 茶葉點");
    expect(await widget.locator("[data-rules]").innerText()).toBe(RULES["zh-TW"]);
    await widget.getByRole("heading", { name: "點數紀錄" }).waitFor();
    // The fragment never reaches a server; changing it re-renders in the new language.
    await page.evaluate((t) => (location.hash = `token=${encodeURIComponent(t)}&lang=en`), token);
    await expect.poll(() => text(widget.locator("[data-balance]"))).toBe("750 Leaves");
  });

  it("is usable from the keyboard: named buttons, the Redeem button reached with Tab and pressed with Enter", async () => {
    const page = await openShopPage(`<pointbook-member-center${attrs({ token: await memberWith("ana", 1_000), lang: "en" })}></pointbook-member-center>`);
    const widget = memberCentre(page);
    await widget.locator("[data-balance]").waitFor();
    const buttons = widget.getByRole("button");
    expect(await buttons.count()).toBeGreaterThan(0);
    expect(await widget.getByRole("button", { name: /\S/ }).count()).toBe(await buttons.count());

    const redeem = widget.getByRole("button", { name: "Redeem: Tea sampler" });
    let reached = false;
    for (let i = 0; i < 20 && !reached; i++) {
      await page.keyboard.press("Tab");
      reached = await redeem.evaluate((el) => (el.getRootNode() as ShadowRoot).activeElement === el);
    }
    expect(reached, "Tab never reached the Redeem button").toBe(true);
    await page.keyboard.press("Enter");
    await expect.poll(() => text(widget.getByRole("status"))).toBe("Redeemed: Tea sampler.");
    await expect.poll(() => text(widget.locator("[data-balance]"))).toBe("700 Leaves");
    expect((await pb.api.get<MemberView>("/v1/members/ana")).balance).toBe(700);
  });
});
