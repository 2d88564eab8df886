// Names from the twin's data shown by the screens, when someone allowed to change the topology or the alert rules
// puts markup in them: the wall, OC and scenario screens show them as text, on the map's labels and tooltips too,
// and nothing of the markup runs or lands in the page. The screens are served with a Content-Security-Policy that
// they work under, and a signed-in screen keeps its token in its tab, not in localStorage.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { devToken, INGEST_KEY } from './support/twin.mjs';
import { twinInChromium } from './support/session.mjs';
import { clickPath, hoverPath } from './support/map.mjs';

const session = twinInChromium();

/** Markup that, parsed as HTML, adds an element carrying the class "xss" and sets window.__xss. */
const hostile = (what) => `<img src=x onerror="window.__xss='${what}'"><b class="xss">${what}</b>`;
const DISTRICT = { id: 'xss-quan', name: hostile('district'), nameEn: hostile('district-en') };
const ROAD = { id: 'xss-road', name: hostile('road') };
const SENSOR = { id: 'xss-sensor', name: hostile('sensor') };
const RULE = { id: 'xss-rule', name: hostile('rule') };

// South of the sample city, so nothing of it is drawn over these.
const BOUNDARY = [[108.15, 15.90], [108.19, 15.90], [108.19, 15.925], [108.15, 15.925], [108.15, 15.90]];

let iocToken;

async function call(method, path, body, headers = { Authorization: `Bearer ${iocToken}` }) {
  const response = await fetch(`${session.url}${path}`, {
    method, headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body),
  });
  assert.ok(response.ok, `${method} ${path}: HTTP ${response.status} ${await response.text()}`);
  return response;
}

/** A congested reading of the hostile road's counter: above the hostile rule's occupancy threshold. */
const congest = () => call('POST', '/api/v1/readings',
  [{ sensorId: SENSOR.id, timestamp: new Date(Date.now() - 1000).toISOString(), values: { flow: 900, speed: 8, occupancy: 90 } }],
  { 'X-Api-Key': INGEST_KEY });

/** The hostile names put into the twin through its API, once for the file's tests (after the twin has started). */
let prepared;
const prepare = () => (prepared ??= register());

async function register() {
  iocToken = await devToken(session.url, { role: 'ioc', name: 'Topology editor' });
  // The rule first: a district reads the rules as it starts (and then on its health timer).
  await call('PUT', `/api/v1/alert-rules/${RULE.id}`, {
    name: RULE.name, kind: 'traffic-counter', metric: 'occupancy', threshold: 50, forSeconds: 0, severity: 'critical',
  });
  await call('PUT', `/api/v1/districts/${DISTRICT.id}`, { name: DISTRICT.name, nameEn: DISTRICT.nameEn, boundary: BOUNDARY });
  await call('PUT', `/api/v1/segments/${ROAD.id}`, {
    name: ROAD.name, districtId: DISTRICT.id, fromNode: 'xss-a', toNode: 'xss-b', lanes: 4,
    geometry: [[108.155, 15.908], [108.185, 15.908]],
  });
  await call('PUT', `/api/v1/sensors/${SENSOR.id}`, {
    name: SENSOR.name, kind: 'traffic-counter', sector: 'traffic', location: [108.17, 15.92], segmentId: ROAD.id,
  });
}

/** Nothing of the markup is in the page, and none of it ran. */
async function assertNoMarkup(page, where) {
  assert.equal(await page.evaluate(() => window.__xss), undefined, `script ran on ${where}`);
  assert.deepEqual(await page.$$eval('img[src="x"], .xss', (els) => els.map((e) => e.outerHTML)), [], `markup on ${where}`);
}

/** The tooltip Leaflet shows for the element under the mouse. */
const openTooltip = (page) => page.locator('.leaflet-tooltip.entity-tip').last();

/** Hovers a road until its tooltip opens: on a busy machine the map may still be settling when the mouse first arrives. */
async function hoverForTooltip(page, selector) {
  for (let attempt = 1; ; attempt++) {
    await hoverPath(page, selector);
    try {
      await openTooltip(page).waitFor({ timeout: 3_000 });
      return;
    } catch (error) {
      if (attempt === 4) throw error;
      await page.mouse.move(1, 1);
      await page.waitForTimeout(500);
    }
  }
}

