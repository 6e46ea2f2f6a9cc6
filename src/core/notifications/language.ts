/**
 * Language tags as members and stores write them ("zh-TW", "zh_tw", "zh-Hant-TW", "en-US"), matched
 * against the languages a message exists in.
 */

/** The key of `available` that serves `wanted`: the same tag, else the same language and region, else the bare language. */
export function matchLanguage<K extends string>(wanted: string, available: readonly K[]): K | undefined {
  const w = parseTag(wanted);
  if (w === undefined) return undefined;
  const tags = available.map((key) => ({ key, tag: parseTag(key) }));
  const exact = tags.find((t) => t.tag?.normalized === w.normalized);
  if (exact) return exact.key;
  if (w.region !== undefined) {
    const sameRegion = tags.find((t) => t.tag?.language === w.language && t.tag.region === w.region);
    if (sameRegion) return sameRegion.key;
  }
  return tags.find((t) => t.tag !== undefined && t.tag.normalized === w.language)?.key;
}

/** A locale that Intl accepts for formatting dates and numbers; "en" when the tag is not one. */
export function formattingLocale(tag: string): string {
  try {
    return Intl.getCanonicalLocales(tag.replace(/_/g, "-"))[0] ?? "en";
  } catch {
    return "en";
  }
}

interface Tag {
  normalized: string;
  language: string;
  region: string | undefined;
}

function parseTag(raw: string): Tag | undefined {
  const parts = raw.trim().replace(/_/g, "-").toLowerCase().split("-").filter((p) => p !== "");
  const language = parts[0];
  if (language === undefined || !/^[a-z]{2,3}$/.test(language)) return undefined;
  // The region is the 2-letter or 3-digit subtag after the language (and script, if any).
  const region = parts.slice(1).find((p) => /^([a-z]{2}|\d{3})$/.test(p));
  return { normalized: parts.join("-"), language, region };
}
