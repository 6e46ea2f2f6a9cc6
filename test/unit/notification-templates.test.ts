import { describe, expect, it } from "vitest";
import {
  BUILTIN_TEXTS,
  PLACEHOLDERS,
  SCENARIOS,
  renderMessage,
  templatesSchema,
  type RenderInput,
} from "../../src/core/notifications/templates.ts";

const values = {
  points: 1_200,
  balance: 15_340,
  pointsName: { en: "Stars", "zh-TW": "紅利點數" },
  reason: "Birthday gift",
  expiresAt: "2026-12-31T15:59:59.999Z",
  storeName: "Good Coffee",
  memberId: "m_42",
  tier: "Gold",
};

function render(input: Partial<RenderInput>) {
  return renderMessage({ scenario: "pointsEarned", timeZone: "Asia/Taipei", values, ...input });
}

describe("built-in texts", () => {
  it("every scenario has a subject, text and HTML in en and zh-TW, and uses only known placeholders", () => {
    for (const scenario of SCENARIOS) {
      for (const language of ["en", "zh-TW"] as const) {
        const texts = BUILTIN_TEXTS[scenario][language];
        for (const field of [texts.subject, texts.text, texts.html]) {
          expect(field.trim()).not.toBe("");
          const names = [...field.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]);
          expect(names.every((n) => (PLACEHOLDERS as readonly (string | undefined)[]).includes(n))).toBe(true);
        }
        const rendered = render({ scenario, language });
        expect(rendered.language).toBe(language);
        for (const field of [rendered.subject, rendered.text, rendered.html]) expect(field).not.toContain("{{");
      }
    }
  });

  it("the Chinese texts are in Chinese and the English ones are not", () => {
    for (const scenario of SCENARIOS) {
      expect(BUILTIN_TEXTS[scenario]["zh-TW"].text).toMatch(/[\u4e00-\u9fff]/);
      expect(BUILTIN_TEXTS[scenario].en.text).not.toMatch(/[\u4e00-\u9fff]/);
    }
  });
});

describe("language", () => {
  it("the member's language first", () => {
    expect(render({ language: "zh-TW", defaultLanguage: "en" }).subject).toBe("【Good Coffee】您獲得紅利點數 1,200 點");
    expect(render({ language: "en", defaultLanguage: "zh-TW" }).subject).toBe("You earned 1,200 Stars at Good Coffee");
  });

  it("tags written other ways reach the same language", () => {
    for (const tag of ["zh-tw", "zh_TW", "zh-Hant-TW"]) expect(render({ language: tag }).language).toBe("zh-TW");
    expect(render({ language: "en-GB", defaultLanguage: "zh-TW" }).language).toBe("en");
  });

  it("else the store's default language, else English", () => {
    expect(render({ language: "fr", defaultLanguage: "zh-TW" }).language).toBe("zh-TW");
    expect(render({ language: null, defaultLanguage: "zh-TW" }).language).toBe("zh-TW");
    expect(render({ language: "fr", defaultLanguage: "de" }).language).toBe("en");
    expect(render({}).language).toBe("en");
    expect(render({ language: "not a tag!", defaultLanguage: "" }).language).toBe("en");
  });

  it("a store's template in a language Pointbook has no texts for is used, its missing subject from the default language", () => {
    const templates = { pointsEarned: { ja: { text: "{{points}}ポイントを獲得しました。" } } };
    const m = render({ language: "ja", defaultLanguage: "zh-TW", templates });
    expect(m.language).toBe("ja");
    expect(m.text).toBe("1,200ポイントを獲得しました。");
    expect(m.subject).toBe("【Good Coffee】您獲得紅利點數 1,200 點");
  });

  it("a store's template in another language does not replace the built-in one in the member's", () => {
    const templates = { pointsEarned: { "zh-TW": { text: "自訂" } } };
    expect(render({ language: "en", templates }).text).toBe("You earned 1,200 Stars at Good Coffee.\nYour balance is now 15,340 Stars.");
  });
});

