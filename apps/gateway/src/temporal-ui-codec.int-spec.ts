/**
 * The Temporal Web UI reads an order's encrypted history through the gateway's codec endpoint,
 * in headless Chromium, as an operator does it: the test stack's dev server names the codec
 * endpoint of a gateway on a port of its own (`--ui-codec-endpoint`, TEMPORAL_UI_CODEC_ENDPOINT),
 * which this suite starts its gateway on. The operator sets the UI's Codec Server to their browser's
 * setting with cross-origin credentials (the dev server's own setting sends no cookie), sees the
 * order's input still encrypted, signs in to the operator page (which opens the codec session),
 * and then reads it decoded. Screenshot: test-artifacts/temporal-ui-decoded-history.png.
 */
import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { workflowIdForOrder } from '@order-platform/domain';
import {
  AppsUnderTest,
  calmDownstream,
  eventually,
  gatewayCall,
  simulatorCall,
  suiteEnv,
} from '@order-platform/tools';
import {
  keepScreenshot,
  launchChromium,
  OPS_VIEWPORT,
  openOpsPage,
  signIn,
} from './testing/ops-browser';
import { placeOrder } from './testing/placed-orders';
import { tokenFor } from './testing/test-tokens';

describe('the Temporal Web UI with the codec endpoint, in headless Chromium', () => {
  const apps = new AppsUnderTest('temporal-ui-codec');
  const sku = `SKU-UI-${randomUUID().slice(0, 8)}`;
  let gateway: string;
  let codecEndpoint: string;
  let orderId: string;
  let browser: Browser | undefined;

  beforeAll(async () => {
    const simulators = await apps.downstream();
    codecEndpoint = suiteEnv('TEMPORAL_UI_CODEC_ENDPOINT');
    gateway = await apps.start(
      'gateway',
      'gateway',
      {},
      'ready',
      Number(new URL(codecEndpoint).port),
    );
    await calmDownstream(simulators);
    await simulatorCall(simulators, 'PUT', `/warehouse/stock/${sku}`, { onHand: 10 });
    await simulatorCall(simulators, 'PUT', `/catalogue/products/${sku}`, {
      priceMinor: 990,
      currency: 'EUR',
    });
    ({ orderId } = await placeOrder(gateway, sku, 'c-ui'));
    const operator = await tokenFor('operator', 'ui-codec-check');
    await eventually(
      'the order to run',
      async () =>
        (await gatewayCall(gateway, 'GET', `/v1/ops/orders/${orderId}`, { token: operator }))
          .status === 200
          ? true
          : undefined,
      { timeoutMs: 90_000 },
    );
    browser = await launchChromium();
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await apps.stopAll();
  }, 60_000);

  /** The workflow's input as the UI's Input panel shows it (from its started event). */
  const shownInput = async (page: Page): Promise<string> => {
    const input = page.locator('[data-testid="input-and-result"] .cm-content').first();
    await input.waitFor();
    return (await input.textContent()) ?? '';
  };

  it("shows an operator the order workflow's input decoded, and no one else", async () => {
    // One browser: the operator page's codec session is the Web UI's too.
    const context = await browser!.newContext({ viewport: OPS_VIEWPORT });
    const { page: opsPage, problems } = await openOpsPage(context, gateway);
    const page = await context.newPage();
    const workflowPage = `${suiteEnv('TEMPORAL_UI_URL')}/namespaces/${suiteEnv('TEMPORAL_NAMESPACE')}/workflows/${workflowIdForOrder(orderId)}`;
    await page.goto(workflowPage);

    // The dev server names the endpoint but sends no credentials; the operator's browser setting
    // does (kept by the UI in this browser).
    await page.locator('[data-testid^="data-encoder-status"]').click();
    await page.getByRole('button', { name: 'Use Cluster-level setting' }).click();
    await page.getByLabel('Use my browser setting and ignore Cluster-level setting.').check();
    await page.getByPlaceholder('Paste your endpoint here').fill(codecEndpoint);
    // The switches sit under the UI's sticky header at this size: the keyboard reaches them.
    const credentials = page.getByRole('switch', { name: 'Include cross-origin credentials' });
    await credentials.focus();
    await page.keyboard.press('Space');
    expect(await credentials.isChecked()).toBe(true);
    await page.getByRole('button', { name: 'Apply' }).focus();
    await page.keyboard.press('Enter');

    // Without a codec session the gateway refuses to decode: the UI shows only ciphertext.
    const refused = page.waitForResponse(
      (response) =>
        response.url().startsWith(`${codecEndpoint}/decode`) &&
        response.request().method() === 'POST',
    );
    await page.reload();
    expect((await refused).status()).toBe(401);
    expect(await shownInput(page)).not.toContain(orderId);

    // Signed in to the operator page (same browser), the UI reads the history decoded.
    await signIn(opsPage, await tokenFor('operator', 'ops-ui-codec'));
    await opsPage.locator('#status', { hasText: 'updated' }).waitFor();
    await eventually('the operator page to open the codec session', async () =>
      (await opsPage.context().cookies(codecEndpoint)).length > 0 ? true : undefined,
    );
    await page.reload();
    await eventually(
      'the decoded input',
      async () => ((await shownInput(page)).includes(`"orderId": "${orderId}"`) ? true : undefined),
      { timeoutMs: 30_000 },
    );
    const decoded = await shownInput(page);
    expect(decoded).toContain(`"orderId": "${orderId}"`);
    expect(decoded).toContain(`"sku": "${sku}"`);
    // The address is kept apart from the history (order_personal_data): decoded, it is not there.
    expect(decoded).not.toContain('12345');
    await keepScreenshot(page, 'temporal-ui-decoded-history');
    expect(problems).toEqual([]);
    await context.close();
  }, 180_000);
});
