// The IOC wall's timeline in Chromium: scrubbing back shows the city as it was from reading history, live updates
// are held back from the map while it replays, and "Live" returns to the live twin.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { postReadings, loadSample } from './support/twin.mjs';
import { twinInChromium } from './support/session.mjs';
import { clickPath, zoomInAt } from './support/map.mjs';

const LOS_F_COLOR = '#a50026';
const LOS_A_COLOR = '#1a9850';
const MINUTE = 60_000;

const sample = loadSample();
const segmentsById = new Map(sample.segments.map((s) => [s.id, s]));
const counterOn = (segmentId) => sample.sensors.find((s) => s.segmentId === segmentId && s.kind === 'traffic-counter');


const session = twinInChromium();

/** A traffic counter's reading at a share of its road's free-flow speed, stamped at a time. */
function trafficReading(sensor, speedShare, time) {
  const segment = segmentsById.get(sensor.segmentId);
  return {
    sensorId: sensor.id, timestamp: new Date(time).toISOString(),
    values: { flow: segment.capacityVph * 0.5, speed: segment.freeFlowSpeedKmh * speedShare, occupancy: 100 * (1 - speedShare) },
  };
}

const strokeOf = (page, id) => page.locator(`path[data-segment-id="${id}"]`).getAttribute('stroke');
const waitForStroke = (page, id, color, timeout = 5_000) => page.waitForFunction(
  ([i, c]) => document.querySelector(`path[data-segment-id="${i}"]`)?.getAttribute('stroke') === c,
  [id, color], { timeout, polling: 50 });

/** Moves the timeline's slider as a person dragging it would: an input event at the new value. */
const scrubTo = (page, time) => page.$eval('.replay-slider', (slider, value) => {
  slider.value = String(value);
  slider.dispatchEvent(new Event('input', { bubbles: true }));
}, time);

const hhmm = (ms) => new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Asia/Ho_Chi_Minh', hour: '2-digit', minute: '2-digit', hour12: false,
}).format(new Date(ms));

test('scrubbing the timeline back shows a road congested then; Live shows it free-flowing again', async () => {
  const road = 'seg-cau-rong';
  const other = sample.segments.find((s) => s.id !== road && counterOn(s.id)).id;
  const now = Date.now();
  // History stores readings at their timestamps: congested 20 minutes ago, free-flowing 5 minutes ago.
  await postReadings(session.url, [trafficReading(counterOn(road), 0.2, now - 20 * MINUTE)]);
  await postReadings(session.url, [trafficReading(counterOn(road), 0.95, now - 5 * MINUTE)]);

  const wall = await session.openPage();
  await wall.goto(`${session.url}/`);
  await wall.waitForSelector('.connection[data-status="live"]', { timeout: 30_000 });
  await waitForStroke(wall, road, LOS_A_COLOR);

  // Collapsed by default: the live wall is unchanged until the timeline is opened.
  assert.equal(await wall.locator('.replay-bar').isVisible(), false);
  assert.equal(await wall.locator('.replay-indicator').isVisible(), false);
  await wall.click('.replay-toggle');
  assert.equal(await wall.locator('.replay-bar').isVisible(), true);
  assert.equal(await wall.locator('.replay-indicator').isVisible(), false);

  const then = Math.floor((Date.now() - 15 * MINUTE) / MINUTE) * MINUTE;
  await scrubTo(wall, then);
  await waitForStroke(wall, road, LOS_F_COLOR);
  assert.equal(await wall.locator(`path[data-segment-id="${road}"]`).getAttribute('data-los'), 'F');
  assert.equal(await wall.locator('.replay-indicator').isVisible(), true);
  assert.equal((await wall.locator('.replay-indicator').textContent()).trim(), `XEM LẠI ${hhmm(then)}`);

  // A live reading congests another road while replaying: the hub delivers it, the map holds it back.
  assert.notEqual(await strokeOf(wall, other), LOS_F_COLOR);
  await postReadings(session.url, [trafficReading(counterOn(other), 0.2, Date.now() - 1_000)]);
  await wall.waitForTimeout(1_500);
  assert.notEqual(await strokeOf(wall, other), LOS_F_COLOR);
  assert.equal(await wall.locator('.connection').getAttribute('data-status'), 'live');
  await session.screenshot(wall, 'wall-replay-1920x1080.png');

  await wall.click('.replay-live');
  await waitForStroke(wall, road, LOS_A_COLOR);
  await waitForStroke(wall, other, LOS_F_COLOR);
  assert.equal(await wall.locator('.replay-indicator').isVisible(), false);
  await session.screenshot(wall, 'wall-replay-live-1920x1080.png');
  assert.deepEqual(wall.problems, []);
});

test('while replaying, a sensor\'s detail chart shows its stored history over the replay window', async () => {
  const road = 'seg-cau-rong';
  const counter = counterOn(road);
  const wall = await session.openPage();
  await wall.goto(`${session.url}/`);
  await wall.waitForSelector('.connection[data-status="live"]', { timeout: 30_000 });
  await wall.click('.replay-toggle');
  await scrubTo(wall, Math.floor((Date.now() - 15 * MINUTE) / MINUTE) * MINUTE);
  await waitForStroke(wall, road, LOS_F_COLOR);

  await wall.click(`.district-table tr[data-district-id="${segmentsById.get(road).districtId}"]`);
  await wall.waitForTimeout(600);
  await zoomInAt(wall, `path[data-sensor-id="${counter.id}"]`);
  await clickPath(wall, `path[data-sensor-id="${counter.id}"]`);
  // The readings of 20 and 5 minutes ago (the first test's), and the one-minute buckets they fall in.
  await wall.waitForSelector('.detail .chart[data-source="history"]', { timeout: 5_000 });
  assert.ok(Number(await wall.locator('.detail .chart').getAttribute('data-points')) >= 2);
  await session.screenshot(wall, 'wall-replay-detail-1920x1080.png');

  await wall.click('.replay-live');
  await wall.waitForSelector('.detail .chart[data-source="live"]', { timeout: 5_000 });
  assert.deepEqual(wall.problems, []);
});
