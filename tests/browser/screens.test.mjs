// The IOC wall screen and the OC screen in Chromium, against the twin started as a real process.
// Screenshots go to artifacts/ for a person to look at.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { postReadings, loadSample } from './support/twin.mjs';
import { twinInChromium } from './support/session.mjs';
import { clickPath, zoomInAt } from './support/map.mjs';

/** The map's colours (its legend shows the same): LOS F, the congested one, is dark red; LOS A green. */
const LOS_F_COLOR = '#a50026';
const LOS_A_COLOR = '#1a9850';

const sample = loadSample();
const segmentsById = new Map(sample.segments.map((s) => [s.id, s]));
const sensorsById = new Map(sample.sensors.map((s) => [s.id, s]));
const districtOf = (id) => (segmentsById.get(id) ?? sensorsById.get(id))?.districtId;


const session = twinInChromium();

/** A reading of a traffic sensor on a segment at the given share of its free-flow speed. */
function trafficReading(sensor, speedShare) {
  const segment = segmentsById.get(sensor.segmentId);
  const speed = segment.freeFlowSpeedKmh * speedShare;
  return sensor.kind === 'speed-camera'
    ? { sensorId: sensor.id, values: { speed } }
    : { sensorId: sensor.id, values: { flow: segment.capacityVph * 0.5, speed, occupancy: 100 * (1 - speedShare) } };
}

/** Readings for every sensor of the given ones, so the whole map shows live colours. */
function cityReadings(sensors, speedShareOf) {
  return sensors.map((sensor, i) => {
    switch (sensor.kind) {
      case 'traffic-counter':
      case 'speed-camera':
        return trafficReading(sensor, speedShareOf(sensor, i));
      case 'air-quality': return { sensorId: sensor.id, values: { aqi: 40 + (i * 37) % 140, pm25: 12 + (i % 30) } };
      case 'noise': return { sensorId: sensor.id, values: { db: 55 + (i % 20) } };
      case 'water-level': return { sensorId: sensor.id, values: { level: (i % 5) * 0.07 } };
      case 'rain-gauge': return { sensorId: sensor.id, values: { rainfall: i % 12 } };
      case 'streetlight': return { sensorId: sensor.id, values: { on: 1, power: 120 } };
      case 'water-pressure': return { sensorId: sensor.id, values: { pressure: 2.5 } };
      case 'people-counter': return { sensorId: sensor.id, values: { count: 10 + i } };
      default: throw new Error(`no reading for ${sensor.kind}`);
    }
  });
}

const strokeOf = (page, segmentId) => page.locator(`path[data-segment-id="${segmentId}"]`).getAttribute('stroke');

function waitForStroke(page, segmentId, color, timeout) {
  return page.waitForFunction(
    ([id, c]) => document.querySelector(`path[data-segment-id="${id}"]`)?.getAttribute('stroke') === c,
    [segmentId, color], { timeout, polling: 50 });
}

/** Ids carried by drawn entities of one kind. */
const idsOf = (page, attribute) =>
  page.$$eval(`[data-${attribute}]`, (els, a) => els.map((e) => e.getAttribute(`data-${a}`)), attribute);

let wall;

test('the wall map draws the seven districts of Đà Nẵng by name, with no map tiles', async () => {
  wall = await session.openPage();
  await wall.goto(`${session.url}/`);
  await wall.waitForFunction(() => document.querySelectorAll('path[data-district-id]').length === 7, null, { timeout: 30_000 });

  assert.deepEqual((await idsOf(wall, 'district-id')).filter((id, i, all) => all.indexOf(id) === i).sort(),
    sample.districts.map((d) => d.id).sort());
  const labels = await wall.$$eval('.district-label', (els) => els.map((e) => e.textContent.trim()));
  assert.deepEqual(labels.sort(), sample.districts.map((d) => d.name).sort());
  assert.ok(labels.includes('Ngũ Hành Sơn') && labels.includes('Cẩm Lệ'));
  assert.equal(await wall.locator('path[data-segment-id]').count(), sample.segments.length);
  assert.equal(await wall.locator('path[data-sensor-id]').count(), sample.sensors.length);
  assert.equal(await wall.locator('.leaflet-tile-pane img').count(), 0);
  await wall.waitForSelector('.connection[data-status="live"]', { timeout: 10_000 });
  assert.deepEqual(wall.problems, []);
});

