import type { Browser } from "playwright-core";
import { launchChromium } from "../../fixtures/chromium";

export { launchChromium };

export interface RenderedText {
  png: Uint8Array;
  width: number;
  height: number;
  /** Where the browser laid out each line's glyphs, in screenshot pixels: [left, top, right, bottom]. */
  lineRects: Array<[number, number, number, number]>;
}

/** Screenshots black lines of text on white, one <span> per line, in a sans-serif font (32 px by default). */
export async function renderTextLines(
  browser: Browser,
  lines: string[],
  viewport = { width: 640, height: 200 },
  fontSizePx = 32,
): Promise<RenderedText> {
  const page = await browser.newPage({ viewport, deviceScaleFactor: 1 });
  try {
    const escapeHtml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;");
    await page.setContent(`<!doctype html>
      <html><body style="margin:0;background:#fff">
        <div style="padding:28px 36px;font:${fontSizePx}px 'Liberation Sans',Arial,sans-serif;color:#000;line-height:1.7">
          ${lines.map((line) => `<span class="line">${escapeHtml(line)}</span>`).join("<br>")}
        </div>
      </body></html>`);
    const lineRects = await page.$$eval("span.line", (spans) =>
      spans.map((span) => {
        const r = span.getBoundingClientRect();
        return [r.left, r.top, r.right, r.bottom] as [number, number, number, number];
      }),
    );
    const png = new Uint8Array(await page.screenshot({ type: "png" }));
    return { png, width: viewport.width, height: viewport.height, lineRects };
  } finally {
    await page.close();
  }
}
