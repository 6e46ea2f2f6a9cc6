import { z } from "zod";
import { BUILTIN_LANGUAGES, BUILTIN_POINTS_NAME, BUILTIN_TEXTS, type BuiltinLanguage, type MessageTexts } from "./builtin.ts";
import { formatDate, formatMoney, formatPoints, type Money } from "./format.ts";
import { matchLanguage } from "./language.ts";
import { fillPlaceholders, htmlFromText } from "./placeholders.ts";
import { SCENARIOS, type Scenario } from "./scenarios.ts";

export { SCENARIOS, type Scenario } from "./scenarios.ts";
export { BUILTIN_LANGUAGES, BUILTIN_TEXTS, type MessageTexts } from "./builtin.ts";
export type { Money } from "./format.ts";

/**
 * Member notification texts (SPEC §3 Member notifications): a store's own templates where it wrote
 * them, Pointbook's built-in English and Traditional Chinese otherwise.
 */

/** The placeholders a template may use; any other `{{name}}` is left as written. */
export const PLACEHOLDERS = [
  "points", "pointsName", "balance", "reason", "expiresAt", "cashValue", "storeName", "memberId", "tier",
] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];

const MAX_LANGUAGES_PER_SCENARIO = 10;

const languageKey = z
  .string()
  .min(2)
  .max(20)
  .regex(/^[A-Za-z]{2,3}([_-][A-Za-z0-9]{1,8})*$/, "must be a language tag such as en or zh-TW");

/** One scenario's text in one language: `text` is the email's plain part and the SMS. */
export const templateSchema = z
  .object({
    subject: z.string().trim().min(1).max(200).regex(/^[^\r\n]*$/, "must be a single line").optional(),
    text: z.string().trim().min(1).max(2_000),
    html: z.string().trim().min(1).max(20_000).optional(),
  })
  .strict();

/** `program.templates`: `{[scenario]: {[language]: {subject?, text, html?}}}`. */
export const templatesSchema = z.partialRecord(
  z.enum(SCENARIOS),
  z
    .record(languageKey, templateSchema)
    .refine((byLanguage) => Object.keys(byLanguage).length <= MAX_LANGUAGES_PER_SCENARIO, {
      message: `at most ${MAX_LANGUAGES_PER_SCENARIO} languages per scenario`,
    }),
);

export type MessageTemplate = z.infer<typeof templateSchema>;
export type NotificationTemplates = z.infer<typeof templatesSchema>;

/** What a message is about; each absent value reads as empty where its placeholder stands. */
export interface MessageValues {
  points?: number;
  balance?: number;
  /** The program's `pointsName` (per language) or a name already chosen. */
  pointsName?: string | Readonly<Record<string, string>>;
  reason?: string | null;
  /** An ISO instant; shown as a date on the store's calendar, in the message's language. */
  expiresAt?: string | null;
  /** Money in the store's currency, or an amount already written out. */
  cashValue?: Money | string | null;
  storeName?: string;
  memberId?: string;
  tier?: string | null;
}

export interface RenderInput {
  scenario: Scenario;
  /** The member's language, if known. */
  language?: string | null;
  /** `program.defaultLanguage`. */
  defaultLanguage?: string | null;
  /** The store's IANA zone, for `{{expiresAt}}`. */
  timeZone: string;
  templates?: NotificationTemplates | null;
  values: MessageValues;
}

export interface RenderedMessage extends MessageTexts {
  /** The language the message was written in: the store's template key or a built-in language. */
  language: string;
}

/**
 * The member's language, else the store's default, else English: the first of these that the
 * store's templates or the built-ins have. A field the store's template leaves out comes from the
 * built-ins, except the HTML of a custom text: that is made from the text, so the email shows the
 * merchant's words rather than the built-in ones.
 */
export function renderMessage(input: RenderInput): RenderedMessage {
  const custom = input.templates?.[input.scenario] ?? {};
  const candidates = [input.language, input.defaultLanguage, "en"].filter(
    (l): l is string => typeof l === "string" && l.trim() !== "",
  );
  let language = "en";
  let template: MessageTemplate | undefined;
  for (const candidate of candidates) {
    const customKey = matchLanguage(candidate, Object.keys(custom));
    const builtinKey = matchLanguage(candidate, BUILTIN_LANGUAGES);
    if (customKey !== undefined) {
      language = customKey;
      template = custom[customKey];
      break;
    }
    if (builtinKey !== undefined) {
      language = builtinKey;
      break;
    }
  }
  const builtin = builtinTexts(input.scenario, [language, ...candidates]);
  const texts: MessageTexts = {
    subject: template?.subject ?? builtin.subject,
    text: template?.text ?? builtin.text,
    html: template?.html ?? (template !== undefined ? htmlFromText(template.text) : builtin.html),
  };
  const values = valueStrings(input, language);
  return {
    language,
    // A reason with a line break must not break the one-line subject.
    subject: fillPlaceholders(texts.subject, values, "text").replace(/\s*[\r\n]+\s*/g, " ").trim(),
    text: fillPlaceholders(texts.text, values, "text"),
    html: fillPlaceholders(texts.html, values, "html"),
  };
}

function builtinTexts(scenario: Scenario, languages: readonly string[]): MessageTexts {
  const key = builtinLanguage(languages) ?? "en";
  return BUILTIN_TEXTS[scenario][key];
}

function builtinLanguage(languages: readonly string[]): BuiltinLanguage | undefined {
  for (const l of languages) {
    const key = matchLanguage(l, BUILTIN_LANGUAGES);
    if (key !== undefined) return key;
  }
  return undefined;
}

function valueStrings(input: RenderInput, language: string): Record<Placeholder, string> {
  const v = input.values;
  return {
    points: v.points === undefined ? "" : formatPoints(v.points, language),
    balance: v.balance === undefined ? "" : formatPoints(v.balance, language),
    pointsName: pointsName(v.pointsName, language, input.defaultLanguage),
    reason: v.reason ?? "",
    expiresAt: v.expiresAt ? formatDate(v.expiresAt, input.timeZone, language) : "",
    cashValue: v.cashValue == null ? "" : typeof v.cashValue === "string" ? v.cashValue : formatMoney(v.cashValue, language),
    storeName: v.storeName ?? "",
    memberId: v.memberId ?? "",
    tier: v.tier ?? "",
  };
}

/**
 * The program's name for its points in the message's language; where the program has none in it,
 * the built-in word of that language reads better than a name in another language.
 */
function pointsName(
  name: MessageValues["pointsName"],
  language: string,
  defaultLanguage: string | null | undefined,
): string {
  if (typeof name === "string") return name;
  const named = Object.fromEntries(Object.entries(name ?? {}).filter(([, v]) => v.trim() !== ""));
  const keys = Object.keys(named);
  const own = matchLanguage(language, keys);
  if (own !== undefined) return named[own] ?? "";
  const builtin = matchLanguage(language, BUILTIN_LANGUAGES);
  if (builtin !== undefined) return BUILTIN_POINTS_NAME[builtin];
  for (const fallback of [defaultLanguage, "en"]) {
    const key = fallback ? matchLanguage(fallback, keys) : undefined;
    if (key !== undefined) return named[key] ?? "";
  }
  const first = keys[0];
  return first !== undefined ? (named[first] ?? "") : BUILTIN_POINTS_NAME.en;
}