test('the wall shows hostile district, road, sensor and alert names as text, on the map and its tooltips too', async () => {
  await prepare();
  const wall = await session.openPage();
  const sockets = [];
  wall.on('websocket', (socket) => sockets.push(socket.url()));
  await wall.goto(`${session.url}/`);
  await wall.waitForSelector(`.district-label[data-district-id="${DISTRICT.id}"]`, { timeout: 30_000 });
  await wall.waitForSelector('.connection[data-status="live"]', { timeout: 10_000 });
  // SignalR reached the hub over a WebSocket, which the policy's connect-src 'self' allows.
  assert.ok(sockets.some((url) => url.startsWith(session.url.replace('http', 'ws')) && url.includes('/hubs/twin')), sockets.join());

  assert.equal(await wall.locator(`.district-label[data-district-id="${DISTRICT.id}"]`).textContent(), DISTRICT.name);
  assert.equal(await wall.locator(`.district-table tr[data-district-id="${DISTRICT.id}"] .name`).textContent(), DISTRICT.name);

  await congest();
  const alert = wall.locator('.alert-list .alert .alert-text', { hasText: 'rule' });
  await alert.waitFor({ timeout: 10_000 });
  assert.equal(await alert.textContent(), RULE.name);

  // Focus the map on the district, point at the road and at the sensor: their tooltips show the names as text.
  await wall.click(`.district-table tr[data-district-id="${DISTRICT.id}"]`);
  await wall.waitForTimeout(800);
  await hoverForTooltip(wall, `path[data-segment-id="${ROAD.id}"]`);
  assert.ok((await openTooltip(wall).textContent()).startsWith(`${ROAD.name} · `), await openTooltip(wall).textContent());
  await assertNoMarkup(wall, 'the road tooltip');

  await wall.locator(`path[data-sensor-id="${SENSOR.id}"]`).hover();
  await wall.waitForFunction((name) => [...document.querySelectorAll('.leaflet-tooltip.entity-tip')]
    .some((tip) => tip.textContent.startsWith(name)), SENSOR.name, { timeout: 3_000 });
  await assertNoMarkup(wall, 'the sensor tooltip');

  // The detail panel of the road.
  await clickPath(wall, `path[data-segment-id="${ROAD.id}"]`);
  await wall.locator('.detail .detail-title').waitFor({ timeout: 5_000 });
  assert.equal(await wall.locator('.detail .detail-title').textContent(), ROAD.name);

  // In English the district's English name, as text.
  await wall.locator('button[data-lang="en"]').click();
  await wall.waitForFunction(([id, name]) => document.querySelector(`.district-label[data-district-id="${id}"]`)?.textContent === name,
    [DISTRICT.id, DISTRICT.nameEn], { timeout: 3_000 });
  await wall.locator('button[data-lang="vi"]').click();
  await wall.waitForSelector('html[lang="vi"]');

  await session.screenshot(wall, 'wall-hostile-names.png');
  await assertNoMarkup(wall, 'the wall');
  assert.deepEqual(wall.problems, []);
  await wall.close();
});

test('the OC of that district shows its name in the picker, title, map and alerts as text', async () => {
  await prepare();
  const oc = await session.openPage({ width: 1366, height: 768 });
  await oc.goto(`${session.url}/oc`);
  const option = oc.locator(`select[name="district"] option[value="${DISTRICT.id}"]`);
  await option.waitFor({ state: 'attached', timeout: 10_000 });
  assert.equal(await option.textContent(), DISTRICT.name);
  await oc.selectOption('select[name="district"]', DISTRICT.id);
  await oc.click('form.demo button[type="submit"]');
  await oc.waitForSelector(`.district-label[data-district-id="${DISTRICT.id}"]`, { timeout: 10_000 });
  assert.ok((await oc.locator('.title').textContent()).includes(DISTRICT.name));
  assert.equal(await oc.locator(`.district-label[data-district-id="${DISTRICT.id}"]`).textContent(), DISTRICT.name);

  await congest();
  await oc.locator('.alert-list .alert .alert-text', { hasText: 'rule' }).waitFor({ timeout: 10_000 });
  await hoverForTooltip(oc, `path[data-segment-id="${ROAD.id}"]`);
  assert.ok((await openTooltip(oc).textContent()).startsWith(ROAD.name));

  await assertNoMarkup(oc, 'the OC screen');
  assert.deepEqual(oc.problems, []);
  await oc.close();
});

