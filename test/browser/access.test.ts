/**
 * The back office in Chromium: who may see and do what (SPEC §5 "the screens follow the role"), a
 * key that is refused, and a shell that fits a laptop and a phone, is labelled for screen readers
 * and works from the keyboard.
 */
import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { backOfficeSuite, openScreen, screenshot, signIn } from "./back-office.ts";

const ADMIN_SCREENS = ["Imports", "Integrations", "Webhooks", "Staff keys", "Test clock"];
/** The buttons and links that change something: a viewer sees none of them. */
const CHANGES = /^(Add|Edit|Delete|Adjust|Apply|Bulk|Turn|Save|Revoke|Connect|Create|Import|Advance)\b/;

async function changeControls(page: Page): Promise<string[]> {
  const names = await page.locator("main").getByRole("button").or(page.locator("main").getByRole("link")).evaluateAll((els) =>
    els.map((e) => (e.getAttribute("aria-label") ?? e.textContent ?? "").trim()),
  );
  return names.filter((n) => CHANGES.test(n));
}

async function navLinks(page: Page): Promise<string[]> {
  return page.getByRole("navigation", { name: "Screens" }).getByRole("link").allInnerTexts();
}

/** Presses Tab until `target` has the focus (at most `max` times), as a keyboard user would. */
async function tabTo(page: Page, target: ReturnType<Page["locator"]>, max = 40): Promise<void> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press("Tab");
    if (await target.evaluate((el) => el === document.activeElement)) return;
  }
  throw new Error(`${String(target)} never got the focus after ${max} Tabs`);
}

