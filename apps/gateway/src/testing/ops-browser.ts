/**
 * Headless Chromium for the operator page's end-to-end suites: Debian's browser driven by
 * playwright-core (which downloads none), tabs that record console errors, uncaught exceptions,
 * CSP violations and failed requests, the operator's sign-in, screenshots kept under
 * test-artifacts/ (gitignored), and an axe-core scan of what is on screen.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { REPO_ROOT } from '@order-platform/tools';

/** The window size the operator page is tested at. */
export const OPS_VIEWPORT = { width: 1280, height: 900 };

export async function launchChromium(): Promise<Browser> {
  const executablePath = execFileSync('bash', ['tools/toolchain/chromium.sh'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  })
    .trim()
    .split('\n')
    .pop()!;
  return chromium.launch({
    executablePath,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * A fresh tab on the operator page that records what went wrong in `problems`: in a browser
 * context of its own, or in `context` (whose other tabs then share its cookies).
 */
export async function openOpsPage(
  browser: Browser | BrowserContext,
  gateway: string,
  path = '/ops',
): Promise<{ page: Page; problems: string[] }> {
  const page =
    'newContext' in browser
      ? await browser.newPage({ viewport: OPS_VIEWPORT })
      : await browser.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || /Content Security Policy/i.test(message.text())) {
      problems.push(`console: ${message.text()}`);
    }
  });
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`${response.status()} ${response.url()}`);
  });
  await page.goto(`${gateway}${path}`);
  await page.locator('#login').waitFor({ state: 'visible' });
  return { page, problems };
}

export async function signIn(page: Page, token: string): Promise<void> {
  await page.fill('#token', token);
  await page.click('#login button[type=submit]');
}

/** A full-page screenshot in test-artifacts/<name>.png. */
export async function keepScreenshot(page: Page, name: string): Promise<void> {
  mkdirSync(join(REPO_ROOT, 'test-artifacts'), { recursive: true });
  await page.screenshot({ path: join(REPO_ROOT, 'test-artifacts', `${name}.png`), fullPage: true });
}

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[] }[];
}

/** axe-core's serious and critical violations on the page as it is now (WCAG 2 A and AA). */
export async function seriousAccessibilityViolations(page: Page): Promise<string[]> {
  const source = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  // Evaluated, not added as a <script>: the page's CSP allows only its own scripts.
  await page.evaluate(source);
  const scan = async () =>
    (await page.evaluate(
      `axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'best-practice'] } }).then((r) => r.violations)`,
    )) as AxeViolation[];
  // The page redraws a section every few seconds: a scan that met a node removed under it is
  // run once more, on the page as redrawn.
  const violations = await scan().catch(() => scan());
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) => `${v.id} (${v.impact}): ${v.help} at ${JSON.stringify(v.nodes.map((n) => n.target))}`,
    );
}