test('the scenario screen shows the district and road names as text, on the map and in the form', async () => {
  await prepare();
  const desk = await session.openPage();
  await desk.goto(`${session.url}/scenario`);
  await desk.waitForSelector(`.district-label[data-district-id="${DISTRICT.id}"]`, { timeout: 30_000 });
  assert.equal(await desk.locator(`.district-label[data-district-id="${DISTRICT.id}"]`).textContent(), DISTRICT.name);

  await desk.fill('form.setup input[name="name"]', hostile('scenario'));
  await desk.click('form.setup .create');
  await desk.locator('form.intervention:not([hidden])').waitFor({ timeout: 10_000 });
  const option = desk.locator(`form.intervention select[name="originDistrictId"] option[value="${DISTRICT.id}"]`);
  assert.equal(await option.textContent(), DISTRICT.name);
  await desk.locator(`path[data-district-id="${DISTRICT.id}"]`).waitFor({ state: 'attached' });
  await clickPath(desk, `path[data-segment-id="${ROAD.id}"]`);
  await desk.waitForFunction((name) => document.querySelector('.picked-segment')?.textContent === name, ROAD.name, { timeout: 3_000 });

  await assertNoMarkup(desk, 'the scenario screen');
  assert.deepEqual(desk.problems, []);
  await desk.close();
});

test('the screens and the API answer with a Content-Security-Policy and no sniffing or referrers', async () => {
  await prepare();
  const expected = [
    "default-src 'self'", "script-src 'self'", "style-src 'self'", "connect-src 'self'", "object-src 'none'",
    "base-uri 'self'", "frame-ancestors 'none'",
  ];
  for (const path of ['/', '/oc', '/scenario', '/js/map.js', '/api/v1/districts']) {
    const response = await fetch(`${session.url}${path}`, { headers: { Authorization: `Bearer ${iocToken}` } });
    assert.equal(response.status, 200, path);
    const policy = response.headers.get('content-security-policy') ?? '';
    assert.deepEqual(expected.filter((directive) => !policy.split(';').map((d) => d.trim()).includes(directive)), [],
      `${path}: ${policy}`);
    assert.equal(response.headers.get('x-content-type-options'), 'nosniff', path);
    assert.equal(response.headers.get('referrer-policy'), 'no-referrer', path);
  }
});

test('a signed-in screen keeps its token in the tab: not in localStorage, kept over a reload, gone in a new tab', async () => {
  await prepare();
  const oc = await session.openPage({ width: 1366, height: 768 });
  await oc.goto(`${session.url}/oc`);
  await oc.waitForSelector('#chooser:not([hidden]) select[name="district"] option[value="thanh-khe"]', { state: 'attached', timeout: 10_000 });
  await oc.selectOption('select[name="district"]', 'thanh-khe');
  await oc.click('form.demo button[type="submit"]');
  await oc.waitForSelector('.connection[data-status="live"]', { timeout: 10_000 });

  const stored = () => oc.evaluate(() => ({ local: { ...localStorage }, session: { ...sessionStorage } }));
  const jwt = /^eyJ[\w-]+\.[\w-]+\.[\w-]+$/;
  const signedIn = await stored();
  assert.deepEqual(Object.values(signedIn.local).filter((v) => jwt.test(v)), [], 'a token in localStorage');
  assert.match(signedIn.session['ioctwin.oc.token'] ?? '', jwt);

  // A reload in the same tab shows the screen again without asking.
  await oc.reload();
  await oc.waitForSelector('.connection[data-status="live"]', { timeout: 10_000 });
  assert.equal(await oc.locator('#chooser').isHidden(), true);

  // A token an earlier version left in localStorage is moved into the tab and removed from the machine.
  await oc.evaluate((token) => {
    sessionStorage.clear();
    localStorage.setItem('ioctwin.oc.token', token);
  }, signedIn.session['ioctwin.oc.token']);
  await oc.reload();
  await oc.waitForSelector('.connection[data-status="live"]', { timeout: 10_000 });
  const moved = await stored();
  assert.deepEqual(Object.values(moved.local).filter((v) => jwt.test(v)), []);
  assert.equal(moved.session['ioctwin.oc.token'], signedIn.session['ioctwin.oc.token']);

  // Another tab of the same browser does not find it: it asks again.
  const other = await session.openPage({ width: 1366, height: 768 });
  await other.goto(`${session.url}/oc`);
  await other.waitForSelector('#chooser:not([hidden])', { timeout: 10_000 });

  // The wall takes its demo token into the tab as well.
  const wall = await session.openPage();
  await wall.goto(`${session.url}/`);
  await wall.waitForSelector('.connection[data-status="live"]', { timeout: 20_000 });
  const wallStorage = await wall.evaluate(() => ({ local: { ...localStorage }, session: { ...sessionStorage } }));
  assert.deepEqual(Object.values(wallStorage.local).filter((v) => jwt.test(v)), []);
  assert.match(wallStorage.session['ioctwin.wall.token'] ?? '', jwt);

  for (const page of [oc, other, wall]) assert.deepEqual(page.problems, []);
  await Promise.all([oc.close(), other.close(), wall.close()]);
});
