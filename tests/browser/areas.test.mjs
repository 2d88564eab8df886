// The wall and OC screens on a city with wards: the level picker, drilling down from a district to its wards and back
// up by the breadcrumb, a ward OC's screen, schematic boundaries labelled as such, and the timeline replaying every
// level. The twin is the Đà Nẵng sample with two wards imported into Hải Châu, each holding one air-quality sensor
// moved into it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { devToken, postReadings, loadSample, repoRoot } from './support/twin.mjs';
import { twinInChromium } from './support/session.mjs';

const sample = loadSample();
const features = JSON.parse(readFileSync(path.join(repoRoot, 'grains/IocTwin.Domain/SampleCity/danang.geojson'), 'utf8')).features;

/** A small square ward around a sensor of Hải Châu, well inside the district's outline; the sensor moves into it. */
function wardAround(id, name, sensorId) {
  const sensor = features.find((f) => f.properties.id === sensorId);
  const [lon, lat] = sensor.geometry.coordinates;
  const d = 0.002;
  return [
    {
      type: 'Feature',
      properties: { type: 'area', id, kind: 'ward', name, nameEn: name, parentId: 'hai-chau' },
      geometry: { type: 'Polygon', coordinates: [[[lon - d, lat - d], [lon + d, lat - d], [lon + d, lat + d], [lon - d, lat + d], [lon - d, lat - d]]] },
    },
    { ...sensor, properties: { ...sensor.properties, districtId: id } },
  ];
}

const WARDS = [
  { id: 'phuoc-ninh', name: 'Phước Ninh', sensorId: 'sen-aq-002' },
  { id: 'binh-thuan', name: 'Bình Thuận', sensorId: 'sen-aq-004' },
];
const WARD_IDS = WARDS.map((w) => w.id).sort();
const DISTRICT_IDS = sample.districts.map((d) => d.id).sort();

const session = twinInChromium();

/** Imports the wards once, before the first screen opens (a screen reads the tree of areas as it starts). */
let imported;
const withWards = () => (imported ??= importWards());

async function importWards() {
  const token = await devToken(session.url, { role: 'ioc' });
  const response = await fetch(`${session.url}/api/v1/import`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    body: JSON.stringify({ type: 'FeatureCollection', features: WARDS.flatMap((w) => wardAround(w.id, w.name, w.sensorId)) }),
  });
  assert.equal(response.status, 200, await response.text());
  // Each ward's air quality differs, so the screens show the wards' own KPIs.
  await postReadings(session.url, [
    { sensorId: 'sen-aq-002', values: { aqi: 61, pm25: 20 } },
    { sensorId: 'sen-aq-004', values: { aqi: 173, pm25: 90 } },
  ]);
}

const unique = (ids) => [...new Set(ids)].sort();
/** Ids of the areas drawn on the map and of the rows of the area table. */
const mapAreas = (page) => page.$$eval('path[data-district-id]', (els) => els.map((e) => e.dataset.districtId)).then(unique);
const tableAreas = (page) => page.$$eval('.district-table tbody tr', (els) => els.map((e) => e.dataset.districtId)).then(unique);

function waitForAreas(page, ids) {
  return page.waitForFunction((wanted) => {
    const drawn = [...new Set([...document.querySelectorAll('path[data-district-id]')].map((e) => e.dataset.districtId))].sort();
    const rows = [...document.querySelectorAll('.district-table tbody tr')].map((e) => e.dataset.districtId).sort();
    return drawn.join() === wanted.join() && rows.join() === wanted.join();
  }, ids, { timeout: 15_000 });
}

const crumbs = (page) => page.$$eval('.breadcrumb .crumb', (els) => els.map((e) => e.textContent.trim()));

let wall;

test('the wall screen starts at the districts, with the wards offered as a level and the outlines marked schematic', async () => {
  await withWards();
  wall = await session.openPage();
  await wall.goto(`${session.url}/`);
  await waitForAreas(wall, DISTRICT_IDS);

  const levels = await wall.$$eval('.level-select option', (els) => els.map((e) => e.textContent));
  assert.deepEqual(levels, ['Quận / huyện', 'Phường']);
  assert.equal(await wall.locator('.level-field').isVisible(), true);

  // The sample's district outlines are approximate: dashed, labelled in the legend and when pointed at.
  const dashes = await wall.$$eval('path[data-district-id]', (els) => els.map((e) => e.getAttribute('stroke-dasharray')));
  assert.ok(dashes.every((d) => d && d !== 'none'), `dashed outlines: ${dashes}`);
  assert.match(await wall.locator('.legend .legend-schematic').textContent(), /Ranh giới minh hoạ/);
  assert.match(await wall.locator('path[data-district-id="hai-chau"] title').textContent(), /Hải Châu · ranh giới minh hoạ/);
  assert.deepEqual(wall.problems, []);
});

