/**
 * The program's settings in Chromium, as an admin changes them: the on/off switch, ways to earn and
 * to redeem (with the API's field errors shown at their fields), and the audit log that records it all.
 */
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { backOfficeSuite, openScreen, screenshot, signIn } from "./back-office.ts";

interface Rule { id: string; name: string; award: { type: string; points: number } }
interface Method { id: string; name: string; type: string; points: number }
interface Problem { errors?: Array<{ path: string; message: string }> }

describe("back office: program settings", () => {
  const bo = backOfficeSuite("settings");

  async function adminPage(): Promise<Page> {
    const page = await bo.newPage();
    await signIn(page, bo.base, bo.adminKey);
    return page;
  }

  /** What the API itself answers to a rule: the message the form must show. */
  async function refusal(body: unknown): Promise<Problem> {
    const res = await fetch(`${bo.base}/v1/earn-rules`, { method: "POST", headers: { authorization: `Bearer ${bo.adminKey}`, "content-type": "application/json" }, body: JSON.stringify(body) });
    expect(res.status).toBe(422);
    return (await res.json()) as Problem;
  }

  it("turns the program off, after confirming, and on again; the API agrees each time", async () => {
    const page = await adminPage();
    await openScreen(page, "Program");
    const status = page.locator("[data-program-status]");
    await expect.poll(() => status.innerText()).toMatch(/^The program is on/);

    await page.getByRole("button", { name: "Turn the program off" }).click();
    const dialog = page.getByRole("dialog", { name: "Turn the program off?" });
    await dialog.waitFor();
    // The focus is in the dialog, and Escape cancels it: nothing changes.
    await expect.poll(() => page.evaluate(() => !!document.activeElement?.closest("dialog[open]"))).toBe(true);
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "hidden" });
    expect((await bo.api.get<{ enabled: boolean }>("/v1/program")).enabled).toBe(true);

    await page.getByRole("button", { name: "Turn the program off" }).click();
    await dialog.getByRole("button", { name: "Turn off" }).click();
    await dialog.waitFor({ state: "hidden" });
    await expect.poll(() => status.innerText()).toMatch(/^The program is off/);
    expect((await bo.api.get<{ enabled: boolean }>("/v1/program")).enabled).toBe(false);

    await page.getByRole("button", { name: "Turn the program on" }).click();
    await expect.poll(() => status.innerText()).toMatch(/^The program is on/);
    expect((await bo.api.get<{ enabled: boolean }>("/v1/program")).enabled).toBe(true);
    // A reload reads the same state back from the server.
    await page.reload();
    await expect.poll(() => page.locator("[data-program-status]").innerText()).toMatch(/^The program is on/);
  });

  it("shows the API's refusal next to the field it names, and saves once the field is fixed", async () => {
    const page = await adminPage();
    await openScreen(page, "Ways to earn");
    await page.getByRole("button", { name: "Add a way to earn" }).click();
    const form = page.getByRole("form", { name: "Way to earn" });
    await form.getByRole("textbox", { name: "Name", exact: true }).fill("Product reviews");
    await form.getByRole("textbox", { name: "Event", exact: true }).fill("review.posted");
    await form.getByLabel("Award").selectOption("fixed");
    await form.getByLabel("Points", { exact: true }).fill("0");
    await form.getByRole("button", { name: "Add way to earn" }).click();

    const expected = await refusal({ name: "Product reviews", event: "review.posted", award: { type: "fixed", points: 0 } });
    const message = expected.errors?.find((e) => e.path === "award.points")?.message;
    expect(message, JSON.stringify(expected)).toBeTruthy();
    const pointsError = page.locator('[data-field="award.points"] .error');
    await expect.poll(() => pointsError.innerText()).toBe(message);
    // Only that field is marked, and the field says so to assistive technology.
    expect(await page.locator(".field.invalid").evaluateAll((els) => els.map((e) => e.getAttribute("data-field")))).toEqual(["award.points"]);
    expect(await form.getByLabel("Points", { exact: true }).getAttribute("aria-invalid")).toBe("true");
    await screenshot(page, "earn-rules-error");

    // Points per amount spent belong to orders: the API says so at the award's type.
    await form.getByLabel("Points", { exact: true }).fill("10");
    await form.getByLabel("Award").selectOption("per_amount");
    await form.getByRole("button", { name: "Add way to earn" }).click();
    const perAmount = await refusal({ name: "Product reviews", event: "review.posted", award: { type: "per_amount", points: 10, per: 100 } });
    const perAmountError = perAmount.errors?.find((e) => e.path === "award.type");
    expect(perAmountError, JSON.stringify(perAmount)).toBeTruthy();
    await expect.poll(() => page.locator('[data-field="award.type"] .error').innerText()).toBe(perAmountError!.message);
    expect(await page.locator('[data-field="award.points"] .error').count()).toBe(0);

    await form.getByLabel("Award").selectOption("fixed");
    await form.getByLabel("Points", { exact: true }).fill("10");
    await form.getByRole("button", { name: "Add way to earn" }).click();
    await form.waitFor({ state: "detached" });
    const row = page.getByRole("row", { name: /Product reviews/ });
    await expect.poll(() => row.innerText()).toMatch(/review\.posted\s+10 points\s+on\s+1/);
    const rules = await bo.api.get<{ data: Rule[] }>("/v1/earn-rules");
    expect(rules.data.find((r) => r.name === "Product reviews")).toMatchObject({ event: "review.posted", award: { type: "fixed", points: 10 } });
  });

  it("edits a way to redeem and deletes another after confirming", async () => {
    await bo.api.post("/v1/redeem-methods", { type: "coupon", name: "Free shipping code", points: 300, discount: { type: "free_shipping" }, channels: ["online"] });
    const page = await adminPage();
    await openScreen(page, "Ways to redeem");
    const cash = page.getByRole("row", { name: /Redeem to cash/ });
    await expect.poll(() => cash.innerText()).toContain("10 points = $1.00");

    await page.getByRole("button", { name: "Edit Redeem to cash" }).click();
    const form = page.getByRole("form", { name: "Way to redeem" });
    // The form opens with the method's own values.
    expect(await form.getByLabel("Minimum subtotal (minor units)").inputValue()).toBe("20000");
    await form.getByLabel("Points", { exact: true }).fill("20");
    await form.getByRole("button", { name: "Save changes" }).click();
    await form.waitFor({ state: "detached" });
    await expect.poll(() => cash.innerText()).toContain("20 points = $1.00");
    const methods = await bo.api.get<{ data: Method[] }>("/v1/redeem-methods");
    // Edited in place: the settings without a field in the form (the $50 cap) are kept.
    expect(methods.data.find((m) => m.name === "Redeem to cash")).toMatchObject({ points: 20, amount: 100, minSubtotal: 20000, maxDiscount: { type: "fixed", amount: 5000 } });

    const shipping = page.getByRole("row", { name: /Free shipping code/ });
    await page.getByRole("button", { name: "Delete Free shipping code" }).click();
    const dialog = page.getByRole("dialog", { name: "Delete “Free shipping code”?" });
    await dialog.waitFor();
    await dialog.getByRole("button", { name: "Delete" }).click();
    await shipping.waitFor({ state: "detached" });
    await cash.waitFor();
    await screenshot(page, "redeem-methods");
    expect((await bo.api.get<{ data: Method[] }>("/v1/redeem-methods")).data.map((m) => m.name)).toEqual(["Redeem to cash"]);
  });

  it("records a settings change in the audit log with what changed and who changed it", async () => {
    const page = await adminPage();
    const me = await bo.api.get<{ key: { id: string } }>("/v1/session");
    await openScreen(page, "Program");
    await page.getByLabel("Points name (en)").fill("Stars");
    await page.getByRole("button", { name: "Save program" }).click();
    await page.getByRole("status").getByText("Saved.").waitFor();
    expect((await bo.api.get<{ pointsName: Record<string, string> }>("/v1/program")).pointsName.en).toBe("Stars");
    await screenshot(page, "program");

    await openScreen(page, "Audit log");
    const newest = page.getByRole("table", { name: "Audit log" }).locator("tbody tr").first();
    await expect.poll(() => newest.innerText()).toContain('pointsName.en: "Member Points" → "Stars"');
    expect(await newest.locator("td").nth(1).innerText()).toBe(`${me.key.id} (you)`);
    // Earlier changes in this file are there too: the program switched off and on, the rule added, the method edited.
    const all = await page.getByRole("table", { name: "Audit log" }).innerText();
    expect(all).toContain("enabled: true → false");
    expect(all).toContain("Product reviews");
    await screenshot(page, "audit-log");
  });

  it("connects Shopify on the Integrations screen and shows the webhook address to give it", async () => {
    const page = await adminPage();
    await openScreen(page, "Integrations");
    const form = page.getByRole("form", { name: "Connect Shopify" });
    await form.getByLabel("Shop domain (…myshopify.com)").fill("demo-tea.myshopify.com");
    await form.getByLabel("Webhook secret").fill("shpss_test_secret_0123456789");
    await form.getByRole("button", { name: "Connect" }).click();
    await page.getByText("Saved.").waitFor();
    await page.getByText(/^Connected since/).first().waitFor();
    const session = await bo.api.get<{ store: { id: string } }>("/v1/session");
    expect(await page.locator("[data-webhook-url]").first().innerText()).toBe(`${bo.base}/hooks/shopify/${session.store.id}`);
    await screenshot(page, "integrations");
  });
});
