// The IOC wall's timeline in Chromium: scrubbing back shows the city as it was from reading history, live updates
// are held back from the map while it replays, and "Live" returns to the live twin.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { postReadings, loadSample, devToken, INGEST_KEY } from './support/twin.mjs';
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

/** Registers an ambulance (IOC token). */
async function registerAmbulance(url, id) {
  const ioc = await devToken(url, { role: 'ioc' });
  const put = await fetch(`${url}/api/v1/assets/${id}`, {
    method: 'PUT', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${ioc}` },
    body: JSON.stringify({ name: `Cấp cứu ${id}`, kind: 'ambulance', sector: 'public-safety' }),
  });
  assert.equal(put.status, 200, await put.text());
}

/** Posts an asset's positions [{ lat, lon, time }] in one batch; fails unless all are taken. */
async function postPositions(url, id, positions) {
  const posted = await fetch(`${url}/api/v1/assets/positions`, {
    method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Api-Key': INGEST_KEY },
    body: JSON.stringify(positions.map(({ lat, lon, time }) => ({ id, lat, lon, speed: 30, timestamp: new Date(time).toISOString() }))),
  });
  assert.equal(posted.status, 202, await posted.text());
}

/** The vertical screen position of an asset's marker, or null when it is not on the map. */
const markerYNow = (page, id) => page.evaluate((i) => {
  const box = document.querySelector(`path[data-asset-id="${i}"]`)?.getBoundingClientRect();
  return box ? box.top + box.height / 2 : null;
}, id);
/** The marker's height on screen once the map is still (a fit or pan may be animating after a snapshot or a frame). */
const markerY = async (page, id) => {
  let last = await markerYNow(page, id);
  for (let i = 0; i < 40; i++) {
    await page.waitForTimeout(150);
    const y = await markerYNow(page, id);
    if (y !== null && last !== null && Math.abs(y - last) < 0.5) return y;
    last = y;
  }
  return last;
};
/** Waits until the asset's marker is drawn north (above) or south (below) of a screen height. */
const waitForMarker = (page, id, where, y) => page.waitForFunction(([i, w, limit]) => {
  const box = document.querySelector(`path[data-asset-id="${i}"]`)?.getBoundingClientRect();
  if (!box) return false;
  const at = box.top + box.height / 2;
  return w === 'north' ? at < limit : at > limit;
}, [id, where, y], { timeout: 5_000, polling: 50 });

test('while replaying, an ambulance is drawn where it was then, not before its first report; Live shows it where it is now', async () => {
  const id = 'amb-replay-1';
  const north = { lat: 16.09128, lon: 108.2231 };
  const south = { lat: 16.0354, lon: 108.2239 };
  const middle = { lat: 16.0612, lon: 108.2242 };
  const now = Date.now();
  // In the north 20 minutes ago, in the south a few seconds ago.
  await registerAmbulance(session.url, id);
  await postPositions(session.url, id, [{ ...north, time: now - 20 * MINUTE }, { ...south, time: now - 5_000 }]);

  const wall = await session.openPage();
  await wall.goto(`${session.url}/`);
  await wall.waitForSelector('.connection[data-status="live"]', { timeout: 30_000 });
  await wall.waitForSelector(`path[data-asset-id="${id}"]`, { timeout: 10_000 });
  const liveY = await markerY(wall, id);

  await wall.click('.replay-toggle');
  await scrubTo(wall, Math.floor((Date.now() - 15 * MINUTE) / MINUTE) * MINUTE);
  await waitForMarker(wall, id, 'north', liveY - 40);
  const thenY = await markerY(wall, id);
  await session.screenshot(wall, 'wall-replay-assets-1920x1080.png');

  // Before its first report the ambulance was nowhere the twin knows of: no marker.
  await scrubTo(wall, Math.floor((Date.now() - 30 * MINUTE) / MINUTE) * MINUTE);
  await wall.waitForFunction((i) => !document.querySelector(`path[data-asset-id="${i}"]`), id, { timeout: 5_000, polling: 50 });

  // A live report while replaying: the hub delivers it, the map holds it back.
  await scrubTo(wall, Math.floor((Date.now() - 15 * MINUTE) / MINUTE) * MINUTE);
  await waitForMarker(wall, id, 'north', liveY - 40);
  await postPositions(session.url, id, [{ ...middle, time: Date.now() - 1_000 }]);
  await wall.waitForTimeout(1_500);
  assert.ok(Math.abs((await markerY(wall, id)) - thenY) < 2, 'the replayed marker stays where the ambulance was then');

  // Live: where it is now, between the two.
  await wall.click('.replay-live');
  await waitForMarker(wall, id, 'south', thenY + 20);
  const nowY = await markerY(wall, id);
  assert.ok(nowY < liveY - 20, `the live marker moved to the latest report (${nowY} above ${liveY})`);
  assert.equal(await wall.locator(`path[data-asset-id="${id}"]`).count(), 1);
  assert.deepEqual(wall.problems, []);
});
