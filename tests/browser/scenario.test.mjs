// The what-if scenario screen in Chromium, against the twin started as a real process: a scenario built on the
// map, run with progress from the hub, and compared with its baseline.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { twinInChromium } from './support/session.mjs';
import { clickPath, zoomInAt } from './support/map.mjs';

const BRIDGE = 'seg-cau-rong';
const BRIDGE_PATH = `path[data-segment-id="${BRIDGE}"]`;
/** The map's colour of a closed road (its legend shows the same). */
const CLOSED_COLOR = '#9b59b6';

let page;

const session = twinInChromium();

test('the wall screen links to the scenario screen', async () => {
  page = await session.openPage();
  await page.goto(`${session.url}/`);
  await page.waitForSelector('a.scenario-link[href="/scenario"]:not([hidden])', { timeout: 30_000 });
  await page.click('a.scenario-link');
  await page.waitForURL(`${session.url}/scenario`);
  assert.deepEqual(page.problems, []);
});

test('a scenario closing Cầu Rồng, clicked on the map, runs with live progress and costs delay', async () => {
  const scenarioId = await createPeakScenario('Đóng Cầu Rồng', 'static');
  assert.match(scenarioId, /^scn-/);

  // Focus on the bridge and click its road: the form offers to close it.
  await zoomInAt(page, BRIDGE_PATH, 3);
  await clickPath(page, BRIDGE_PATH);
  const picked = page.locator('form.intervention .picked-segment');
  assert.equal(await picked.getAttribute('data-segment-id'), BRIDGE);
  assert.equal((await picked.textContent()).trim(), 'Cầu Rồng');
  assert.equal(await page.inputValue('form.intervention select[name="kind"]'), 'close-segment');
  await page.click('form.intervention .add');
  await page.waitForSelector(`.intervention-list li[data-kind="close-segment"][data-segment-id="${BRIDGE}"]`, { timeout: 5_000 });

  // Progress arrives from the hub scope scenario:{id} only: record what the bar shows as it moves.
  await page.evaluate(() => {
    window.seenProgress = [];
    new MutationObserver(() => window.seenProgress.push(document.querySelector('.card.run .progress').getAttribute('aria-valuenow')))
      .observe(document.querySelector('.card.run .progress'), { attributes: true });
  });
  await page.click('.run-button');
  await page.waitForSelector('.card.run[data-status="completed"]', { timeout: 90_000 });
  assert.equal(await page.getAttribute('.card.run .progress', 'aria-valuenow'), '100');
  assert.ok((await page.evaluate(() => window.seenProgress)).includes('100'));

  // Side by side: the scenario's total delay is above the baseline's.
  const delayRow = page.locator('.results tr[data-kpi="totalDelayVehHours"]');
  await delayRow.waitFor({ timeout: 10_000 });
  const change = Number(await delayRow.getAttribute('data-change'));
  assert.ok(change > 0, `total delay change ${change}`);
  assert.match(await delayRow.locator('.change').textContent(), /^\+/);
  assert.equal(await page.getAttribute('.results tr[data-kpi="closedSegments"]', 'data-change'), '1');
  await page.waitForSelector('.results .chart[data-metric="cumulativeDelayVehHours"] canvas');
  assert.ok(await page.locator('.results .district-deltas tbody tr').count() >= 7);
  assert.ok(await page.locator(`.results .affected-list li[data-segment-id]`).count() > 0);

  // The map shows the scenario: the bridge drawn closed; in the baseline it is not.
  await page.waitForSelector('.map-area[data-view="scenario"]');
  assert.equal(await page.getAttribute(BRIDGE_PATH, 'data-status'), 'closed');
  assert.equal(await page.getAttribute(BRIDGE_PATH, 'stroke'), CLOSED_COLOR);
  await page.click('[data-view="baseline"]');
  assert.equal(await page.getAttribute(BRIDGE_PATH, 'data-status'), 'open');
  assert.notEqual(await page.getAttribute(BRIDGE_PATH, 'stroke'), CLOSED_COLOR);
  await page.click('[data-view="scenario"]');
  await page.click('.map-fit');
  await page.waitForTimeout(400);
  await session.screenshot(page, 'scenario-1920x1080.png');
  assert.deepEqual(page.problems, []);
});

test('an invalid intervention shows the API\'s error next to its field', async () => {
  await page.selectOption('form.intervention select[name="kind"]', 'rain');
  await page.selectOption('form.intervention select[name="districtId"]', 'hai-chau');
  await page.fill('form.intervention input[name="value"]', '-5');
  await page.click('form.intervention .add');
  const error = page.locator('form.intervention .field-error[data-error-for="value"]');
  await error.waitFor({ state: 'visible', timeout: 5_000 });
  assert.match(await error.textContent(), /is the rainfall in mm\/h, 0 to 500/);
  assert.equal(await page.locator('.intervention-list li[data-kind]').count(), 1);

  // English labels for the same error.
  await page.click('button[data-lang="en"]');
  await page.waitForSelector('html[lang="en"]');
  await page.click('form.intervention .add');
  await page.waitForFunction(() => /^Value is the rainfall/.test(document.querySelector('[data-error-for="value"]')?.textContent ?? ''));
  await session.screenshot(page, 'scenario-error-1920x1080.png');
  // The API answers 400: the browser logs the failed request, nothing else may go wrong.
  assert.deepEqual(page.problems.filter((p) => !/status of 400/.test(p)), []);
});

