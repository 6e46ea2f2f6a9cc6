/** What a CSV import brings in (SPEC §6 Imports): member attributes, opening balances, or past orders. */
export const IMPORT_KINDS = ["members", "balances", "orders"] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];

export function isImportKind(value: string): value is ImportKind {
  return (IMPORT_KINDS as readonly string[]).includes(value);
}

/** The columns of each kind, in the order the documentation lists them. */
export const COLUMNS: Record<ImportKind, readonly string[]> = {
  members: ["memberId", "email", "phone", "birthday", "tier", "tags", "isMember", "language"],
  balances: ["memberId", "points", "expiresAt", "reason"],
  orders: [
    "orderId", "memberId", "channel", "currency", "placedAt", "paidAt", "fulfilledAt", "deliveredAt", "canceledAt",
    "sku", "quantity", "amount", "giftCard", "discounts", "shipping",
  ],
};

/** Columns a file must have; the others may be left out, which is the same as leaving them empty. */
export const REQUIRED: Record<ImportKind, readonly string[]> = {
  members: ["memberId"],
  balances: ["memberId", "points"],
  orders: ["orderId", "placedAt", "sku", "quantity", "amount"],
};

/**
 * Why a header line cannot be imported, or null when it can. Unknown columns are refused rather
 * than ignored: a misspelt column (`emial`) would otherwise drop its data without a word.
 */
export function headerProblem(kind: ImportKind, header: readonly string[]): string | null {
  const known = new Set(COLUMNS[kind]);
  const seen = new Set<string>();
  for (const name of header) {
    if (!known.has(name)) return `unknown column "${name}"; a ${kind} file has the columns ${COLUMNS[kind].join(",")}`;
    if (seen.has(name)) return `column "${name}" appears twice`;
    seen.add(name);
  }
  const missing = REQUIRED[kind].filter((c) => !seen.has(c));
  if (missing.length > 0) return `missing column${missing.length > 1 ? "s" : ""} ${missing.map((c) => `"${c}"`).join(", ")}; a ${kind} file has the columns ${COLUMNS[kind].join(",")}`;
  return null;
}