describe("placeholders", () => {
  it("fills every placeholder, with numbers grouped", () => {
    const templates = {
      redemption: {
        en: { text: "{{points}}|{{pointsName}}|{{balance}}|{{reason}}|{{expiresAt}}|{{cashValue}}|{{storeName}}|{{memberId}}|{{tier}}" },
      },
    };
    const m = render({ scenario: "redemption", language: "en", templates, values: { ...values, cashValue: { amount: 1_250, currency: "USD" } } });
    expect(m.text).toBe("1,200|Stars|15,340|Birthday gift|December 31, 2026|$12.50|Good Coffee|m_42|Gold");
  });

  it("an unknown placeholder stays as written; a known one with spaces inside is filled; a missing value reads empty", () => {
    const templates = { pointsEarned: { en: { subject: "{{ points }} for you", text: "Use {{couponCode}} and {{ nope }} {{reason}}." } } };
    const m = render({ language: "en", templates, values: { points: 5 } });
    expect(m.subject).toBe("5 for you");
    expect(m.text).toBe("Use {{couponCode}} and {{ nope }} .");
    expect(m.html).toContain("Use {{couponCode}} and {{ nope }} .");
  });

  it("values are escaped in HTML and left alone in the text", () => {
    const reason = `<b>"x" & 'y'</b>`;
    const m = render({ scenario: "pointsAdjusted", language: "en", values: { ...values, reason } });
    expect(m.html).toContain("Reason: &lt;b&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/b&gt;");
    expect(m.html).not.toContain(reason);
    expect(m.text).toContain(`Reason: ${reason}`);
    expect(m.subject).toBe("Good Coffee added 1,200 Stars to your account");
  });

  it("a store's HTML is kept as written while its values are escaped", () => {
    const templates = { pointsAdjusted: { en: { text: "{{reason}}", html: '<p class="note">{{reason}}</p>' } } };
    const m = render({ scenario: "pointsAdjusted", language: "en", templates, values: { reason: "a < b" } });
    expect(m.html).toBe('<p class="note">a &lt; b</p>');
  });

  it("a line break in a value does not break the one-line subject", () => {
    const templates = { pointsAdjusted: { en: { subject: "Added: {{reason}}", text: "{{reason}}" } } };
    const m = render({ scenario: "pointsAdjusted", language: "en", templates, values: { reason: "line one\r\nline two" } });
    expect(m.subject).toBe("Added: line one line two");
    expect(m.text).toBe("line one\r\nline two");
  });

  it("points are named in the message's language, with the built-in word where the program has none in it", () => {
    expect(render({ language: "zh-TW", values: { ...values, pointsName: { en: "Stars" } } }).text).toBe(
      "【Good Coffee】您獲得點數 1,200 點，目前共有 15,340 點。",
    );
    expect(render({ language: "en", values: { ...values, pointsName: { "zh-TW": "紅利點數" } } }).subject).toBe(
      "You earned 1,200 points at Good Coffee",
    );
    const templates = { pointsEarned: { ja: { text: "{{pointsName}}" } } };
    expect(render({ language: "ja", defaultLanguage: "zh-TW", templates }).text).toBe("紅利點數");
    expect(render({ language: "en", values: { ...values, pointsName: "Beans" } }).subject).toBe("You earned 1,200 Beans at Good Coffee");
  });
});

describe("a store's own template", () => {
  it("overrides only the fields it has: the subject stays built-in", () => {
    const templates = { pointsEarned: { en: { text: "Thanks! +{{points}} {{pointsName}}.\nSee you soon." } } };
    const m = render({ language: "en", templates });
    expect(m.subject).toBe("You earned 1,200 Stars at Good Coffee");
    expect(m.text).toBe("Thanks! +1,200 Stars.\nSee you soon.");
  });

  it("without its own HTML, the HTML is made from its text, so the email shows the store's words", () => {
    const templates = { pointsEarned: { en: { text: "Tom & Jerry's: +{{points}} <{{pointsName}}>\nSee you soon.\n\nBye" } } };
    const m = render({ language: "en", templates, values: { ...values, pointsName: "S&P" } });
    expect(m.html).toBe("<p>Tom &amp; Jerry&#39;s: +1,200 &lt;S&amp;P&gt;<br>\nSee you soon.</p>\n<p>Bye</p>");
  });

  it("a subject alone can be changed, as the schema requires a text the store writes too", () => {
    const templates = { pointsEarned: { en: { subject: "Ka-ching! {{points}} {{pointsName}}", text: BUILTIN_TEXTS.pointsEarned.en.text, html: BUILTIN_TEXTS.pointsEarned.en.html } } };
    const m = render({ language: "en", templates });
    const builtin = render({ language: "en" });
    expect(m.subject).toBe("Ka-ching! 1,200 Stars");
    expect([m.text, m.html]).toEqual([builtin.text, builtin.html]);
  });
});

