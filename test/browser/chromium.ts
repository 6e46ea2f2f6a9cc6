import { accessSync, constants } from "node:fs";
import { chromium, type Browser } from "playwright-core";

/** Debian's Chromium: playwright-core downloads no browser of its own. */
export const CHROMIUM = "/usr/bin/chromium";

/**
 * Headless in a container: no sandbox (no user namespaces there), no GPU, a /tmp-backed shared
 * memory, and nothing that calls home (updates, sync, QUIC probes) while the tests run.
 */
export const CHROMIUM_FLAGS = [
  "--headless=new",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-dev-shm-usage",
];

/**
 * The browser for the back-office tests. A machine without Chromium fails them with the way to
 * install it rather than skipping them: a skipped browser suite would pass CI while testing nothing.
 */
export async function launchChromium(executablePath = CHROMIUM): Promise<Browser> {
  try {
    accessSync(executablePath, constants.X_OK);
  } catch {
    throw new Error(
      `The browser tests need Chromium at ${executablePath}, which is missing. Install it with:\n` +
        "  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium fonts-noto-cjk",
    );
  }
  return chromium.launch({ executablePath, args: CHROMIUM_FLAGS });
}
