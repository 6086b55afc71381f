// Drives the dashboard in headless Chromium for dashboard-browser.spec.ts, as a child process
// (puppeteer-core is ESM-only; jest runs CommonJS). Prints one JSON line of what the page shows.
//   node dashboard-driver.mjs <chromium> <dashboard url> <token> <screenshot path | ->
import puppeteer from 'puppeteer-core';

const [chromium, url, token, screenshot] = process.argv.slice(2);
const cells = (rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent));

const browser = await puppeteer.launch({ executablePath: chromium, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
try {
  const page = await browser.newPage();
  await page.setViewport({ width: 1100, height: 1400 });
  await page.goto(url, { waitUntil: 'load' });
  await page.type('#token', token);
  await page.click('#sign-in button[type=submit]');
  const outcome = await Promise.race([
    page.waitForSelector('body[data-loaded="true"]', { timeout: 30_000 }).then(() => 'loaded'),
    page.waitForFunction(() => (document.getElementById('sign-in-error')?.textContent ?? '') !== '', { timeout: 30_000 }).then(() => 'refused'),
  ]);
  const result = { outcome, error: await page.$eval('#sign-in-error', (e) => e.textContent), boardHidden: await page.$eval('#board', (e) => e.hidden) };
  if (outcome === 'loaded') {
    result.invoices = await page.$$eval('#invoices tbody tr', cells);
    result.revenueTotal = await page.$eval('#revenue-total', (e) => e.textContent);
    result.subscriptions = await page.$$eval('#subscriptions tbody tr', cells);
    result.text = await page.$eval('body', (e) => e.textContent ?? '');
    result.csvHref = await page.$eval('#csv', (a) => a.href);
    // uPlot draws on canvases: count each chart's painted (non-transparent) pixels.
    result.painted = await page.evaluate(() =>
      ['revenue-chart', 'plans-chart'].map((id) => {
        const canvas = document.querySelector(`#${id} canvas`);
        if (!canvas) return 0;
        const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        let n = 0;
        for (let i = 3; i < data.length; i += 4) if (data[i] > 0) n++;
        return n;
      }),
    );
    await page.click('#invoices tbody tr');
    await page.waitForSelector('#lines', { timeout: 10_000 });
    result.lines = await page.$$eval('#lines tr', cells);
    if (screenshot !== '-') await page.screenshot({ path: screenshot, fullPage: true });
  }
  console.log(JSON.stringify(result));
} finally {
  await browser.close();
}
