/**
 * The simulator in Chromium (SPEC §8), on a sandbox store of its own running the member-points
 * preset with four months of history made through the API on the test clock: members' orders,
 * delivered and credited 3 days later, and a cashback redemption at checkout. An admin halves the
 * order rule's earn rate in the form and runs a simulation: the candidate's liability and cost
 * share are lower than the current program's in the totals and in every month that issued
 * points, and the charts are drawn. Then the assistant proposes programs for a target cost share:
 * the server answers without waiting for the proposals' simulations, and the screen follows each
 * to its figures. The first is applied after a confirmation (the program and the audit log show it,
 * under the admin's key), and a second apply within 7 days is refused with the date it can be used again.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { apiClient, backOfficeSuite, openScreen, screenshot, SCREENSHOTS, signIn, STORE_ZONE, type ApiClient } from "./back-office.ts";

/** The operator token backOfficeSuite starts its server with: stores are created with it. */
const OPERATOR_TOKEN = "browser-test-operator-token-0123";
/** The store's clock starts on a Monday morning in New York; its history runs 17 weeks from there. */
const START = new Date("2025-01-06T15:00:00Z");
const WEEKS = 17;
const MEMBERS = ["alice", "bob", "carol", "dan"];
const DAY = 86_400_000;

interface Problem { code?: string; errors?: Array<{ path: string; message: string }>; availableAt?: string; retryAfter?: number }
interface Proposal { id: string; summary: string; explanation: string; document: ProgramDocument }
interface ProgramDocument { earnRules: Array<{ name: string; award: Record<string, unknown> }>; redeemMethods: unknown[]; settings: unknown; tiers: unknown[] }
interface Totals { costShare: number | null; liability: number | null }

const dayIn = (d: Date) => new Intl.DateTimeFormat("en-CA", { timeZone: STORE_ZONE, year: "numeric", month: "2-digit", day: "2-digit" }).format(d);
/** The first day of the twelfth calendar month back, counting today's month as the first. */
function firstOfTwelveMonths(today: string): string {
  const [y, m] = today.split("-").map(Number) as [number, number];
  const i = y * 12 + (m - 1) - 11;
  return `${Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, "0")}-01`;
}
/** As the back office writes an instant (format.ts dateTime, en-US in these tests). */
const shownDateTime = (iso: string) => new Intl.DateTimeFormat("en-US", { timeZone: STORE_ZONE, dateStyle: "medium", timeStyle: "short" }).format(new Date(iso));