test('picking the ward level shows the wards on the map and in the table, with districts that have none', async () => {
  await wall.selectOption('.level-select', '1');
  const expected = unique([...WARD_IDS, ...DISTRICT_IDS.filter((id) => id !== 'hai-chau')]);
  await waitForAreas(wall, expected);
  assert.equal((await mapAreas(wall)).includes('hai-chau'), false);

  // The wards' KPIs are their own, live from the hub: the worst air quality of each ward's one sensor.
  await wall.waitForFunction(() => document.querySelector('.district-table tr[data-district-id="binh-thuan"] td.kpi-col:nth-child(4)')
    ?.textContent.trim() === '173', null, { timeout: 15_000 });
  // A ward's outline is not approximate: drawn solid.
  assert.equal(await wall.locator('path[data-district-id="phuoc-ninh"]').getAttribute('stroke-dasharray'), null);
  await session.screenshot(wall, 'wall-wards-1920x1080.png');

  await wall.selectOption('.level-select', '0');
  await waitForAreas(wall, DISTRICT_IDS);
  assert.deepEqual(wall.problems, []);
});

test('clicking a district drills down to its wards, and the breadcrumb goes back up to the city', async () => {
  await wall.click('.district-table tr[data-district-id="hai-chau"]');
  await waitForAreas(wall, WARD_IDS);
  assert.deepEqual(await crumbs(wall), ['Thành phố', 'Hải Châu']);
  assert.deepEqual(await tableAreas(wall), WARD_IDS);
  assert.equal(await wall.locator('.areas-title').textContent(), 'Phường');
  // The map zooms to the district's wards: together they fill the map (on the city's view they are a few pixels wide).
  await wall.waitForFunction(() => {
    const map = document.querySelector('.map').getBoundingClientRect();
    const boxes = [...document.querySelectorAll('path[data-district-id]')].map((p) => p.getBoundingClientRect());
    const [left, right] = [Math.min(...boxes.map((b) => b.left)), Math.max(...boxes.map((b) => b.right))];
    const [top, bottom] = [Math.min(...boxes.map((b) => b.top)), Math.max(...boxes.map((b) => b.bottom))];
    const inside = left >= map.left - 1 && right <= map.right + 1 && top >= map.top - 1 && bottom <= map.bottom + 1;
    return inside && (right - left > map.width * 0.4 || bottom - top > map.height * 0.4);
  }, null, { timeout: 10_000 });
  await session.screenshot(wall, 'wall-drilled-hai-chau-1920x1080.png');

  await wall.click('.breadcrumb button.crumb[data-area-id=""]');
  await waitForAreas(wall, DISTRICT_IDS);
  assert.deepEqual(await crumbs(wall), ['Thành phố']);
  assert.equal(await wall.locator('.areas-title').textContent(), 'Quận / huyện');
  assert.deepEqual(wall.problems, []);
});

test('a ward OC sees only its ward and its sensor, never its sibling ward or its district', async () => {
  const own = WARDS[0];
  const oc = await session.openPage({ width: 1366, height: 768 });
  await oc.goto(`${session.url}/oc`);
  await oc.waitForSelector(`#chooser:not([hidden]) select[name="district"] option[value="${own.id}"]`, { state: 'attached', timeout: 10_000 });
  await oc.selectOption('select[name="district"]', own.id);
  await oc.click('form.demo button[type="submit"]');
  await waitForAreas(oc, [own.id]);
  await oc.waitForSelector(`path[data-sensor-id="${own.sensorId}"]`, { timeout: 10_000 });
  await postReadings(session.url, [{ sensorId: WARDS[1].sensorId, values: { aqi: 180, pm25: 95 } }]);
  await oc.waitForTimeout(1_000);

  assert.deepEqual(await mapAreas(oc), [own.id]);
  assert.deepEqual(unique(await oc.$$eval('path[data-sensor-id]', (els) => els.map((e) => e.dataset.sensorId))), [own.sensorId]);
  assert.equal(await oc.locator('path[data-segment-id]').count(), 0);
  const text = await oc.locator('#app').textContent();
  for (const foreign of ['Bình Thuận', 'Hải Châu', 'Thanh Khê']) assert.equal(text.includes(foreign), false, foreign);
  // A ward has nothing below it: no level to pick, nothing to drill into, and its outline is not schematic.
  assert.equal(await oc.locator('.level-field').isVisible(), false);
  assert.equal(await oc.locator('.areas-title').textContent(), 'Phường');
  assert.equal(await oc.locator('.legend .legend-schematic').count(), 0);
  await session.screenshot(oc, 'oc-ward-1366x768.png');
  assert.deepEqual(oc.problems, []);
});

