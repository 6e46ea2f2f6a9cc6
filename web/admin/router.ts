import { useEffect, useState } from "preact/hooks";

/** Screens live in the URL's hash (`#/members/alice`), so the server serves one page and links work. */
export function currentRoute(): string[] {
  const hash = location.hash.replace(/^#\/?/, "");
  return hash === "" ? [] : hash.split("/").map((part) => decodeURIComponent(part));
}

export function useRoute(): string[] {
  const [route, setRoute] = useState(currentRoute);
  useEffect(() => {
    const changed = () => setRoute(currentRoute());
    addEventListener("hashchange", changed);
    return () => removeEventListener("hashchange", changed);
  }, []);
  return route;
}

export const href = (...parts: string[]) => `#/${parts.map((p) => encodeURIComponent(p)).join("/")}`;

export function navigate(...parts: string[]): void {
  location.hash = href(...parts);
}