test('a reading that congests a road turns it the LOS F colour within 2 s, and free flow turns it green', async () => {
  const segment = segmentsById.get('seg-cau-rong');
  const counter = sample.sensors.find((s) => s.segmentId === segment.id && s.kind === 'traffic-counter');
  assert.notEqual(await strokeOf(wall, segment.id), LOS_F_COLOR);

  const started = Date.now();
  await postReadings(session.url, [trafficReading(counter, 0.2)]);
  await waitForStroke(wall, segment.id, LOS_F_COLOR, 2_000);
  const elapsed = Date.now() - started;
  assert.ok(elapsed <= 2_000, `took ${elapsed} ms`);
  assert.equal(await wall.locator(`path[data-segment-id="${segment.id}"]`).getAttribute('data-los'), 'F');

  await postReadings(session.url, [trafficReading(counter, 0.95)]);
  await waitForStroke(wall, segment.id, LOS_A_COLOR, 2_000);
  assert.deepEqual(wall.problems, []);
});

test('clicking a road opens its live detail with a chart of the values received', async () => {
  const segment = segmentsById.get('seg-cau-rong');
  const counter = sample.sensors.find((s) => s.segmentId === segment.id && s.kind === 'traffic-counter');
  // Focus the map on the road's district from the district table, zoom in on the road, click it.
  await wall.click(`.district-table tr[data-district-id="${segment.districtId}"]`);
  await wall.waitForTimeout(600);
  await zoomInAt(wall, `path[data-segment-id="${segment.id}"]`);
  await clickPath(wall, `path[data-segment-id="${segment.id}"]`);
  const panel = wall.locator('.detail');
  await panel.waitFor({ state: 'visible', timeout: 5_000 });
  assert.equal((await panel.locator('.detail-title').textContent()).trim(), 'Cầu Rồng');
  // Two readings so far (congested, then free flow): the chart has both, the panel shows the latest speed.
  await wall.waitForSelector('.detail .chart[data-points="2"] canvas', { timeout: 5_000 });
  assert.equal((await panel.locator('dd[data-value="speedKmh"]').textContent()).trim(), '47,5');

  await postReadings(session.url, [trafficReading(counter, 0.45)]);
  await wall.waitForSelector('.detail .chart[data-points="3"]', { timeout: 3_000 });
  assert.equal((await panel.locator('dd[data-value="speedKmh"]').textContent()).trim(), '22,5');
  assert.match(await panel.locator('.los-badge').textContent(), /\bD\b/);
  await session.screenshot(wall, 'wall-detail-1920x1080.png');

  await panel.locator('.detail-close').click();
  await panel.waitFor({ state: 'hidden', timeout: 2_000 });
  assert.deepEqual(wall.problems, []);
});

test('the language switch shows English labels, and Vietnamese again', async () => {
  assert.equal(await wall.getAttribute('html', 'lang'), 'vi');
  assert.equal((await wall.locator('.title').textContent()).trim(), 'Trung tâm Giám sát, Điều hành Đô thị thông minh');
  assert.equal((await wall.locator('.tile[data-kpi="meanSpeedKmh"] .tile-label').textContent()).trim(), 'Tốc độ trung bình');

  await wall.locator('button[data-lang="en"]').click();
  await wall.waitForSelector('html[lang="en"]', { timeout: 2_000 });
  assert.equal((await wall.locator('.title').textContent()).trim(), 'Intelligent Operations Center');
  assert.equal((await wall.locator('.tile[data-kpi="meanSpeedKmh"] .tile-label').textContent()).trim(), 'Mean speed');
  assert.equal((await wall.locator('.alert-list .empty').textContent()).trim(), 'No alerts.');
  assert.equal(await wall.locator('.kpi-select option[value="worstAqi"]').textContent(), 'Worst AQI');
  assert.equal((await wall.locator('.connection-label').textContent()).trim(), 'Live');
  await session.screenshot(wall, 'wall-en-1920x1080.png');

  await wall.locator('button[data-lang="vi"]').click();
  await wall.waitForSelector('html[lang="vi"]', { timeout: 2_000 });
  assert.equal((await wall.locator('.tile[data-kpi="meanSpeedKmh"] .tile-label').textContent()).trim(), 'Tốc độ trung bình');
  assert.deepEqual(wall.problems, []);
});