test('a district OC starts at its district and drills into its wards, never above it', async () => {
  const oc = await session.openPage({ width: 1366, height: 768 });
  await oc.goto(`${session.url}/oc`);
  await oc.waitForSelector('#chooser:not([hidden]) select[name="district"] option[value="hai-chau"]', { state: 'attached', timeout: 10_000 });
  await oc.selectOption('select[name="district"]', 'hai-chau');
  await oc.click('form.demo button[type="submit"]');
  await waitForAreas(oc, ['hai-chau']);

  await oc.click('.district-table tr[data-district-id="hai-chau"]');
  await waitForAreas(oc, WARD_IDS);
  assert.deepEqual(await crumbs(oc), ['Khu vực của bạn', 'Hải Châu']);
  await oc.click('.breadcrumb button.crumb[data-area-id=""]');
  await waitForAreas(oc, ['hai-chau']);
  assert.deepEqual(oc.problems, []);
});

/** Moves the timeline's slider as a person dragging it would: an input event at the new value. */
const scrubTo = (page, time) => page.$eval('.replay-slider', (slider, value) => {
  slider.value = String(value);
  slider.dispatchEvent(new Event('input', { bubbles: true }));
}, time);

/** Waits for an area's row to show a worst AQI. */
const waitForAqi = (page, id, aqi) => page.waitForFunction(([i, a]) =>
  document.querySelector(`.district-table tr[data-district-id="${i}"] td.kpi-col:nth-child(4)`)?.textContent.trim() === a,
[id, aqi], { timeout: 15_000 });

test('a district OC replays its district and, drilled in, each ward as it was, not the live values', async () => {
  await withWards();
  // Twenty minutes ago the wards' air was other than it is now (the live values are those of the tests above).
  const then = Date.now() - 20 * 60_000;
  await postReadings(session.url, [
    { sensorId: WARDS[0].sensorId, timestamp: new Date(then).toISOString(), values: { aqi: 44, pm25: 10 } },
    { sensorId: WARDS[1].sensorId, timestamp: new Date(then).toISOString(), values: { aqi: 199, pm25: 120 } },
  ]);
  const oc = await session.openPage({ width: 1366, height: 768 });
  await oc.goto(`${session.url}/oc`);
  await oc.waitForSelector('#chooser:not([hidden]) select[name="district"] option[value="hai-chau"]', { state: 'attached', timeout: 10_000 });
  await oc.selectOption('select[name="district"]', 'hai-chau');
  await oc.click('form.demo button[type="submit"]');
  await waitForAreas(oc, ['hai-chau']);

  await oc.click('.replay-toggle');
  await scrubTo(oc, Math.floor((then + 5 * 60_000) / 60_000) * 60_000);
  await oc.waitForSelector('.replay-indicator:not([hidden])', { timeout: 10_000 });
  // The district rolls its wards up as they were: its worst air is the worse ward's then.
  await waitForAqi(oc, 'hai-chau', '199');
  await oc.click('.district-table tr[data-district-id="hai-chau"]');
  await waitForAreas(oc, WARD_IDS);
  await waitForAqi(oc, WARDS[0].id, '44');
  await waitForAqi(oc, WARDS[1].id, '199');

  await oc.click('.replay-live');
  await oc.waitForFunction((id) => document.querySelector(`.district-table tr[data-district-id="${id}"] td.kpi-col:nth-child(4)`)
    ?.textContent.trim() !== '44', WARDS[0].id, { timeout: 15_000 });
  assert.deepEqual(oc.problems, []);
});
