import { z } from "zod";
import { memberAttributesSchema } from "../members/attributes.ts";
import type { MemberAttributes } from "../ports/records.ts";
import { flag, zodMessage, type Cells, type RowResult } from "./cells.ts";

/** Tags in one cell are separated by `|`, as the members export writes them. */
export const TAG_SEPARATOR = "|";

/** A member id: the merchant's own customer id, 1–200 characters (as everywhere in the API). */
export const memberIdCell = z.string().min(1).max(200);

const attributes = memberAttributesSchema.shape;

// Each column is checked by the same rule as `PUT /v1/members/{memberId}`; an empty cell is left out.
const memberCells = z.object({
  memberId: memberIdCell,
  email: attributes.email,
  phone: attributes.phone,
  birthday: attributes.birthday,
  tier: attributes.tier,
  tags: z.string().transform((s) => s.split(TAG_SEPARATOR).map((t) => t.trim()).filter((t) => t !== "")).pipe(attributes.tags.unwrap()).optional(),
  isMember: flag.optional(),
  language: attributes.language,
}).strict();

export interface MemberRow {
  memberId: string;
  /** Only the attributes the row gives: an empty cell leaves the member's value as it is. */
  attributes: MemberAttributes;
}

export function memberRow(cells: Cells): RowResult<MemberRow> {
  const parsed = memberCells.safeParse(cells);
  if (!parsed.success) return { ok: false, message: zodMessage(parsed.error) };
  const { memberId, ...given } = parsed.data;
  const attrs: MemberAttributes = {};
  for (const [key, value] of Object.entries(given)) if (value !== undefined) Object.assign(attrs, { [key]: value });
  return { ok: true, value: { memberId, attributes: attrs } };
}
