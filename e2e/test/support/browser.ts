import { createHash, X509Certificate } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { readFileSync } from 'node:fs';
import { componentFiles } from '@orderscope/ops';
import { certsDir } from './secure.js';
import { root } from './stack.js';

/** Debian's Chromium (apt-get install chromium), driven by Playwright. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Where the tests leave their screenshots (git-ignored). */
export const SCREENSHOTS = resolve(process.env.ORDERSCOPE_STATE ?? resolve(root, '.local'), 'screenshots');

/** The servers a person's browser meets: the logins (one certificate for all: Jaeger's, the log store's...) and the identity provider. */
const SERVERS = ['oauth2-proxy', 'keycloak'];

/**
 * A browser that trusts the stack's servers and nothing else extra: Chromium is told their keys
 * (SPKI hashes; it takes leaves, not a CA, this way), so any other certificate still fails.
 */
export async function launchBrowser(): Promise<Browser> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const spkis = SERVERS.map((c) =>
    createHash('sha256')
      .update(new X509Certificate(readFileSync(componentFiles(certsDir, c).serverCert)).publicKey.export({ type: 'spki', format: 'der' }))
      .digest('base64'),
  );
  return chromium.launch({
    executablePath: CHROMIUM,
    // As root (CI), Chromium needs --no-sandbox.
    args: ['--no-sandbox', `--ignore-certificate-errors-spki-list=${spkis.join(',')}`],
  });
}
