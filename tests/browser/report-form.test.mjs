// The public report form in Chromium, as a citizen uses it without a token: a refused field is named beside the form,
// a filed report answers its number (which the tracking form then finds), and the report reaches the queue of the OC
// of the district it was placed in, and no other district's.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadSample } from './support/twin.mjs';
import { twinInChromium } from './support/session.mjs';

const sample = loadSample();
// A place in Hải Châu: Chợ Cồn, where the sample's air-quality sensor sen-aq-002 stands.
const place = { lat: 16.06842, lon: 108.21412 };
const other = sample.districts.find((d) => d.id !== 'hai-chau').id;

const session = twinInChromium();

/** An OC screen of one district, opened through the screen's own chooser. */
async function ocOf(districtId) {
  const oc = await session.openPage({ width: 1366, height: 768 });
  await oc.goto(`${session.url}/oc`);
  await oc.waitForSelector(`#chooser:not([hidden]) select[name="district"] option[value="${districtId}"]`, { state: 'attached', timeout: 10_000 });
  await oc.selectOption('select[name="district"]', districtId);
  await oc.click('form.demo button[type="submit"]');
  await oc.waitForSelector('.connection[data-status="live"]', { timeout: 30_000 });
  return oc;
}

test('a citizen files a report on the public form and it reaches the queue of its district OC only', async () => {
  const form = await session.openPage({ width: 414, height: 896 });
  await form.goto(`${session.url}/report`);
  await form.waitForSelector('select[name="category"] option[value="pothole"]', { state: 'attached', timeout: 10_000 });
  const text = `Ổ gà lớn trước chợ ${Date.now()}`;

  // Sent without a text, the report is refused and the field named.
  await form.selectOption('select[name="category"]', 'pothole');
  await form.fill('input[name="lat"]', String(place.lat));
  await form.fill('input[name="lon"]', String(place.lon));
  await form.click('.report-form button[type="submit"]');
  await form.waitForSelector('.form-errors:not([hidden]) li[data-field="text"]', { timeout: 10_000 });
  assert.equal(await form.getAttribute('textarea[name="text"]', 'aria-invalid'), 'true');

  await form.fill('textarea[name="text"]', text);
  await form.fill('input[name="contact"]', '0905 123 456');
  await form.click('.report-form button[type="submit"]');
  await form.waitForSelector('.form-result:not([hidden])', { timeout: 10_000 });
  assert.equal(await form.locator('.form-errors').isHidden(), true);
  const id = await form.inputValue('.track-form input[name="id"]');
  assert.match(id, /^[0-9a-f]{32}$/);
  assert.equal((await form.locator('.form-result').textContent()).includes(id), true);

  // Tracking by its number shows the state alone.
  await form.click('.track-form button[type="submit"]');
  await form.waitForSelector('.track-result:not([hidden])', { timeout: 10_000 });
  assert.equal((await form.locator('.track-result').textContent()).includes(id), true);
  // The one refusal above is the browser's only complaint.
  assert.deepEqual(form.problems, ['console error: Failed to load resource: the server responded with a status of 400 (Bad Request)']);

  const haiChau = await ocOf('hai-chau');
  const queued = haiChau.locator(`li.report[data-report-id="${id}"]`);
  await queued.waitFor({ timeout: 15_000 });
  assert.equal((await queued.locator('.report-text').textContent()), text);
  assert.equal((await haiChau.locator('#app').textContent()).includes('0905 123 456'), false);
  assert.deepEqual(haiChau.problems, []);

  const elsewhere = await ocOf(other);
  // Its queue loaded (an empty queue says so), without the report.
  await elsewhere.waitForSelector('.report-list li', { state: 'attached', timeout: 15_000 });
  assert.equal(await elsewhere.locator(`[data-report-id="${id}"]`).count(), 0);
  assert.deepEqual(elsewhere.problems, []);
});
