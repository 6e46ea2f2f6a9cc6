/**
 * The demo store's whole story in Chromium, as the README's tour tells it: `serve --demo` has set
 * up the member-points preset (source 002) on a sandbox store; an order earns points that stay
 * pending until 3 days after delivery, and the Test clock screen moves time on to see them mature;
 * staff add points; the shop's checkout redeems through the API; the clock moves past December 31
 * of the following year and the points expire, on the member's screen and on the dashboard; and
 * `pointbook verify` finds every balance derivable from its entries after it all.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { backOfficeSuite, openScreen, screenshot, signIn, STORE_ZONE } from "./back-office.ts";

interface Member { balance: number; pending: number; held: number; expiring: Array<{ expiresAt: string; points: number }> }

const yearIn = (d: Date) => Number(new Intl.DateTimeFormat("en-US", { timeZone: STORE_ZONE, year: "numeric" }).format(d));
/** `YYYY-MM-DDTHH:mm` in the store's zone (the browser's zone in these tests), as a datetime-local field takes it. */
function localInput(d: Date): string {
  const parts = Object.fromEntries(new Intl.DateTimeFormat("en-CA", { timeZone: STORE_ZONE, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" })
    .formatToParts(d).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`;
}

describe("back office: the demo store's story on the test clock", () => {
  const bo = backOfficeSuite("story");
  let page: Page;
  let now: Date;

  beforeAll(async () => {
    now = new Date((await bo.api.get<{ store: { clock: string } }>("/v1/session")).store.clock);
  });

  /** Each test in a tab of its own (the suite closes them after each test), signed in as the demo admin. */
  async function signedIn(): Promise<void> {
    page = await bo.newPage();
    await signIn(page, bo.base, bo.adminKey);
  }

  /** Members → search → the member's screen, as staff get there. */
  async function openMember(memberId: string): Promise<void> {
    await openScreen(page, "Members");
    await page.getByLabel(/Find a member/).fill(memberId);
    await page.getByRole("button", { name: "Search" }).click();
    await page.getByRole("link", { name: memberId, exact: true }).click();
    await page.getByRole("heading", { name: `Member ${memberId}` }).waitFor();
    await page.locator('[data-stat="balance"]').waitFor();
  }
  const stat = (name: string) => page.locator(`[data-stat="${name}"]`).innerText();
  const activity = () => page.getByRole("table", { name: "Activity" });

  it("an order earns points that are pending until 3 days after delivery, and mature when the test clock moves 7 days on", async () => {
    // The shop reports a delivered order: 5 × $50 of tea, $250 subtotal → 25 points (source 002: $10 = 1 point).
    const at = now.toISOString();
    await bo.api.put("/v1/orders/1001", { memberId: "alice", lines: [{ sku: "tea", quantity: 5, amount: 25_000 }], placedAt: at, paidAt: at, deliveredAt: at });

    await signedIn();
    await openMember("alice");
    await expect.poll(() => stat("pending")).toBe("25");
    expect(await stat("balance")).toBe("0");
    const pending = activity().locator('tr[data-entry-type="pending"]');
    // The award explains itself: the rule and the amount it counted.
    await expect.poll(() => pending.innerText()).toContain("Points on orders");
    expect(await pending.locator('[data-label="Points"]').innerText()).toBe("+25");

    await openScreen(page, "Test clock");
    const before = await page.locator(".topbar .sandbox").innerText();
    await page.getByRole("button", { name: "+7 days" }).click();
    await page.getByRole("status").getByText(/^Done: 1 awards matured/).waitFor();
    // The store's clock in the top bar moved with it.
    await expect.poll(() => page.locator(".topbar .sandbox").innerText()).not.toBe(before);

    await openMember("alice");
    await expect.poll(() => stat("balance")).toBe("25");
    expect(await stat("pending")).toBe("0");
    await activity().locator('tr[data-entry-type="mature"]').waitFor();
    // Credited 3 days after delivery, the points last until December 31 of the following year.
    const expiresYear = yearIn(new Date(now.getTime() + 3 * 86_400_000)) + 1;
    const schedule = page.getByRole("table", { name: "Expiry schedule" });
    await expect.poll(() => schedule.innerText()).toContain(`Dec 31, ${expiresYear}`);
    expect((await bo.api.get<Member>("/v1/members/alice")).expiring).toEqual([{ expiresAt: expect.stringMatching(new RegExp(`^${expiresYear + 1}-01-01T0[45]:`)), points: 25 }]);
  });

  it("staff add 500 points with a reason and an email to the member; the activity shows both and who did it", async () => {
    // The shop tells Pointbook alice's email when she registers; [Send email] needs it.
    await bo.api.put("/v1/members/alice", { email: "alice@example.com" });
    const me = await bo.api.get<{ key: { id: string } }>("/v1/session");
    await signedIn();
    await openMember("alice");
    const form = page.getByRole("form", { name: "Adjust points" });
    await form.getByLabel("Points (negative to deduct)").fill("500");
    await form.getByLabel("Reason (shown to the member)").fill("Welcome gift");
    await form.getByLabel("Send email").check();
    await form.getByRole("button", { name: "Apply" }).click();
    await page.getByText("Added 500 points. Balance now 525.").waitFor();
    const entry = activity().locator('tr[data-entry-type="adjust"]').first();
    await expect.poll(() => entry.locator('[data-label="Reason"]').innerText()).toBe("Welcome gift");
    expect(await entry.locator('[data-label="By"]').innerText()).toBe(`${me.key.id} (you)`);
    await expect.poll(async () => (await bo.api.get<{ data: Array<{ scenario: string; channel: string }> }>("/v1/members/alice/notifications")).data, { timeout: 10_000 })
      .toContainEqual(expect.objectContaining({ scenario: "pointsAdjusted", channel: "email" }));
  });

  it("the shop's checkout redeems 500 points through the API, held then captured; the member's screen shows the spend", async () => {
    const cart = { lines: [{ sku: "pot", quantity: 1, amount: 30_000 }] };
    // $300 cart: the $50 maximum discount caps it at 500 points (10 points = $1).
    const quote = await bo.api.post<{ balance: number; maxPoints: number; maxDiscount: number }>("/v1/checkout/quote", { memberId: "alice", ...cart });
    expect(quote).toMatchObject({ balance: 525, maxPoints: 500, maxDiscount: 5_000 });
    const methods = await bo.api.get<{ data: Array<{ id: string; type: string }> }>("/v1/redeem-methods");
    const cashback = methods.data.find((m) => m.type === "cashback")!;
    const held = await bo.api.post<{ id: string; status: string; points: number; discount: number }>("/v1/redemptions", { memberId: "alice", methodId: cashback.id, points: 500, orderId: "1002", cart });
    expect(held).toMatchObject({ status: "held", points: 500, discount: 5_000 });

    await signedIn();
    await openMember("alice");
    await expect.poll(() => stat("held")).toBe("500");
    expect(await stat("balance")).toBe("25");

    expect(await bo.api.post<{ status: string }>(`/v1/redemptions/${held.id}/capture`)).toMatchObject({ status: "completed" });
    await page.reload();
    await expect.poll(() => stat("held")).toBe("0");
    expect(await stat("balance")).toBe("25");
    await activity().locator('tr[data-entry-type="capture"]').waitFor();
    await screenshot(page, "member");

    await openScreen(page, "Dashboard");
    await expect.poll(() => page.locator('[data-stat="redeemed"]').innerText()).toBe("500");
    expect(await page.locator('[data-stat="outstanding"]').innerText()).toBe("25");
    // What the 25 points left are worth at checkout, at the cashback rate (10 points = $1).
    expect(await page.getByText("worth $2.50 at checkout").count()).toBe(1);
    await screenshot(page, "dashboard");
  });

  it("past December 31 of the following year the points expire: the member's balance drops and the dashboard counts them in that month", async () => {
    const alice = await bo.api.get<Member>("/v1/members/alice");
    expect(alice.expiring).toHaveLength(1);
    const expiresAt = new Date(alice.expiring[0]!.expiresAt);
    const expiryMonth = new Intl.DateTimeFormat("en-CA", { timeZone: STORE_ZONE, year: "numeric", month: "2-digit" }).format(expiresAt).slice(0, 7);

    await signedIn();
    await openScreen(page, "Test clock");
    // The morning after, typed into the date field (the browser is in the store's zone).
    await page.getByLabel("Move to (in your browser's time zone)").fill(localInput(new Date(expiresAt.getTime() + 9 * 3_600_000)));
    await page.getByRole("button", { name: "Advance" }).click();
    await page.getByRole("status").getByText(/^Done: .* 1 lots expired/).waitFor();

    await openMember("alice");
    await expect.poll(() => stat("balance")).toBe("0");
    const expired = activity().locator('tr[data-entry-type="expire"]');
    await expect.poll(() => expired.locator('[data-label="Points"]').allInnerTexts()).toEqual(["-25"]);
    await page.getByText("No points are due to expire.").waitFor();

    await openScreen(page, "Dashboard");
    const month = page.getByRole("row", { name: new RegExp(`^${expiryMonth}\\b`) });
    // Month, issued, redeemed, expired, …: the expiry is in the month the points expired.
    await expect.poll(async () => (await month.locator("td").allInnerTexts())[2]).toBe("25");
    await expect.poll(() => page.locator('[data-stat="outstanding"]').innerText()).toBe("0");
  });

  it("after it all, pointbook verify derives every balance from its entries and lots", async () => {
    await bo.stopServer();
    const { stdout } = await promisify(execFile)(process.execPath, ["bin/pointbook.js", "verify"], { cwd: process.cwd(), env: { ...process.env, ...bo.env, LOG_LEVEL: "warn" } });
    expect(stdout).toMatch(/: 0 discrepancies\n$/);
  });
});
