/** Reads a dotted path (`properties.count`, `order.tags`) from a plain object; undefined when absent. */
export function readPath(subject: unknown, path: string): unknown {
  let current: unknown = subject;
  for (const part of path.split(".")) {
    if (current === null || typeof current !== "object") return undefined;
    if (!Object.prototype.hasOwnProperty.call(current, part)) return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}