describe("back office: the simulator", () => {
  // The assistant answers without waiting for its proposals' simulations: the screen follows them to their figures.
  const bo = backOfficeSuite("simulator", { POINTBOOK_ASSISTANT_WAIT_MS: "0" });
  let key: string;
  let api: ApiClient;
  let clock: Date;
  /** A simulation run through the API (current program as the candidate), for the layout checks and the assistant's target. */
  let baseline: { id: string; current: { totals: Totals } };

  /** As the shop would: the order placed, paid and delivered at the store's now (credited 3 days later). */
  async function order(id: string, memberId: string, amount: number, at: Date) {
    const t = at.toISOString();
    await api.put(`/v1/orders/${id}`, { memberId, channel: "online", lines: [{ sku: "tea", quantity: 1, amount }], placedAt: t, paidAt: t, deliveredAt: t });
  }
  async function advance(to: Date) {
    await api.post("/v1/clock/advance", { to: to.toISOString() });
    clock = to;
  }
  async function raw(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
    const res = await fetch(`${bo.base}${path}`, { method, headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { "content-type": "application/json" }) }, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  }
  async function simulation(id: string): Promise<any> {
    for (;;) {
      const s = await api.get<any>(`/v1/simulations/${id}`);
      if (s.status !== "running") return s;
      await new Promise((r) => setTimeout(r, 300));
    }
  }

  beforeAll(async () => {
    const made = await fetch(`${bo.base}/v1/stores`, {
      method: "POST",
      headers: { authorization: `Bearer ${OPERATOR_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "Simulated tea shop", currency: "USD", timezone: STORE_ZONE, sandbox: true, clock: START.toISOString() }),
    });
    expect(made.status, await made.clone().text()).toBe(201);
    key = ((await made.json()) as { apiKey: string }).apiKey;
    api = apiClient(bo.base, key);
    clock = START;
    const preset = JSON.parse(readFileSync(join(process.cwd(), "presets", "member-points.json"), "utf8")) as Record<string, unknown>;
    await api.put("/v1/program/import", preset);

    // Each member orders every other week ($200 to $650, so 20 to 65 points each), delivered the same day.
    for (let week = 0; week < WEEKS; week++) {
      const monday = new Date(START.getTime() + week * 7 * DAY);
      if (monday > clock) await advance(monday);
      for (const [i, memberId] of MEMBERS.entries()) {
        if ((week + i) % 2 !== 0) continue;
        await order(`w${week}-${memberId}`, memberId, 20_000 + ((week * 7 + i * 13) % 10) * 5_000, clock);
      }
      // Week 10: alice spends 200 of her points at checkout ($20 off a $300 order), held then captured as the shop pays.
      if (week === 10) {
        const methods = await api.get<{ data: Array<{ id: string; type: string }> }>("/v1/redeem-methods");
        const cashback = methods.data.find((m) => m.type === "cashback")!;
        const cart = { lines: [{ sku: "pot", quantity: 1, amount: 30_000 }] };
        const placedAt = clock.toISOString();
        await api.put("/v1/orders/redeem-1", { memberId: "alice", channel: "online", ...cart, placedAt });
        const held = await api.post<{ id: string; status: string }>("/v1/redemptions", { memberId: "alice", methodId: cashback.id, points: 200, orderId: "redeem-1", cart });
        expect(held.status).toBe("held");
        expect((await api.post<{ status: string }>(`/v1/redemptions/${held.id}/capture`)).status).toBe("completed");
        await api.put("/v1/orders/redeem-1", { memberId: "alice", channel: "online", ...cart, placedAt, paidAt: placedAt, deliveredAt: placedAt });
      }
    }
    // A few days on: the last deliveries are credited too.
    await advance(new Date(clock.getTime() + 4 * DAY));

    const doc = await api.get("/v1/program/export");
    const started = await api.post<{ id: string; status: string }>("/v1/simulations", { candidate: doc, from: dayIn(START), to: dayIn(clock) });
    expect(started.status).toBe("running");
    baseline = await simulation(started.id);
    expect(baseline, JSON.stringify(baseline)).toMatchObject({ status: "done" });
  }, 180_000);

  async function adminPage(options?: { width: number; height: number }): Promise<Page> {
    const page = await bo.newPage(options);
    await signIn(page, bo.base, key);
    return page;
  }
  const cell = (page: Page, table: string, row: string, program: string, metric?: string) =>
    page.getByRole("table", { name: table }).locator(`tr[${metric ? "data-month" : "data-metric"}="${row}"] td[data-program="${program}"]${metric ? `[data-metric="${metric}"]` : ""}`);
  const valueOf = async (page: Page, ...at: Parameters<typeof cell> extends [Page, ...infer R] ? R : never) => {
    const v = await cell(page, ...at).getAttribute("data-value");
    return v === "" || v === null ? null : Number(v);
  };

  it("halving the order rule's earn rate lowers the liability and the cost share, in the totals and in every month that issued points; the charts are drawn", async () => {
    const page = await adminPage();
    await openScreen(page, "Simulator");
    // The candidate starts as the current program: the preset's $10 = 1 point.
    const rule = page.getByRole("group", { name: "Points on orders" });
    const per = rule.getByLabel("Per amount spent (minor units)");
    await expect.poll(() => per.inputValue()).toBe("1000");
    expect(await rule.getByLabel("Points", { exact: true }).inputValue()).toBe("1");
    expect(await page.getByRole("group", { name: "Redeem to cash" }).getByLabel("Points", { exact: true }).inputValue()).toBe("10");
    // The period defaults to the twelve months up to the store's today (its test clock, not the machine's).
    expect(await page.getByLabel("To", { exact: true }).inputValue()).toBe(dayIn(clock));
    expect(await page.getByLabel("From", { exact: true }).inputValue()).toBe(firstOfTwelveMonths(dayIn(clock)));

    // Half the points: $20 = 1 point. The rule's summary follows the field.
    await per.fill("2000");
    await expect.poll(() => rule.locator("[data-award-text]").innerText()).toContain("1 per $20.00 spent");
    await page.getByLabel("From", { exact: true }).fill(dayIn(START));
    await page.getByRole("button", { name: "Run simulation" }).click();
    await page.locator('[data-sim-status="running"], [data-sim-status="done"]').first().waitFor();
    await page.locator('[data-sim-status="done"]').waitFor({ timeout: 90_000 });
    // The run has its own address: #/simulator/<id>.
    expect(page.url()).toMatch(/#\/simulator\/[^/]+$/);

    await page.getByText("The current program's figures are your ledger's own").waitFor();
    const shown = await page.getByRole("table", { name: "Totals" }).innerText();
    for (const metric of ["liability", "costShare", "cost", "issued"]) {
      const current = await valueOf(page, "Totals", metric, "current");
      const candidate = await valueOf(page, "Totals", metric, "candidate");
      expect(current, `${metric}\n${shown}`).not.toBeNull();
      expect(candidate, `${metric}\n${shown}`).not.toBeNull();
      expect(candidate!, `${metric}: candidate ${candidate} against current ${current}\n${shown}`).toBeLessThan(current!);
    }
    // The difference column says it with a minus sign.
    expect(await cell(page, "Totals", "liability", "difference").innerText()).toMatch(/^−\$/);
    expect(await cell(page, "Totals", "costShare", "difference").innerText()).toMatch(/^−\d+(\.\d+)? pts$/);

    const months = await page.getByRole("table", { name: "Month by month" }).locator("tbody tr").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-month")!));
    expect(months).toEqual(["2025-01", "2025-02", "2025-03", "2025-04", "2025-05"]);
    let issuing = 0;
    for (const month of months) {
      const issued = await valueOf(page, "Month by month", month, "current", "issued");
      if (!issued) continue;
      issuing++;
      for (const metric of ["liability", "costShare"]) {
        const current = await valueOf(page, "Month by month", month, "current", metric);
        const candidate = await valueOf(page, "Month by month", month, "candidate", metric);
        expect(current, `${month} ${metric}`).not.toBeNull();
        expect(candidate, `${month} ${metric}`).not.toBeNull();
        expect(candidate!, `${month} ${metric}: candidate ${candidate} against current ${current}`).toBeLessThan(current!);
      }
    }
    expect(issuing).toBeGreaterThanOrEqual(4);

    // Two charts (liability, cost share), each an SVG image with a name, both programs drawn in it.
    const charts = page.locator(".sim-charts svg[role='img']");
    expect(await charts.count()).toBe(2);
    for (const label of await charts.evaluateAll((els) => els.map((e) => e.getAttribute("aria-label")))) expect(label).toMatch(/current program against the candidate$/);
    expect(await page.locator(".sim-charts .line.s-current path").count()).toBeGreaterThanOrEqual(2);
    expect(await page.locator(".sim-charts .line.s-candidate path").count()).toBeGreaterThanOrEqual(2);
    expect(await page.locator(".sim-charts .line.s-candidate circle").count()).toBeGreaterThanOrEqual(months.length);

    // Alice's 200-point redemption is one the halved program could not have paid for: the screen says so.
    const skipped = page.locator('[data-skipped="candidate"]');
    if (await skipped.count()) expect(await skipped.innerText()).toMatch(/redemptions? the member could no longer afford/);

    // Reopening its address shows it again, with the candidate and period that were run back in the editor.
    await page.reload();
    await page.locator('[data-sim-status="done"]').waitFor({ timeout: 30_000 });
    expect(await valueOf(page, "Totals", "liability", "candidate")).toBeLessThan((await valueOf(page, "Totals", "liability", "current"))!);
    await expect.poll(() => page.getByRole("group", { name: "Points on orders" }).getByLabel("Per amount spent (minor units)").inputValue()).toBe("2000");
    expect(await page.getByLabel("From", { exact: true }).inputValue()).toBe(dayIn(START));
    await screenshot(page, "simulator");
  });

  it("says how to value the points when members had redeemed none by the end of the period", async () => {
    // Alice's redemption came in week 10: by the end of January nobody had redeemed.
    const doc = await api.get("/v1/program/export");
    const started = await api.post<{ id: string }>("/v1/simulations", { candidate: doc, from: dayIn(START), to: "2025-01-31" });
    const done = await simulation(started.id);
    expect(done).toMatchObject({ status: "done", redemptionRate: 0, observedRedemptionRate: 0 });
    expect(done.current.totals.liability).toBe(0);
    const page = await adminPage();
    await page.goto(`${bo.base}/admin#/simulator/${started.id}`);
    await page.locator('[data-sim-status="done"]').waitFor({ timeout: 30_000 });
    expect(await page.locator("[data-unvalued]").innerText()).toBe("Your members had not redeemed any points by the end of this period");
    // The simulation of the whole history, with Alice's redemption, needs no such note.
    await page.goto(`${bo.base}/admin#/simulator/${baseline.id}`);
    await page.locator('[data-sim-status="done"]').waitFor({ timeout: 30_000 });
    await page.getByRole("table", { name: "Totals" }).waitFor();
    expect(await page.locator("[data-unvalued]").count()).toBe(0);
  });

  it("opening a simulation run elsewhere (the API, another tab, the assistant) puts what it was asked back in the editor", async () => {
    const doc = await api.get<ProgramDocument>("/v1/program/export");
    const candidate = { ...doc, earnRules: doc.earnRules.map((r) => (r.name === "Points on orders" ? { ...r, award: { ...r.award, per: 3000 } } : r)) };
    const started = await api.post<{ id: string }>("/v1/simulations", { candidate, from: dayIn(START), to: "2025-01-31", redemptionRate: 0.25 });
    await simulation(started.id);
    const page = await adminPage();
    await page.goto(`${bo.base}/admin#/simulator/${started.id}`);
    await page.locator('[data-sim-status="done"]').waitFor({ timeout: 30_000 });
    await expect.poll(() => page.getByRole("group", { name: "Points on orders" }).getByLabel("Per amount spent (minor units)").inputValue()).toBe("3000");
    expect(await page.getByLabel("From", { exact: true }).inputValue()).toBe(dayIn(START));
    expect(await page.getByLabel("To", { exact: true }).inputValue()).toBe("2025-01-31");
    expect(await page.getByLabel("Redemption rate (%)").inputValue()).toBe("25");
  });

  it("shows how far a running simulation has got: reading the history, then the share replayed", async () => {
    // This store replays in a blink, too fast to see it run: the page's polls of a real, finished
    // simulation are answered as the API answers while one runs (test/simulation/progress.test.ts
    // checks those answers), first reading the history, then 42 % replayed, then as they are.
    const page = await adminPage();
    let state: "reading" | "replaying" | "real" = "reading";
    await page.route(`**/v1/simulations/${baseline.id}`, async (route) => {
      const response = await route.fetch();
      if (state === "real") return route.fulfill({ response });
      const body = (await response.json()) as Record<string, unknown>;
      const running = Object.fromEntries(Object.entries(body).filter(([k]) => !["current", "candidate", "redemptionRate", "observedRedemptionRate", "currentFrom", "reproduced"].includes(k)));
      await route.fulfill({ response, json: { ...running, status: "running", finishedAt: null, progress: state === "reading" ? 0 : 0.42 } });
    });
    await page.goto(`${bo.base}/admin#/simulator/${baseline.id}`);
    const status = page.locator('[data-sim-status="running"] [role="status"]');
    await expect.poll(() => status.innerText()).toMatch(/^Reading your history, \d{4}-\d{2}-\d{2} to \d{4}-\d{2}-\d{2}…/);
    // No share yet: the bar only says something is happening.
    expect(await page.locator('[data-sim-status="running"] progress').getAttribute("value")).toBeNull();

    state = "replaying";
    const bar = page.locator('[data-sim-status="running"] progress[data-progress="42"]');
    await bar.waitFor();
    expect(await bar.getAttribute("value")).toBe("0.42");
    expect(await status.innerText()).toMatch(/^Replaying your history: 42 % done, /);
    await screenshot(page, "simulator-running");

    state = "real";
    await page.locator('[data-sim-status="done"]').waitFor({ timeout: 30_000 });
    await page.getByRole("table", { name: "Totals" }).waitFor();
  });

  it("shows the API's refusal of the candidate next to the field it names", async () => {
    const page = await adminPage();
    await openScreen(page, "Simulator");
    const rule = page.getByRole("group", { name: "Points on orders" });
    const points = rule.getByLabel("Points", { exact: true });
    await expect.poll(() => points.inputValue()).toBe("1");
    await points.fill("0");
    await page.getByRole("button", { name: "Run simulation" }).click();

    const doc = await api.get<ProgramDocument>("/v1/program/export");
    doc.earnRules[0]!.award.points = 0;
    const refused = await raw("POST", "/v1/simulations", { candidate: doc, from: dayIn(START), to: dayIn(clock) });
    expect(refused.status).toBe(422);
    const expected = (refused.body as Problem).errors?.find((e) => e.path === "candidate.earnRules.0.award.points");
    expect(expected, JSON.stringify(refused.body)).toBeTruthy();
    const error = page.locator('[data-field="candidate.earnRules.0.award.points"] .error');
    await expect.poll(() => error.innerText()).toBe(expected!.message);
    expect(await points.getAttribute("aria-invalid")).toBe("true");
    expect(await points.getAttribute("aria-describedby")).toBe(await error.getAttribute("id"));
    // Only that field is marked, and no run started.
    expect(await page.locator(".field.invalid").evaluateAll((els) => els.map((e) => e.getAttribute("data-field")))).toEqual(["candidate.earnRules.0.award.points"]);
    expect(await page.locator("[data-sim-status]").count()).toBe(0);

    // The JSON tab shows the same document and names the field under it.
    await page.getByRole("tab", { name: "JSON" }).click();
    const json = page.getByLabel(/^The whole candidate program/);
    expect(JSON.parse(await json.inputValue())).toMatchObject({ earnRules: [{ name: "Points on orders", award: { points: 0 } }] });
    await expect.poll(() => page.locator('[data-field="candidate"] .error').innerText()).toContain(`candidate.earnRules.0.award.points: ${expected!.message}`);
    // A document that is not JSON cannot go back to the form or run.
    await json.fill("{ not json");
    await page.locator('[data-field="candidate"] .error').getByText(/^not valid JSON/).waitFor();
    expect(await page.getByRole("button", { name: "Run simulation" }).isDisabled()).toBe(true);
    await page.getByRole("tab", { name: "Form" }).click();
    expect(await page.getByRole("tab", { name: "JSON" }).getAttribute("aria-selected")).toBe("true");
    await page.getByRole("button", { name: "Start again from the current program" }).click();
    await expect.poll(async () => JSON.parse(await json.inputValue()) as unknown).toMatchObject({ earnRules: [{ award: { points: 1 } }] });
    expect(await page.locator('[data-field="candidate"] .error').count()).toBe(0);
    expect(await page.getByRole("button", { name: "Run simulation" }).isEnabled()).toBe(true);
  });

  it("the assistant proposes programs for a target cost share; the first is loaded, then applied after a confirmation, and a second apply is refused until 7 days have passed", async () => {
    const before = await api.get<ProgramDocument>("/v1/program/export");
    const me = await api.get<{ key: { id: string } }>("/v1/session");
    const auditBefore = (await api.get<{ data: Array<{ id: string }> }>("/v1/audit-log?limit=100")).data.map((r) => r.id);
    const current = baseline.current.totals.costShare;
    expect(current, "the store's history has a cost share").toBeGreaterThan(0);
    // Aim at about half of today's cost share, as a percentage with two decimals.
    const target = Math.max(0.01, Math.round(current! * 50 * 100) / 100);

    const page = await adminPage();
    await openScreen(page, "Simulator");
    await page.getByRole("group", { name: "Points on orders" }).waitFor();
    // Without a target, the API's refusal is shown at the field.
    await page.getByRole("button", { name: "Propose" }).click();
    await expect.poll(() => page.locator('[data-field="targetCostShare"] .error').count()).toBe(1);
    expect(await page.getByLabel("Target cost share (%)").getAttribute("aria-invalid")).toBe("true");
    await page.getByLabel("Target cost share (%)").fill(String(target));
    const answer = page.waitForResponse((r) => r.url().endsWith("/v1/assistant/proposals") && r.request().method() === "POST", { timeout: 120_000 });
    await page.getByRole("button", { name: "Propose" }).click();
    const res = await answer;
    expect(res.status(), await res.text()).toBe(201);
    const proposals = ((await res.json()) as { proposals: Proposal[] }).proposals;
    expect(proposals.length).toBeGreaterThan(0);
    const list = page.getByRole("list", { name: "Proposals" });
    await expect.poll(() => list.locator("li.proposal").count(), { timeout: 30_000 }).toBe(proposals.length);
    // Each proposal's simulation, running when the answer came, is followed until it is done.
    for (let i = 0; i < proposals.length; i++) {
      await expect.poll(() => list.locator("li.proposal").nth(i).getAttribute("data-sim-status"), { timeout: 60_000 }).toBe("done");
      await list.getByRole("table", { name: `Key figures of proposal ${i + 1}` }).waitFor();
    }
    const first = list.locator("li.proposal").first();
    expect(await first.locator("h3").innerText()).toBe(`1. ${proposals[0]!.summary}`);
    await first.getByText(proposals[0]!.explanation).waitFor();
    // Its key figures: cost share and liability, the current program's beside the proposal's.
    // Aimed at half the cost share, the proposal's own is lower than the current program's, and so is its liability.
    const figures = first.getByRole("table", { name: "Key figures of proposal 1" });
    const shown = await figures.innerText();
    for (const metric of ["costShare", "liability"]) {
      const value = async (program: string) => {
        const v = await figures.locator(`tr[data-metric="${metric}"] td[data-program="${program}"]`).getAttribute("data-value");
        return v ? Number(v) : null;
      };
      const [cur, cand] = [await value("current"), await value("candidate")];
      expect(cur, `${metric}\n${shown}`).not.toBeNull();
      expect(cand, `${metric}\n${shown}`).not.toBeNull();
      expect(cand!, `${metric}\n${shown}`).toBeLessThan(cur!);
    }
    await fits(page, "proposals listed");

    // Loaded into the simulator: the form shows the proposal's own numbers.
    await first.getByRole("button", { name: "Load into simulator: proposal 1" }).click();
    const award = proposals[0]!.document.earnRules.find((r) => r.name === "Points on orders")?.award ?? proposals[0]!.document.earnRules[0]!.award;
    const ruleName = proposals[0]!.document.earnRules.find((r) => r.name === "Points on orders") ? "Points on orders" : proposals[0]!.document.earnRules[0]!.name;
    const group = page.getByRole("group", { name: ruleName });
    for (const [k, v] of Object.entries(award)) {
      if (k === "points") await expect.poll(() => group.getByLabel("Points", { exact: true }).inputValue()).toBe(String(v));
      if (k === "per") await expect.poll(() => group.getByLabel("Per amount spent (minor units)").inputValue()).toBe(String(v));
    }
    await page.getByRole("status").getByText(`Loaded “${proposals[0]!.summary}” into the simulator`).waitFor();

    // Apply, after a confirmation that takes the focus; Escape cancels first, and nothing changes.
    const applyFirst = first.getByRole("button", { name: "Apply proposal 1" });
    await applyFirst.click();
    const dialog = page.getByRole("dialog", { name: `Apply “${proposals[0]!.summary}”?` });
    await dialog.waitFor();
    await expect.poll(() => page.evaluate(() => !!document.activeElement?.closest("dialog[open]"))).toBe(true);
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "hidden" });
    expect(await api.get("/v1/program/export")).toEqual(before);
    await applyFirst.click();
    await dialog.getByRole("button", { name: "Apply to my program" }).click();
    await dialog.waitFor({ state: "hidden" });
    const applied = page.locator("[data-applied]");
    await expect.poll(() => applied.innerText(), { timeout: 30_000 }).toMatch(new RegExp(`^Applied “${proposals[0]!.summary.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}” on `));

    // The program is the proposal's now, and the audit log has the change under the admin's key.
    const after = await api.get<ProgramDocument>("/v1/program/export");
    expect(after).not.toEqual(before);
    const audit = (await api.get<{ data: Array<{ id: string; actor: string; action: string; entityType: string }> }>("/v1/audit-log?limit=100")).data.filter((r) => !auditBefore.includes(r.id));
    expect(audit.length, "audit records of the apply").toBeGreaterThan(0);
    for (const r of audit) expect(r.actor, JSON.stringify(r)).toBe(me.key.id);

    // A second apply within 7 days: refused, with the date the assistant can be used again.
    const second = proposals.length > 1 ? 2 : 1;
    await list.locator("li.proposal").nth(second - 1).getByRole("button", { name: `Apply proposal ${second}` }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Apply to my program" }).click();
    const cooldown = page.locator("[data-cooldown]");
    await cooldown.waitFor({ timeout: 30_000 });
    const refused = await raw("POST", `/v1/assistant/proposals/${proposals[second - 1]!.id}/apply`);
    expect(refused.status).toBe(409);
    const problem = refused.body as Problem;
    expect(problem.code).toBe("assistant_cooldown");
    expect(await cooldown.innerText()).toContain(`The assistant can be used again on ${shownDateTime(problem.availableAt!)}.`);
    expect(await cooldown.getAttribute("role")).toBe("alert");
    // Nothing changed by the refused apply.
    expect(await api.get("/v1/program/export")).toEqual(after);
    await page.locator(".assistant").scrollIntoViewIfNeeded();
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur?.());
    await page.locator(".assistant").screenshot({ path: join(SCREENSHOTS, "simulator-assistant.png"), animations: "disabled" });

    // The success message leads to the changed program.
    await page.locator("[data-applied]").locator("xpath=..").getByRole("link", { name: "Ways to earn" }).click();
    await page.getByRole("heading", { level: 1, name: "Ways to earn" }).waitFor();
  });

  /** No sideways scroll, a label on every control, and no dialog wider than the window. */
  async function fits(page: Page, where: string): Promise<void> {
    const problems: string[] = [];
    const fit = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, inner: innerWidth }));
    if (fit.scroll > fit.inner) problems.push(`${where}: page is ${fit.scroll}px wide in a ${fit.inner}px window`);
    for (const right of await page.locator("dialog[open]").evaluateAll((els) => els.map((d) => d.getBoundingClientRect().right))) {
      if (right > fit.inner) problems.push(`${where}: the dialog reaches ${right}px in a ${fit.inner}px window`);
    }
    const unlabelled = await page.evaluate(() =>
      [...document.querySelectorAll<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>("input, select, textarea")]
        .filter((el) => el.type !== "hidden")
        .filter((el) => (el.labels?.length ?? 0) === 0 && !el.getAttribute("aria-label") && !el.getAttribute("aria-labelledby"))
        .map((el) => el.outerHTML.slice(0, 120)),
    );
    for (const u of unlabelled) problems.push(`${where}: no label for ${u}`);
    const unnamed = await page.locator("main button, main a").evaluateAll((els) =>
      els.filter((e) => !(e.getAttribute("aria-label") ?? e.textContent ?? "").trim()).map((e) => e.outerHTML.slice(0, 120)));
    for (const u of unnamed) problems.push(`${where}: a control without a name: ${u}`);
    expect(problems).toEqual([]);
  }

  for (const [width, height] of [[1280, 800], [390, 844]] as const) {
    it(`at ${width}×${height} the simulator does not scroll sideways and every control has a label, with its form, its JSON and its results`, async () => {
      const page = await adminPage({ width, height });
      await page.goto(`${bo.base}/admin#/simulator`);
      await page.getByRole("heading", { level: 1, name: "Simulator" }).waitFor();
      await page.getByRole("group", { name: "Points on orders" }).waitFor();
      await expect.poll(() => page.locator("main .loading").count()).toBe(0);
      await fits(page, "form");

      // The tabs work from the keyboard: arrow keys move between them.
      await page.getByRole("tab", { name: "Form" }).focus();
      await page.keyboard.press("ArrowRight");
      await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe("JSON");
      await page.getByLabel(/^The whole candidate program/).waitFor();
      await fits(page, "JSON");
      await page.keyboard.press("ArrowLeft");
      await page.getByRole("group", { name: "Points on orders" }).waitFor();

      await page.goto(`${bo.base}/admin#/simulator/${baseline.id}`);
      await page.locator('[data-sim-status="done"]').waitFor({ timeout: 30_000 });
      await fits(page, "results");
      if (width === 390) {
        // Phones: the month table scrolls inside its own box, and the charts shrink to the screen.
        const chart = await page.locator(".sim-charts svg").first().boundingBox();
        expect(chart!.width).toBeLessThanOrEqual(390);
      }
    });
  }

  it("is an admin screen: a viewer's navigation does not offer it", async () => {
    const viewer = await api.post<{ key: string }>("/v1/keys", { name: "viewer", role: "viewer" });
    const page = await bo.newPage();
    await signIn(page, bo.base, viewer.key);
    expect(await page.getByRole("navigation", { name: "Screens" }).getByRole("link").allInnerTexts()).not.toContain("Simulator");
  });
});