test('the clock shows the twin\'s time zone: Đà Nẵng by default, and another when the twin is set to it', async () => {
  assert.equal((await wall.locator('.clock-zone').textContent()).trim(), 'GMT+7');

  // The same screen told by its twin that the city keeps Berlin's time (Twin:TimeZone).
  const berlin = await session.openPage();
  await berlin.route('**/api/v1/config', (route) => route.fulfill({ json: { timeZone: 'Europe/Berlin' } }));
  const inBerlin = (options) => new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Berlin', ...options });
  const hour = () => inBerlin({ hour: '2-digit', hour12: false }).format(new Date());
  const before = hour();
  await berlin.goto(`${session.url}/`);
  await berlin.waitForFunction(() => document.querySelector('.clock-time')?.textContent.includes(':'), null, { timeout: 10_000 });
  const shown = (await berlin.locator('.clock-time').textContent()).trim();

  assert.equal((await berlin.locator('.clock-zone').textContent()).trim(), inBerlin({ timeZoneName: 'shortOffset' }).formatToParts(new Date())
    .find((part) => part.type === 'timeZoneName').value);
  assert.ok([before, hour()].includes(shown.slice(0, 2)), `the clock shows ${shown}, Berlin's hour is ${before}`);
  assert.deepEqual(berlin.problems, []);
  await berlin.close();
});

test('the wall fills a 1920×1080 screen and a laptop screen with the live city', async () => {
  const readings = cityReadings(sample.sensors, (_, i) => [0.95, 0.8, 0.6, 0.45, 0.35, 0.2][i % 6]);
  await postReadings(session.url, readings);
  await wall.waitForFunction((n) => document.querySelector('.tile[data-kpi="sensorsOnline"] .tile-value')?.textContent.startsWith(String(n)),
    sample.sensors.length, { timeout: 10_000 });
  await wall.selectOption('.kpi-select', 'worstAqi');
  await wall.click('.map-fit');
  await wall.waitForTimeout(500);

  for (const [width, height] of [[1920, 1080], [1366, 768]]) {
    await wall.setViewportSize({ width, height });
    await wall.waitForTimeout(300);
    await wall.click('.map-fit');
    await wall.waitForTimeout(400);
    const layout = await wall.evaluate(() => {
      const box = (sel) => document.querySelector(sel).getBoundingClientRect();
      return {
        scrollWidth: document.documentElement.scrollWidth,
        scrollHeight: document.documentElement.scrollHeight,
        map: box('.map'),
        sidebar: box('.sidebar'),
        tiles: box('.tiles'),
      };
    });
    assert.ok(layout.scrollWidth <= width, `no sideways scrolling at ${width}×${height}`);
    assert.ok(layout.scrollHeight <= height, `nothing below the fold at ${width}×${height}`);
    assert.ok(layout.map.width >= width * 0.6 && layout.map.height >= height * 0.75, `map large at ${width}×${height}`);
    assert.ok(layout.tiles.right <= width && layout.tiles.bottom <= height, `city KPIs visible at ${width}×${height}`);
    await session.screenshot(wall, `wall-${width}x${height}.png`);
  }
  await wall.setViewportSize({ width: 1920, height: 1080 });
  assert.deepEqual(wall.problems, []);
});