describe("back office: access and layout", () => {
  const bo = backOfficeSuite("access");

  beforeAll(async () => {
    // Something on every list, so the screens show their rows (and, to those allowed, their buttons).
    await bo.api.post("/v1/members/carol/adjustments", { points: 250, reason: "Welcome gift" });
    await bo.api.put("/v1/orders/access-1", {
      memberId: "carol", channel: "online", currency: "USD", lines: [{ sku: "tea", quantity: 1, amount: 3000 }],
      placedAt: new Date(Date.now() - 3_600_000).toISOString(),
    });
  });

  it("a viewer sees every screen they may read and no control that changes anything", async () => {
    const viewer = await bo.keyFor("viewer");
    const page = await bo.newPage();
    await signIn(page, bo.base, viewer.key);
    await expect.poll(() => page.locator(".topbar .role").innerText()).toBe("viewer");
    const links = await navLinks(page);
    for (const title of ADMIN_SCREENS) expect(links).not.toContain(title);
    expect(links).toEqual(expect.arrayContaining(["Dashboard", "Members", "Orders", "Program", "Ways to earn", "Ways to redeem", "Tiers", "Audit log", "Exports"]));

    await openScreen(page, "Ways to earn");
    await page.getByRole("row", { name: /Points on orders/ }).waitFor();
    expect(await changeControls(page)).toEqual([]);

    await openScreen(page, "Ways to redeem");
    await page.getByRole("row", { name: /Redeem to cash/ }).waitFor();
    expect(await changeControls(page)).toEqual([]);

    await openScreen(page, "Program");
    await page.locator("[data-program-status]").waitFor();
    expect(await changeControls(page)).toEqual([]);
    // The settings are shown, but as a fieldset the viewer cannot change.
    await expect.poll(() => page.getByLabel("Points name (en)").isDisabled()).toBe(true);

    await openScreen(page, "Tiers");
    expect(await changeControls(page)).toEqual([]);

    await openScreen(page, "Members");
    await page.getByRole("link", { name: "carol" }).click();
    await page.getByRole("heading", { name: "Member carol" }).waitFor();
    await page.getByRole("table", { name: "Activity" }).getByText("Welcome gift").waitFor();
    expect(await page.getByRole("form", { name: "Adjust points" }).count()).toBe(0);
    expect(await changeControls(page)).toEqual([]);

    // An admin screen typed into the address bar is not opened either.
    await page.goto(`${bo.base}/admin#/keys`);
    await page.getByRole("heading", { level: 1, name: "Dashboard" }).waitFor();
    expect(await page.getByRole("heading", { name: "Staff keys" }).count()).toBe(0);
  });

  it("a points manager may adjust and bulk add, but not change the program or reach the admin screens", async () => {
    const manager = await bo.keyFor("points_manager");
    const page = await bo.newPage();
    await signIn(page, bo.base, manager.key);
    await expect.poll(() => page.locator(".topbar .role").innerText()).toBe("points manager");
    const links = await navLinks(page);
    for (const title of ADMIN_SCREENS) expect(links).not.toContain(title);

    await openScreen(page, "Members");
    await page.getByRole("link", { name: "Bulk add points" }).waitFor();
    await page.getByRole("link", { name: "carol" }).click();
    await page.getByRole("form", { name: "Adjust points" }).waitFor();
    await expect.poll(() => page.getByRole("button", { name: "Apply" }).isEnabled()).toBe(true);

    await openScreen(page, "Ways to earn");
    await page.getByRole("row", { name: /Points on orders/ }).waitFor();
    expect(await changeControls(page)).toEqual([]);
    await openScreen(page, "Program");
    await page.locator("[data-program-status]").waitFor();
    expect(await changeControls(page)).toEqual([]);
  });

  it("an admin sees the admin screens and the controls that change the program", async () => {
    const page = await bo.newPage();
    await signIn(page, bo.base, bo.adminKey);
    await expect.poll(() => page.locator(".topbar .role").innerText()).toBe("admin");
    expect(await navLinks(page)).toEqual(expect.arrayContaining(ADMIN_SCREENS));
    // The demo store is a sandbox: its clock is in the top bar.
    await expect.poll(() => page.locator(".topbar .sandbox").innerText()).toMatch(/^Sandbox · /);

    await openScreen(page, "Ways to earn");
    await page.getByRole("button", { name: "Edit Points on orders" }).waitFor();
    await page.getByRole("button", { name: "Delete Points on orders" }).waitFor();
    await page.getByRole("button", { name: "Add a way to earn" }).waitFor();
    for (const title of ADMIN_SCREENS) await openScreen(page, title);
    await openScreen(page, "Staff keys");
    // The admin's own key is marked, and keys made through the API are listed with their roles.
    await page.getByRole("row", { name: /viewer key/ }).getByText("viewer", { exact: true }).waitFor();
  });

  it("a wrong key is refused at the key field, and the person can try again", async () => {
    const page = await bo.newPage();
    await page.goto(`${bo.base}/admin`);
    await screenshot(page, "sign-in");
    const field = page.getByLabel("Staff key");
    await field.fill("pb_not_a_real_key_0123456789");
    await page.getByRole("button", { name: "Sign in" }).click();
    const error = page.locator('[data-field="key"] .error');
    await expect.poll(() => error.innerText()).toBe("That key is not valid, or it was revoked.");
    expect(await field.getAttribute("aria-invalid")).toBe("true");
    // The message is tied to the field for screen readers.
    expect(await field.getAttribute("aria-describedby")).toBe(await error.getAttribute("id"));
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);

    await field.fill(bo.adminKey);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("navigation", { name: "Screens" }).waitFor();
  });

  it("signs in, moves between screens and adjusts points with the keyboard alone", async () => {
    const page = await bo.newPage();
    await page.goto(`${bo.base}/admin`);
    const field = page.getByLabel("Staff key");
    await tabTo(page, field);
    await page.keyboard.type(bo.adminKey);
    await page.keyboard.press("Enter");
    await page.getByRole("navigation", { name: "Screens" }).waitFor();

    // The skip link comes first and takes the focus past the navigation.
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Skip to content");

    const members = page.getByRole("navigation", { name: "Screens" }).getByRole("link", { name: "Members", exact: true });
    await tabTo(page, members);
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { level: 1, name: "Members" }).waitFor();
    // A new screen puts the focus on its heading, so the next Tab starts there.
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe("page-title");

    await tabTo(page, page.getByLabel(/Find a member/));
    await page.keyboard.type("car");
    await page.keyboard.press("Enter");
    const carol = page.getByRole("link", { name: "carol", exact: true });
    await carol.waitFor();
    await tabTo(page, carol);
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "Member carol" }).waitFor();

    await tabTo(page, page.getByLabel("Points (negative to deduct)"));
    await page.keyboard.type("5");
    await page.keyboard.press("Tab");
    await page.keyboard.type("Keyboard thanks");
    await page.keyboard.press("Enter");
    await page.getByRole("table", { name: "Activity" }).getByText("Keyboard thanks").waitFor();
  });

  const SCREENS = ["dashboard", "members", "members/carol", "members/bulk", "orders/access-1", "program", "earn-rules", "redeem-methods", "tiers", "audit-log", "exports", "imports", "integrations", "webhooks", "keys", "clock"];
  /** Forms and dialogs that open on a screen: they must fit too. */
  const OPENED = [
    ["earn-rules", "Add a way to earn"], ["earn-rules", "Edit Points on orders"], ["redeem-methods", "Add a way to redeem"],
    ["redeem-methods", "Edit Redeem to cash"], ["redeem-methods", "Delete Redeem to cash"], ["tiers", "Add a tier"], ["program", "Turn the program off"],
  ] as const;

  for (const [width, height] of [[1280, 800], [390, 844]] as const) {
    it(`at ${width}×${height} no screen scrolls sideways and every control has a label`, async () => {
      const page = await bo.newPage({ width, height });
      await signIn(page, bo.base, bo.adminKey);
      const problems: string[] = [];
      const states = [...SCREENS.map((path) => [path, null] as const), ...OPENED];
      for (const [path, button] of states) {
        await page.goto(`${bo.base}/admin#/${path}`);
        await page.locator("main h1").waitFor();
        // Loaded: no "Loading…" left on the screen.
        await expect.poll(() => page.locator("main .loading").count(), { message: path }).toBe(0);
        if (button) {
          await page.getByRole("button", { name: button }).click();
          await page.locator("main form[aria-label], dialog[open]").first().waitFor();
        }
        const fit = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, inner: innerWidth }));
        const where = button ? `${path} (${button})` : path;
        if (fit.scroll > fit.inner) problems.push(`${where}: page is ${fit.scroll}px wide in a ${fit.inner}px window`);
        // A dialog fits the window by itself (it is not part of the page's width).
        const dialog = await page.locator("dialog[open]").evaluateAll((els) => els.map((d) => d.getBoundingClientRect().right));
        for (const right of dialog) if (right > fit.inner) problems.push(`${where}: the dialog reaches ${right}px in a ${fit.inner}px window`);
        const unlabelled = await page.evaluate(() =>
          [...document.querySelectorAll<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>("input, select, textarea")]
            .filter((el) => el.type !== "hidden")
            .filter((el) => (el.labels?.length ?? 0) === 0 && !el.getAttribute("aria-label") && !el.getAttribute("aria-labelledby"))
            .map((el) => el.outerHTML.slice(0, 120)),
        );
        for (const u of unlabelled) problems.push(`${where}: no label for ${u}`);
      }
      expect(problems).toEqual([]);
      if (width === 390) {
        await page.goto(`${bo.base}/admin#/members/carol`);
        await page.getByRole("table", { name: "Activity" }).getByText("Welcome gift").waitFor();
        await screenshot(page, "member-phone");
      }
    });
  }
});
