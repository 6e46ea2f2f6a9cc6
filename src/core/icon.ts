import { z } from "zod";

/** Icons travel inline in rules and methods; large enough for a small image, small enough for a program document. */
export const MAX_ICON_LENGTH = 100_000;

const DATA_IMAGE = /^data:image\/[a-z0-9.+-]+(;[a-z0-9.+-]+=[a-z0-9.+-]+)*(;base64)?,/i;

/** Only an https: URL or an inline image: anything else (http:, javascript:, data:text/html) could run or leak in the member centre. */
function isIcon(value: string): boolean {
  if (DATA_IMAGE.test(value)) return true;
  if (!/^https:\/\//i.test(value)) return false;
  try {
    const url = new URL(value);
    return url.protocol === "https:" && url.hostname !== "";
  } catch {
    return false;
  }
}

/** An earn rule's or redeem method's icon, shown to members; null means none. */
export const iconSchema = z
  .string()
  .max(MAX_ICON_LENGTH, `must be at most ${MAX_ICON_LENGTH} characters`)
  .refine(isIcon, "must be an https: URL or a data:image/… URI")
  .nullable();
