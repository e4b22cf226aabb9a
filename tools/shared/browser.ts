/**
 * The system Chromium the browser tests drive (Debian's `chromium` package; `.ci/run` installs it
 * when missing). Test tools' own browser downloads cannot run here, so playwright-core drives this
 * one. Flags: headless as root, and nothing that phones home (the machines have no open network).
 */
import { existsSync } from 'node:fs'

export const CHROMIUM_PATH = '/usr/bin/chromium'

/**
 * True when the browser tests should be skipped: only on a developer's machine without Chromium.
 * Under CI=true a missing browser fails the run instead of skipping silently.
 */
export function noBrowser(): boolean {
  if (existsSync(CHROMIUM_PATH)) return false
  if (process.env['CI'] === 'true')
    throw new Error(`CI=true but no Chromium at ${CHROMIUM_PATH}: .ci/run installs Debian's chromium package`)
  return true
}

export async function launchChromium() {
  const { chromium } = await import('playwright-core')
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
}
