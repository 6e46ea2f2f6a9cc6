import type { Scenario } from "./scenarios.ts";

export interface MessageTexts {
  subject: string;
  text: string;
  html: string;
}

/** The languages Pointbook writes its own messages in; a store's templates may add any other. */
export const BUILTIN_LANGUAGES = ["en", "zh-TW"] as const;
export type BuiltinLanguage = (typeof BUILTIN_LANGUAGES)[number];

/** What the points are called when the program names them in none of the member's languages. */
export const BUILTIN_POINTS_NAME: Record<BuiltinLanguage, string> = { en: "points", "zh-TW": "點數" };

/**
 * Short enough that `text` also serves as the SMS. Chinese counts "{{pointsName}} N 點"
 * ("紅利點數 100 點"), the way Taiwanese shops write it, whatever the program calls its points.
 */
export const BUILTIN_TEXTS: Record<Scenario, Record<BuiltinLanguage, MessageTexts>> = {
  pointsEarned: {
    en: {
      subject: "You earned {{points}} {{pointsName}} at {{storeName}}",
      text: "You earned {{points}} {{pointsName}} at {{storeName}}.\nYour balance is now {{balance}} {{pointsName}}.",
      html:
        "<p>You earned <strong>{{points}} {{pointsName}}</strong> at {{storeName}}.</p>\n" +
        "<p>Your balance is now <strong>{{balance}} {{pointsName}}</strong>.</p>",
    },
    "zh-TW": {
      subject: "【{{storeName}}】您獲得{{pointsName}} {{points}} 點",
      text: "【{{storeName}}】您獲得{{pointsName}} {{points}} 點，目前共有 {{balance}} 點。",
      html:
        "<p>【{{storeName}}】您獲得{{pointsName}} <strong>{{points}}</strong> 點。</p>\n" +
        "<p>目前共有 <strong>{{balance}}</strong> 點。</p>",
    },
  },
  pointsAdjusted: {
    en: {
      subject: "{{storeName}} added {{points}} {{pointsName}} to your account",
      text:
        "{{storeName}} added {{points}} {{pointsName}} to your account.\nReason: {{reason}}\n" +
        "Your balance is now {{balance}} {{pointsName}}.",
      html:
        "<p>{{storeName}} added <strong>{{points}} {{pointsName}}</strong> to your account.</p>\n" +
        "<p>Reason: {{reason}}</p>\n" +
        "<p>Your balance is now <strong>{{balance}} {{pointsName}}</strong>.</p>",
    },
    "zh-TW": {
      subject: "【{{storeName}}】已為您增加{{pointsName}} {{points}} 點",
      text: "【{{storeName}}】已為您增加{{pointsName}} {{points}} 點，目前共有 {{balance}} 點。\n原因：{{reason}}",
      html:
        "<p>【{{storeName}}】已為您增加{{pointsName}} <strong>{{points}}</strong> 點。</p>\n" +
        "<p>原因：{{reason}}</p>\n" +
        "<p>目前共有 <strong>{{balance}}</strong> 點。</p>",
    },
  },
  expiryReminder: {
    en: {
      subject: "{{points}} {{pointsName}} at {{storeName}} expire on {{expiresAt}}",
      text:
        "{{points}} of your {{pointsName}} at {{storeName}} expire on {{expiresAt}}.\n" +
        "Your balance is {{balance}} {{pointsName}}. Use them before they expire.",
      html:
        "<p><strong>{{points}}</strong> of your {{pointsName}} at {{storeName}} expire on <strong>{{expiresAt}}</strong>.</p>\n" +
        "<p>Your balance is {{balance}} {{pointsName}}. Use them before they expire.</p>",
    },
    "zh-TW": {
      subject: "【{{storeName}}】您有{{pointsName}} {{points}} 點即將到期",
      text: "【{{storeName}}】您有{{pointsName}} {{points}} 點將於 {{expiresAt}} 到期，目前共有 {{balance}} 點，請在到期前使用。",
      html:
        "<p>【{{storeName}}】您有{{pointsName}} <strong>{{points}}</strong> 點將於 <strong>{{expiresAt}}</strong> 到期。</p>\n" +
        "<p>目前共有 {{balance}} 點，請在到期前使用。</p>",
    },
  },
  redemption: {
    en: {
      subject: "You redeemed {{points}} {{pointsName}} at {{storeName}}",
      text: "You redeemed {{points}} {{pointsName}} at {{storeName}}.\nYour balance is now {{balance}} {{pointsName}}.",
      html:
        "<p>You redeemed <strong>{{points}} {{pointsName}}</strong> at {{storeName}}.</p>\n" +
        "<p>Your balance is now <strong>{{balance}} {{pointsName}}</strong>.</p>",
    },
    "zh-TW": {
      subject: "【{{storeName}}】您已使用{{pointsName}} {{points}} 點完成兌換",
      text: "【{{storeName}}】您已使用{{pointsName}} {{points}} 點完成兌換，目前剩餘 {{balance}} 點。",
      html:
        "<p>【{{storeName}}】您已使用{{pointsName}} <strong>{{points}}</strong> 點完成兌換。</p>\n" +
        "<p>目前剩餘 <strong>{{balance}}</strong> 點。</p>",
    },
  },
  tierChanged: {
    en: {
      subject: "Your membership tier at {{storeName}} is now {{tier}}",
      text: "Your membership tier at {{storeName}} is now {{tier}}.",
      html: "<p>Your membership tier at {{storeName}} is now <strong>{{tier}}</strong>.</p>",
    },
    "zh-TW": {
      subject: "【{{storeName}}】您的會員等級已變更為「{{tier}}」",
      text: "【{{storeName}}】您的會員等級已變更為「{{tier}}」。",
      html: "<p>【{{storeName}}】您的會員等級已變更為「<strong>{{tier}}</strong>」。</p>",
    },
  },
};
