/**
 * A Chromium for the tests that draw HTML reports. The README's `npm test` must pass on a machine with
 * Node and nothing else, so those tests register as skipped (with the reason) when no browser is found;
 * `.ci/run` installs Debian's Chromium and sets VECPG_REQUIRE_BROWSER=1, which turns a missing browser
 * into a failure there.
 */
import { accessSync, constants } from 'node:fs';

const CANDIDATES = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
];

/** Flags that keep Chromium quiet on a machine without network access (see the env notes in DESIGN). */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The browser to use: $CHROMIUM_PATH, else the first system Chromium/Chrome found, else undefined. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const chosen = env.CHROMIUM_PATH;
  if (chosen) return chosen;
  const found = CANDIDATES.find(executable);
  if (found === undefined && env.VECPG_REQUIRE_BROWSER === '1') {
    throw new Error(`VECPG_REQUIRE_BROWSER=1 but no Chromium at ${CANDIDATES.join(', ')} (set CHROMIUM_PATH)`);
  }
  return found;
}

/** Why a browser test is skipped here, for its title. */
export const NO_BROWSER_REASON = 'skipped: no Chromium found (install chromium or set CHROMIUM_PATH)';