describe("{{expiresAt}}", () => {
  const reminder = (expiresAt: string, timeZone: string, language: string) =>
    renderMessage({ scenario: "expiryReminder", language, timeZone, values: { ...values, expiresAt } });

  it("the last moment of 31 December in Taipei is still 31 December there, in either language", () => {
    // 2026-12-31T15:59:59.999Z is 23:59:59.999 on 31 December in Asia/Taipei (UTC+8): the fixed-date expiry of a lot.
    expect(reminder("2026-12-31T15:59:59.999Z", "Asia/Taipei", "en").text).toContain("expire on December 31, 2026.");
    expect(reminder("2026-12-31T15:59:59.999Z", "Asia/Taipei", "zh-TW").text).toContain("將於 2026年12月31日 到期");
  });

  it("is the date on the store's calendar, not in UTC", () => {
    // 16:30 UTC on 31 December is already 00:30 on 1 January in Taipei.
    expect(reminder("2026-12-31T16:30:00Z", "Asia/Taipei", "en").text).toContain("expire on January 1, 2027.");
    expect(reminder("2026-12-31T16:30:00Z", "Asia/Taipei", "zh-TW").text).toContain("將於 2027年1月1日 到期");
    expect(reminder("2026-12-31T16:30:00Z", "UTC", "en").text).toContain("expire on December 31, 2026.");
    // 03:00 UTC on 1 January is still the evening of 31 December in Los Angeles.
    expect(reminder("2027-01-01T03:00:00Z", "America/Los_Angeles", "en").text).toContain("expire on December 31, 2026.");
  });

  it("a value that is not an instant is shown as given", () => {
    expect(reminder("soon", "Asia/Taipei", "en").text).toContain("expire on soon.");
  });
});

describe("templates schema", () => {
  it("accepts templates per scenario and language", () => {
    const templates = {
      pointsEarned: { en: { subject: "Hi", text: "+{{points}}", html: "<p>+{{points}}</p>" }, "zh-TW": { text: "獲得 {{points}} 點" } },
      tierChanged: { ja: { text: "{{tier}}" } },
    };
    expect(templatesSchema.parse(templates)).toEqual(templates);
    expect(templatesSchema.parse({})).toEqual({});
  });

  it.each([
    ["an unknown scenario", { pointsLost: { en: { text: "x" } } }],
    ["a template without text", { pointsEarned: { en: { subject: "x" } } }],
    ["an empty text", { pointsEarned: { en: { text: "  " } } }],
    ["an unknown field", { pointsEarned: { en: { text: "x", body: "y" } } }],
    ["a subject on two lines", { pointsEarned: { en: { subject: "a\nb", text: "x" } } }],
    ["a key that is not a language", { pointsEarned: { "<script>": { text: "x" } } }],
    ["a text that is too long", { pointsEarned: { en: { text: "x".repeat(2_001) } } }],
    ["HTML that is too long", { pointsEarned: { en: { text: "x", html: "x".repeat(20_001) } } }],
    ["too many languages", { pointsEarned: Object.fromEntries(["aa", "ab", "ac", "ad", "ae", "af", "ag", "ah", "ai", "aj", "ak"].map((l) => [l, { text: "x" }])) }],
  ])("refuses %s", (_name, templates) => {
    expect(templatesSchema.safeParse(templates).success).toBe(false);
  });
});