test('a district OC sees only its own district, while readings arrive for every district', async () => {
  const own = 'thanh-khe';
  const oc = await session.openPage({ width: 1366, height: 768 });
  await oc.goto(`${session.url}/oc`);
  await oc.waitForSelector('#chooser:not([hidden]) select[name="district"] option[value="thanh-khe"]', { state: 'attached', timeout: 10_000 });
  await session.screenshot(oc, 'oc-chooser-1366x768.png');
  await oc.check('input[name="role"][value="district-oc"]');
  await oc.selectOption('select[name="district"]', own);
  await oc.click('form.demo button[type="submit"]');
  await oc.waitForSelector('.district-label', { timeout: 10_000 });
  assert.match(await oc.locator('.title').textContent(), /Thanh Khê/);

  const ownSegments = sample.segments.filter((s) => s.districtId === own);
  const ownSensors = sample.sensors.filter((s) => s.districtId === own);
  await oc.waitForFunction((n) => document.querySelectorAll('path[data-sensor-id]').length === n, ownSensors.length, { timeout: 10_000 });

  // Congest every road of the city: the OC's own roads turn dark red, the others must not appear at all.
  await postReadings(session.url, cityReadings(sample.sensors, () => 0.2));
  const ownCounted = ownSegments.find((s) => sample.sensors.some((x) => x.segmentId === s.id && x.kind === 'traffic-counter'));
  await waitForStroke(oc, ownCounted.id, LOS_F_COLOR, 10_000);
  await oc.waitForTimeout(1_000);

  assert.deepEqual([...new Set(await idsOf(oc, 'district-id'))], [own]);
  const segments = await idsOf(oc, 'segment-id');
  const sensors = await idsOf(oc, 'sensor-id');
  assert.equal(segments.length, ownSegments.length);
  assert.equal(sensors.length, ownSensors.length);
  assert.deepEqual(segments.filter((id) => districtOf(id) !== own), []);
  assert.deepEqual(sensors.filter((id) => districtOf(id) !== own), []);
  const html = await oc.content();
  const foreign = [...sample.segments, ...sample.sensors].filter((e) => e.districtId !== own)
    .filter((e) => new RegExp(`(?<![\\w-])${e.id}(?![\\w-])`).test(html));
  assert.deepEqual(foreign.map((e) => e.id), []);
  const otherNames = sample.districts.filter((d) => d.id !== own).map((d) => d.name);
  const text = await oc.locator('body').innerText();
  assert.deepEqual(otherNames.filter((name) => text.includes(name)), []);

  await session.screenshot(oc, 'oc-district-1366x768.png');
  assert.deepEqual(oc.problems, []);

  // A sector OC (flood) sees flood sensors of the whole city and no roads.
  await oc.click('.token-button');
  await oc.waitForSelector('#chooser:not([hidden]) select[name="sector"] option[value="flood"]', { state: 'attached', timeout: 10_000 });
  await oc.check('input[name="role"][value="sector-oc"]');
  await oc.selectOption('select[name="sector"]', 'flood');
  await oc.click('form.demo button[type="submit"]');
  const flood = sample.sensors.filter((s) => s.sector === 'flood');
  await oc.waitForFunction((n) => document.querySelectorAll('path[data-sensor-id]').length === n, flood.length, { timeout: 10_000 });
  assert.equal(await oc.locator('path[data-segment-id]').count(), 0);
  assert.deepEqual((await idsOf(oc, 'sensor-id')).filter((id) => sensorsById.get(id)?.sector !== 'flood'), []);
  assert.match(await oc.locator('.title').textContent(), /Chống ngập/);
  // Its tiles are the server's count over the flood sector: every flood sensor has just reported, and none other counts.
  await oc.waitForFunction((n) => document.querySelector('.tile[data-kpi="sensorsOnline"] .tile-value')?.textContent.trim() === String(n),
    flood.length, { timeout: 10_000 });
  // Its districts are coloured by the flood sector's own KPI, the highest water level.
  assert.equal(await oc.locator('.kpi-select').inputValue(), 'maxWaterLevelM');
  await session.screenshot(oc, 'oc-sector-1366x768.png');
  assert.deepEqual(oc.problems, []);
  await oc.close();
});
