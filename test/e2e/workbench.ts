/**
 * Drives the VS Code workbench that code-server serves, through Debian's Chromium and playwright-core: the
 * command palette, quick picks and input boxes, the explorer's context menu, notifications and webviews.
 */
import { chromium, type Browser, type FrameLocator, type Page } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Launches Debian's Chromium (never a downloaded one). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS });
}

/** Opens the workbench for `folder` and waits until its status bar is drawn. */
export async function openWorkbench(browser: Browser, baseUrl: string, folder: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 }, deviceScaleFactor: 1 });
  await page.goto(`${baseUrl}?folder=${encodeURIComponent(folder)}`);
  await page.locator('.monaco-workbench .part.statusbar').waitFor({ timeout: 60_000 });
  return page;
}

/** The quick input widget (command palette, quick picks, input boxes). */
export const quickInput = (page: Page) => page.locator('.quick-input-widget');

/** Runs a command from the palette by its full title. Extension commands are listed only some seconds after the workbench renders, so it retries until `timeoutMs`. */
export async function runCommand(page: Page, title: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await page.keyboard.press('Escape');
    await page.keyboard.press('F1');
    const input = quickInput(page).locator('input');
    await input.waitFor({ timeout: 10_000 });
    await input.fill(`>${title}`);
    const row = quickInput(page).locator('.monaco-list-row', { hasText: title }).first();
    try {
      await row.waitFor({ timeout: 3_000 });
      await row.click();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`The command "${title}" never appeared in the palette`, { cause: error });
    }
  }
}

/** Replaces the text of the open input box with `text` and accepts it. */
export async function answerInputBox(page: Page, text: string): Promise<void> {
  const input = quickInput(page).locator('input');
  await input.waitFor({ timeout: 15_000 });
  await input.fill(text);
  await input.press('Enter');
}

/** Picks the item labelled exactly `label` in the open quick pick. */
export async function pickQuickItem(page: Page, label: string): Promise<void> {
  const row = quickInput(page).locator('.monaco-list-row', { has: page.locator('.label-name', { hasText: new RegExp(`^${label}$`) }) });
  await row.click({ timeout: 15_000 });
}

/** Right-clicks `fileName` in the explorer and runs the context-menu entry `item`. An extension's entries join the menu only once the extension host has read its manifest, so it retries until `timeoutMs`. */
export async function explorerContextMenu(page: Page, fileName: string, item: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const row = page.locator('.explorer-folders-view .monaco-list-row', { hasText: fileName });
  // The menu lives in a shadow root, which locators pierce.
  const entry = page.getByRole('menuitem', { name: item, exact: true });
  for (;;) {
    await page.keyboard.press('Escape');
    await row.click({ button: 'right', timeout: 30_000 });
    try {
      // Pointing at the entry and pressing Enter: a mouse click that lands while the menu is still opening is
      // ignored by VS Code and leaves the menu open.
      await entry.hover({ timeout: 2_000 });
      await page.keyboard.press('Enter');
      await entry.waitFor({ state: 'hidden', timeout: 5_000 });
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`"${item}" never appeared in the context menu of ${fileName}`, { cause: error });
    }
  }
}

/** The texts of the error notifications now shown (progress and info toasts are left out). */
export function errorNotifications(page: Page): Promise<string[]> {
  return page.locator('.notifications-toasts .notification-list-item:has(.codicon-error) .notification-list-item-message').allTextContents();
}

/** The content of the (only) webview: VS Code nests it two iframes deep. */
export function webviewContent(page: Page): FrameLocator {
  return page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
}