test('with dynamic loading the map shows the queues at the minute chosen on the timeline', async () => {
  await page.click('.restart');
  const scenarioId = await createPeakScenario('Đóng Cầu Rồng, hàng đợi', 'dynamic');
  await zoomInAt(page, BRIDGE_PATH, 3);
  await clickPath(page, BRIDGE_PATH);
  await page.click('form.intervention .add');
  await page.waitForSelector(`.intervention-list li[data-kind="close-segment"][data-segment-id="${BRIDGE}"]`, { timeout: 5_000 });
  await page.click('.run-button');
  await page.waitForSelector('.card.run[data-status="completed"]', { timeout: 120_000 });
  await page.waitForSelector('.results .queue-list li[data-segment-id]', { timeout: 10_000 });
  await page.waitForSelector('.map-area[data-view="scenario"]');

  // The report says where and when the worst queue was longest; the map opens at that minute with its road queued.
  const report = await page.evaluate(async (id) => {
    const token = sessionStorage.getItem('ioctwin.scenario.token');
    const response = await fetch(`/api/v1/scenarios/${id}`, { headers: { Authorization: `Bearer ${token}` } });
    return (await response.json()).report;
  }, scenarioId);
  const worst = report.queues.worst[0];
  const series = report.queues.extents.find((e) => e.segmentId === worst.segmentId && e.forward === worst.forward);
  const worstStep = series.extentM.indexOf(Math.max(...series.extentM));
  const extentAt = (segmentId, step) => Math.max(0, ...report.queues.extents.filter((e) => e.segmentId === segmentId).map((e) => e.extentM[step]));
  const slider = page.locator('.results input.queue-minute');
  assert.equal(Number(await slider.inputValue()), worstStep);
  const worstPath = `path[data-segment-id="${worst.segmentId}"]`;
  assert.ok(Number(await page.getAttribute(worstPath, 'data-queue-m')) > 0);
  assert.equal(await page.getAttribute(worstPath, 'stroke'), queueColorOf(extentAt(worst.segmentId, worstStep)));
  const queuedAtWorst = new Set(report.queues.extents.filter((e) => e.extentM[worstStep] > 0).map((e) => e.segmentId));
  assert.equal(await page.locator('path[data-queue-m]').count(), queuedAtWorst.size);

  // Another minute on the timeline (the first, or the last if the worst was then): the map shows that minute's queues,
  // the worst road with its extent then, or in its traffic colour if it had none.
  const other = worstStep === 0 ? series.extentM.length - 1 : 0;
  await chooseStep(slider, other);
  const then = extentAt(worst.segmentId, other);
  if (then > 0) {
    assert.equal(Number(await page.getAttribute(worstPath, 'data-queue-m')), Math.round(then));
    assert.equal(await page.getAttribute(worstPath, 'stroke'), queueColorOf(then));
  } else {
    assert.equal(await page.getAttribute(worstPath, 'data-queue-m'), null);
    assert.ok(!Object.values(QUEUE_BAND_COLORS).includes(await page.getAttribute(worstPath, 'stroke')));
  }
  const queuedThen = new Set(report.queues.extents.filter((e) => e.extentM[other] > 0).map((e) => e.segmentId));
  assert.equal(await page.locator('path[data-queue-m]').count(), queuedThen.size);
  assert.equal(await page.getAttribute('.results input.queue-minute', 'data-minute'), String((other + 1) * report.stepSeconds / 60));

  // The baseline has no queues drawn; back on the scenario, the chosen minute's queues are.
  await page.click('[data-view="baseline"]');
  assert.equal(await page.locator('path[data-queue-m]').count(), 0);
  await chooseStep(slider, worstStep);
  await page.waitForSelector('.map-area[data-view="scenario"]');
  assert.ok(Number(await page.getAttribute(worstPath, 'data-queue-m')) > 0);
  await page.click('.map-fit');
  await page.waitForTimeout(400);
  await session.screenshot(page, 'scenario-queues-1920x1080.png');
  // The test before this one saw the API answer 400 on purpose; nothing else may have gone wrong.
  assert.deepEqual(page.problems.filter((p) => !/status of 400/.test(p)), []);
});

/** A new one-hour scenario from the last morning peak with the given traffic model, created on the setup form; its id. */
async function createPeakScenario(name, model) {
  await page.waitForSelector(BRIDGE_PATH, { state: 'attached', timeout: 30_000 });
  await page.fill('form.setup input[name="name"]', name);
  await page.selectOption('form.setup select[name="horizonMinutes"]', '60');
  await page.selectOption('form.setup select[name="model"]', model);
  // At the morning peak a closed bridge costs delay; late at night traffic just takes another bridge.
  await page.fill('form.setup input[name="baseline"]', lastMorningPeak());
  await page.click('form.setup .create');
  await page.waitForSelector('form.intervention:not([hidden])', { timeout: 5_000 });
  return page.getAttribute('form.setup', 'data-scenario-id');
}

/** Moves the queue slider to a step, as dragging it does. */
function chooseStep(slider, step) {
  return slider.evaluate((input, value) => {
    input.value = String(value);
    input.dispatchEvent(new Event('input', { bubbles: true }));
  }, step);
}

/** The map's queue colours by the extent they start at (scenario-queues.js QUEUE_BANDS). */
const QUEUE_BAND_COLORS = { 0: '#ffd166', 100: '#ff8c42', 300: '#e5484d', 1000: '#8e0e3c' };
function queueColorOf(metres) {
  return Object.entries(QUEUE_BAND_COLORS).filter(([from]) => metres >= Number(from)).at(-1)[1];
}

/** The latest 08:00 in Đà Nẵng that is already past, as a datetime-local value. */
function lastMorningPeak() {
  const daNang = new Date(Date.now() + 7 * 3_600_000); // its UTC fields read Đà Nẵng time
  if (daNang.getUTCHours() < 9) daNang.setUTCDate(daNang.getUTCDate() - 1);
  return `${daNang.toISOString().slice(0, 10)}T08:00`;
}
