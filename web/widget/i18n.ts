/** The widgets' own words; the program's texts (points name, how to earn) come from the API. */
const en = {
  balance: "Balance",
  cashValue: "Worth at checkout",
  pending: "Pending",
  held: "Held at checkout",
  tier: "Tier",
  expiring: "Expiring",
  noExpiry: "None of your points are due to expire.",
  howToEarn: "How to earn and use",
  rewards: "Rewards",
  noRewards: "No rewards yet.",
  redeem: "Redeem",
  redeeming: "Redeeming…",
  redeemed: (name: string) => `Redeemed: ${name}.`,
  yourCode: "Your code",
  notEnough: (points: string) => `${points} needed`,
  history: "History",
  noHistory: "Nothing yet.",
  more: "Show more",
  loading: "Loading…",
  expired: "Your session has expired. Please sign in again to see your points.",
  invalid: "This link is not valid. Please sign in again to see your points.",
  disabled: "The points program is paused at the moment.",
  error: "Something went wrong. Please try again.",
  offline: "The points service could not be reached. Please try again.",
  points: "points",
  usePoints: (name: string) => `Use your ${name}`,
  available: (points: string) => `You have ${points}.`,
  maxForCart: (points: string, money: string) => `Up to ${points} (${money} off) can be used on this order.`,
  pointsToUse: (name: string) => `${name} to use`,
  apply: "Apply",
  applied: (points: string, money: string) => `${points} will take ${money} off.`,
  /** Why a cart can use no points (the quote's reasonCode), in the member's words. */
  reasons: {
    below_min_subtotal: "This order is below the minimum for using points.",
    below_min_balance: "You need more points before you can use them.",
    no_points: "You do not have enough points to use on this order yet.",
    not_stackable_with_discounts: "Points cannot be combined with this order's discounts.",
    no_eligible_products: "None of the products in this order can be paid with points.",
    nothing_to_pay: "Discounts already cover what points could pay for.",
    order_limit_reached: "This order already uses the most points allowed.",
    program_disabled: "The points program is paused at the moment.",
    no_method: "Points cannot be used at checkout in this shop.",
  } as Record<string, string>,
  types: {
    earn: "Earned", pending: "Pending", mature: "Now available", redeem: "Redeemed", hold: "Held at checkout", release: "Released",
    capture: "Spent", expire: "Expired", reverse: "Taken back", adjust: "Adjusted", import: "Opening balance", write_off: "Written off", return: "Returned",
  } as Record<string, string>,
};

type Strings = typeof en;

const zhTW: Strings = {
  balance: "點數餘額",
  cashValue: "可折抵金額",
  pending: "待入帳",
  held: "結帳保留中",
  tier: "會員等級",
  expiring: "即將到期",
  noExpiry: "目前沒有即將到期的點數。",
  howToEarn: "點數取得與使用方式",
  rewards: "可兌換項目",
  noRewards: "目前沒有可兌換的項目。",
  redeem: "兌換",
  redeeming: "兌換中…",
  redeemed: (name: string) => `已兌換：${name}。`,
  yourCode: "您的兌換碼",
  notEnough: (points: string) => `需要 ${points}`,
  history: "點數紀錄",
  noHistory: "目前沒有紀錄。",
  more: "顯示更多",
  loading: "載入中…",
  expired: "登入已逾時，請重新登入以查看您的點數。",
  invalid: "此連結無效，請重新登入以查看您的點數。",
  disabled: "點數活動目前暫停中。",
  error: "發生錯誤，請稍後再試。",
  offline: "無法連線到點數服務，請稍後再試。",
  points: "點",
  usePoints: (name: string) => `使用${name}`,
  available: (points: string) => `您目前有 ${points}。`,
  maxForCart: (points: string, money: string) => `本筆訂單最多可使用 ${points}（折抵 ${money}）。`,
  pointsToUse: (name: string) => `欲使用的${name}`,
  apply: "套用",
  applied: (points: string, money: string) => `使用 ${points}，折抵 ${money}。`,
  reasons: {
    below_min_subtotal: "本筆訂單金額未達使用點數的最低門檻。",
    below_min_balance: "您的點數需達到一定數量才能使用。",
    no_points: "您的點數尚不足以折抵本筆訂單。",
    not_stackable_with_discounts: "點數無法與本筆訂單的其他折扣併用。",
    no_eligible_products: "本筆訂單中沒有可用點數折抵的商品。",
    nothing_to_pay: "折扣已涵蓋可用點數折抵的金額。",
    order_limit_reached: "本筆訂單已使用最多可折抵的點數。",
    program_disabled: "點數活動目前暫停中。",
    no_method: "本商店結帳時不提供點數折抵。",
  },
  types: {
    earn: "獲得", pending: "待入帳", mature: "已入帳", redeem: "兌換", hold: "結帳保留", release: "釋回",
    capture: "已使用", expire: "到期", reverse: "扣回", adjust: "調整", import: "期初點數", write_off: "沖銷", return: "退回",
  },
};

const LANGUAGES: Record<string, Strings> = { en, "zh-TW": zhTW, "zh-Hant": zhTW, "zh-HK": zhTW, zh: zhTW };

export function strings(lang: string): Strings {
  return LANGUAGES[lang] ?? LANGUAGES[lang.split("-")[0]!] ?? en;
}

export type { Strings };
