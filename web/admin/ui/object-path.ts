export type Json = Record<string, unknown>;

/** The value at a dotted path (`award.points`), or undefined. */
export function getPath(obj: Json, path: string): unknown {
  return path.split(".").reduce<unknown>((o, k) => (o && typeof o === "object" ? (o as Json)[k] : undefined), obj);
}

/** A copy with the value at `path` set; `undefined` removes it. Everything else is kept as it was. */
export function setPath(obj: Json, path: string, value: unknown): Json {
  const [head, ...rest] = path.split(".");
  const copy: Json = { ...obj };
  if (rest.length === 0) {
    if (value === undefined) delete copy[head!];
    else copy[head!] = value;
    return copy;
  }
  const inner = copy[head!] && typeof copy[head!] === "object" ? (copy[head!] as Json) : {};
  copy[head!] = setPath(inner, rest.join("."), value);
  return copy;
}

export const listText = (v: unknown) => (Array.isArray(v) ? v.join(", ") : "");
export const textList = (s: string) => {
  const items = s.split(",").map((x) => x.trim()).filter((x) => x !== "");
  return items.length > 0 ? items : undefined;
};
