// Debian's chromium (installed by `npm run setup`: lab/setup.d/60-chromium.sh), driven by
// playwright-core, which brings no browser of its own. A missing browser fails the test that needs it
// with the command that installs it: CI runs setup, so a skip there would hide a broken install.

import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = process.env.KUBEMOAT_CHROMIUM ?? '/usr/bin/chromium';

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no chromium at ${CHROMIUM}: run \`npm run setup\` (lab/setup.d/60-chromium.sh installs Debian's chromium), or set KUBEMOAT_CHROMIUM to a Chromium binary`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    // The tests run as root, and Chromium refuses to start its setuid/user-namespace sandbox as root
    // ("Running as root without --no-sandbox is not supported"). The pages it opens are the
    // tests' own files, so running them unsandboxed risks nothing.
    args: ['--no-sandbox'],
  });
}
