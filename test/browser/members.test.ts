/**
 * Members in Chromium, as staff work with them (SPEC §5, source 002 "Assign Points"): found by
 * search, points added with a reason and [Send email], bulk added from a CSV file after a
 * confirmation, exported as CSV, and opening balances imported from a file with progress.
 */
import { readFile } from "node:fs/promises";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { backOfficeSuite, openScreen, screenshot, signIn } from "./back-office.ts";

interface Member { memberId: string; balance: number; email: string | null }
interface Notification { scenario: string; channel: string; to: string | null; status: string }

describe("back office: members", () => {
  const bo = backOfficeSuite("members");

  async function adminPage(): Promise<Page> {
    const page = await bo.newPage();
    await signIn(page, bo.base, bo.adminKey);
    return page;
  }

  const notifications = async (memberId: string) =>
    (await bo.api.get<{ data: Notification[] }>(`/v1/members/${encodeURIComponent(memberId)}/notifications`)).data;

  it("finds a member by search and adds points with a reason and an email; the activity names the reason and the key", async () => {
    await bo.api.put("/v1/members/bob.tanaka", { email: "bob@example.com" });
    await bo.api.put("/v1/members/bobby", { email: "bobby@example.com" });
    await bo.api.put("/v1/members/carla", { email: "carla@example.com" });
    const me = await bo.api.get<{ key: { id: string } }>("/v1/session");
    const page = await adminPage();
    await openScreen(page, "Members");
    await page.getByLabel(/Find a member/).fill("bob");
    await page.getByRole("button", { name: "Search" }).click();
    const rows = page.getByRole("table", { name: "Members" }).locator("tbody tr");
    // The first letters of the id find both Bobs and not Carla.
    await expect.poll(() => rows.locator("th").allInnerTexts()).toEqual(["bob.tanaka", "bobby"]);
    await page.getByRole("link", { name: "bob.tanaka" }).click();
    await page.getByRole("heading", { name: "Member bob.tanaka" }).waitFor();

    // Without [Send email], the member is not written to, whatever the program's default.
    const form = page.getByRole("form", { name: "Adjust points" });
    // Bob has no phone number: [Send SMS] is off, and says so (source 002).
    expect(await form.getByLabel("Send SMS").isDisabled()).toBe(true);
    expect(await page.locator('[data-field="notify.sms"]').innerText()).toContain("OFF: no phone number");
    expect(await form.getByLabel("Send email").isEnabled()).toBe(true);
    await form.getByLabel("Points (negative to deduct)").fill("20");
    await form.getByLabel("Reason (shown to the member)").fill("Sorry for the late parcel");
    await form.getByRole("button", { name: "Apply" }).click();
    await page.getByText("Added 20 points. Balance now 20.").waitFor();

    await form.getByLabel("Points (negative to deduct)").fill("100");
    await form.getByLabel("Reason (shown to the member)").fill("Thanks for the review");
    await form.getByLabel("Send email").check();
    await form.getByRole("button", { name: "Apply" }).click();
    await page.getByText("Added 100 points. Balance now 120.").waitFor();
    await expect.poll(() => page.locator('[data-stat="balance"]').innerText()).toBe("120");

    const newest = page.getByRole("table", { name: "Activity" }).locator("tbody tr").first();
    await expect.poll(() => newest.innerText()).toContain("Thanks for the review");
    expect(await newest.locator('[data-label="Points"]').innerText()).toBe("+100");
    expect(await newest.locator('[data-label="By"]').innerText()).toBe(`${me.key.id} (you)`);
    // The form is empty again, ready for the next adjustment.
    expect(await form.getByLabel("Points (negative to deduct)").inputValue()).toBe("");
    expect(await form.getByLabel("Send email").isChecked()).toBe(false);

    // One email, for the ticked adjustment only (no transport here, so it is recorded as skipped).
    await expect.poll(() => notifications("bob.tanaka"), { timeout: 10_000 }).toHaveLength(1);
    expect((await notifications("bob.tanaka"))[0]).toMatchObject({ scenario: "pointsAdjusted", channel: "email", to: "bob@example.com" });
    await page.reload();
    await page.getByRole("table", { name: "Messages" }).locator('[data-scenario="pointsAdjusted"]').getByText("bob@example.com").waitFor();
  });

  it("refuses a deduction larger than the balance, saying so at the points field", async () => {
    const page = await adminPage();
    await page.goto(`${bo.base}/admin#/members/bob.tanaka`);
    const form = page.getByRole("form", { name: "Adjust points" });
    await form.getByLabel("Points (negative to deduct)").fill("-5000");
    await form.getByLabel("Reason (shown to the member)").fill("Correction");
    // Deductions never notify: the boxes give way to a note.
    await page.getByText("Deductions never notify the member.").waitFor();
    expect(await form.getByLabel("Send email").count()).toBe(0);
    await form.getByRole("button", { name: "Apply" }).click();
    await expect.poll(() => page.locator('[data-field="points"] .error').innerText()).toBe("the member has 120 points; cannot deduct 5000");
    expect(await page.locator(".banner.error").count()).toBe(0);
    expect((await bo.api.get<Member>("/v1/members/bob.tanaka")).balance).toBe(120);
  });

  it("bulk adds points to the members of a CSV file after a confirmation that shows how many", async () => {
    const page = await adminPage();
    await openScreen(page, "Members");
    await page.getByRole("link", { name: "Bulk add points" }).click();
    await page.getByRole("heading", { name: "Bulk add points" }).waitFor();
    // A shop's export as a spreadsheet saves it: a byte-order mark, quoted names with commas
    // before the id column, Windows line ends, a repeated row and a blank line.
    const csv = '\uFEFFname,memberId,email\r\n"Lee, Ann",bulk-ann,ann@example.com\r\n"O""Brien, Pat",bulk-pat,pat@example.com\r\nBob,bob.tanaka,bob@example.com\r\n"Lee, Ann",bulk-ann,ann@example.com\r\n\r\n';
    await page.getByLabel("Or choose a CSV file").setInputFiles({ name: "members.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
    await expect.poll(() => page.locator("[data-count]").innerText()).toBe("3 members.");
    await page.getByLabel("Points to add").fill("50");
    await page.getByLabel("Reason (shown to members)").fill("Launch bonus");
    await page.getByRole("button", { name: "Add points…" }).click();
    const dialog = page.getByRole("dialog", { name: "Add 50 points to 3 members?" });
    await dialog.waitFor();
    expect(await dialog.innerText()).toContain("Launch bonus");
    await dialog.getByRole("button", { name: "Add points" }).click();
    await page.getByText("Added 50 points to 3 members.").waitFor();
    await dialog.waitFor({ state: "hidden" });

    expect((await bo.api.get<Member>("/v1/members/bulk-ann")).balance).toBe(50);
    expect((await bo.api.get<Member>("/v1/members/bulk-pat")).balance).toBe(50);
    expect((await bo.api.get<Member>("/v1/members/bob.tanaka")).balance).toBe(170);
    await page.goto(`${bo.base}/admin#/members/bulk-pat`);
    await page.getByRole("table", { name: "Activity" }).getByText("Launch bonus").waitFor();
  });

  it("downloads the members export: the header line and a member's row", async () => {
    await bo.api.put(`/v1/members/${encodeURIComponent("=1+1")}`, { email: "formula@example.com" });
    const page = await adminPage();
    await openScreen(page, "Exports");
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Download members.csv" }).click()]);
    expect(download.suggestedFilename()).toBe("members.csv");
    const lines = (await readFile(await download.path(), "utf8")).trim().split(/\r?\n/);
    expect(lines[0]).toBe("memberId,email,phone,birthday,tier,isMember,language,tags,balance,pending,held,debt,createdAt,updatedAt");
    const bob = lines.find((l) => l.startsWith("bob.tanaka,"))?.split(",");
    expect(bob?.slice(0, 2)).toEqual(["bob.tanaka", "bob@example.com"]);
    expect(bob?.[8]).toBe("170");
    // A cell a spreadsheet would run as a formula comes out as text.
    expect(lines.some((l) => l.startsWith("'=1+1,formula@example.com,"))).toBe(true);
  });

  it("imports opening balances from a file and follows the import to its end", async () => {
    const page = await adminPage();
    await openScreen(page, "Imports");
    const form = page.getByRole("form", { name: "Import a file" });
    await form.getByLabel("What the file holds").selectOption("balances");
    const csv = "memberId,points,expiresAt,reason\nimported-1,300,,Balance from the old system\nimported-2,,,Balance from the old system\nimported-3,75,,Balance from the old system\n";
    await form.getByLabel("CSV file").setInputFiles({ name: "opening-balances.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
    await form.getByRole("button", { name: "Import" }).click();
    const status = page.locator("[data-import-status]");
    await expect.poll(() => status.getAttribute("data-import-status"), { timeout: 20_000 }).not.toBe("running");
    expect(await status.innerText()).toMatch(/^Done\. 3 of 3 rows, 2 imported, 1 rejected\.$/);
    // The row without points is named by its line.
    await page.getByRole("table", { name: "Rejected rows" }).getByRole("cell", { name: "3", exact: true }).waitFor();
    await page.getByRole("table", { name: "Imports" }).getByText("opening-balances.csv").waitFor();
    expect((await bo.api.get<Member>("/v1/members/imported-1")).balance).toBe(300);
    await screenshot(page, "imports");
  });
});
