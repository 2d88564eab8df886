// The screens' hub client on its own, with a stand-in SignalR connection: how snapshots and deltas become the
// state a screen draws. A screen that misapplied or skipped frames would show a wrong city, silently.

import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';

/** A SignalR connection the test drives: it records invocations and lets the test answer them. */
class FakeConnection {
  constructor() {
    this.state = 'Connected';
    this.handlers = {};
    this.invocations = [];
  }
  on(name, handler) { this.handlers[name] = handler; }
  onreconnecting(handler) { this.reconnecting = handler; }
  onreconnected(handler) { this.reconnected = handler; }
  onclose(handler) { this.closed = handler; }
  async start() {}
  async stop() {}
  invoke(method, scope) {
    return new Promise((resolve, reject) => this.invocations.push({ method, scope, resolve, reject }));
  }
  /** The Subscribe calls not yet answered. */
  pending(scope) {
    return this.invocations.filter((i) => i.method === 'Subscribe' && i.scope === scope && !i.answered);
  }
  answer(scope, snapshot) {
    const call = this.pending(scope)[0];
    assert.ok(call, `a Subscribe('${scope}') is waiting`);
    call.answered = true;
    call.resolve(snapshot);
  }
  send(name, payload) { this.handlers[name](payload); }
}

let connection;
globalThis.window = globalThis;
globalThis.signalR = {
  HubConnectionBuilder: class {
    withUrl() { return this; }
    withAutomaticReconnect() { return this; }
    configureLogging() { return this; }
    build() { return connection; }
  },
  LogLevel: { Warning: 3 },
  HubConnectionState: { Connected: 'Connected' },
};
const { TwinClient } = await import('../../api/IocTwin.Api/wwwroot/js/twin-client.js');

const tick = () => new Promise((resolve) => setImmediate(resolve));
const clients = [];

function newClient(scopes = ['city']) {
  connection = new FakeConnection();
  const client = new TwinClient({ token: 't', scopes });
  clients.push(client);
  return client;
}

afterEach(async () => {
  for (const client of clients.splice(0)) await client.stop();
});

const segmentView = (id, speed, version) => ({
  id, districtId: 'd1',
  spec: { id, name: id, districtId: 'd1', geometry: [[108.2, 16.05], [108.21, 16.05]], lengthM: 1000, freeFlowSpeedKmh: 50 },
  status: 'open',
  traffic: { speedKmh: speed, los: speed < 15 ? 'F' : 'A', asOf: new Date(Date.now() - 60_000 + version * 1000).toISOString() },
  sensorIds: [],
  version,
});
const snapshot = (scope, sequence, segments) => ({ scope, sequence, city: null, districts: [], segments, sensors: [] });
const delta = (scope, sequence, segments) => ({
  scope, sequence, city: null, districts: [],
  segments: segments.map(([id, speed, version]) => ({
    id, districtId: 'd1', status: 'open', version,
    traffic: { speedKmh: speed, los: speed < 15 ? 'F' : 'A', asOf: new Date(Date.now() - 60_000 + version * 1000).toISOString() },
  })),
  sensors: [],
});
const speedOf = (client, id) => client.state.segments.get(id)?.traffic.speedKmh;

test('deltas that follow the snapshot are applied in order and the screen goes live', async () => {
  const client = newClient();
  client.start();
  await tick();
  connection.answer('city', snapshot('city', 10, [segmentView('s1', 40, 1)]));
  await tick();
  assert.equal(client.status, 'live');
  assert.equal(speedOf(client, 's1'), 40);

  connection.send('delta', delta('city', 11, [['s1', 12, 2]]));
  connection.send('delta', delta('city', 12, [['s1', 8, 3]]));
  assert.equal(speedOf(client, 's1'), 8);
  assert.deepEqual(client.history('s1').map((p) => p.values.speedKmh), [40, 12, 8]);
  // A frame older than the state (already applied) changes nothing.
  connection.send('delta', delta('city', 12, [['s1', 99, 3]]));
  assert.equal(speedOf(client, 's1'), 8);
});

test('deltas that arrive while the snapshot is on its way are applied after it, the older ones dropped', async () => {
  const client = newClient();
  client.start();
  await tick();
  connection.send('delta', delta('city', 5, [['s1', 30, 5]]));
  connection.send('delta', delta('city', 6, [['s1', 20, 6]]));
  connection.answer('city', snapshot('city', 5, [segmentView('s1', 30, 5)]));
  await tick();
  assert.equal(speedOf(client, 's1'), 20);
  assert.equal(connection.pending('city').length, 0);
});

test('a gap in the sequence takes a new snapshot instead of showing a city with missing changes', async () => {
  const client = newClient();
  client.start();
  await tick();
  connection.answer('city', snapshot('city', 1, [segmentView('s1', 40, 1)]));
  await tick();

  connection.send('delta', delta('city', 3, [['s1', 10, 3]]));
  assert.equal(speedOf(client, 's1'), 40, 'a frame after a gap is not applied');
  assert.equal(connection.pending('city').length, 1, 'a new snapshot is asked for');
  connection.answer('city', snapshot('city', 3, [segmentView('s1', 10, 3)]));
  await tick();
  assert.equal(speedOf(client, 's1'), 10);
  connection.send('delta', delta('city', 4, [['s1', 25, 4]]));
  assert.equal(speedOf(client, 's1'), 25);
});

test('a resync from the server and a reconnect each take a new snapshot of every scope', async () => {
  const client = newClient(['district:d1', 'district:d2']);
  client.start();
  await tick();
  connection.answer('district:d1', snapshot('district:d1', 1, [segmentView('s1', 40, 1)]));
  connection.answer('district:d2', snapshot('district:d2', 1, [segmentView('s2', 40, 1)]));
  await tick();

  connection.send('resync', { scope: 'district:d2', reason: 'The client fell behind the live feed.' });
  assert.deepEqual(connection.invocations.filter((i) => !i.answered).map((i) => i.scope), ['district:d2']);
  connection.answer('district:d2', snapshot('district:d2', 9, [segmentView('s2', 11, 9)]));
  await tick();
  assert.equal(speedOf(client, 's2'), 11);

  connection.reconnecting(new Error('lost'));
  assert.equal(client.status, 'reconnecting');
  connection.reconnected('new-id');
  assert.deepEqual(connection.invocations.filter((i) => !i.answered).map((i) => i.scope).sort(), ['district:d1', 'district:d2']);
  connection.answer('district:d1', snapshot('district:d1', 2, [segmentView('s1', 33, 2)]));
  connection.answer('district:d2', snapshot('district:d2', 10, [segmentView('s2', 44, 10)]));
  await tick();
  assert.equal(client.status, 'live');
  assert.equal(speedOf(client, 's1'), 33);
  assert.equal(speedOf(client, 's2'), 44);
});

test('with no frame for a while the screen says its data is stale, and live again on the next frame', async () => {
  connection = new FakeConnection();
  const client = new TwinClient({ token: 't', scopes: ['city'], staleAfterMs: 50 });
  clients.push(client);
  client.start();
  await tick();
  connection.answer('city', snapshot('city', 1, [segmentView('s1', 40, 1)]));
  await tick();
  assert.equal(client.status, 'live');
  await new Promise((resolve) => setTimeout(resolve, 1_200));
  assert.equal(client.status, 'stale');
  connection.send('delta', delta('city', 2, [['s1', 41, 2]]));
  assert.equal(client.status, 'live');
});

test('a delta carries the snapshot\'s record with only what changed: what it leaves out keeps its value', async () => {
  const client = newClient(['district:d1']);
  client.start();
  await tick();
  const seen = new Date(Date.now() - 10 * 60_000).toISOString();
  connection.answer('district:d1', {
    scope: 'district:d1', sequence: 1, city: { id: 'city', kpis: { sensorsOnline: { value: 1 }, sensorsStale: { value: 0 } }, version: 1 },
    districts: [{ id: 'd1', name: 'Một', nameEn: 'One', boundary: [[108.2, 16], [108.3, 16], [108.3, 16.1]], kpis: { sensorsOnline: { value: 1 } }, version: 4 }],
    segments: [],
    sensors: [{
      id: 'aq1', name: 'AQ chợ', kind: 'air-quality', sector: 'environment', location: [108.21, 16.05], districtId: 'd1', segmentId: null,
      lastReading: { timestamp: seen, values: { aqi: 50 } }, health: 'online', readingCount: 3, version: 7, lastSeen: seen, values: { aqi: 50 },
    }],
  });
  await tick();
  // Time alone turned the sensor stale: the server says so, with the same reading count, and recounts the totals.
  connection.send('delta', {
    scope: 'district:d1', sequence: 2, city: { id: 'city', kpis: { sensorsOnline: { value: 0 }, sensorsStale: { value: 1 } }, version: 2 },
    districts: [{ id: 'd1', name: 'Một', nameEn: null, kpis: { sensorsOnline: { value: 0 } }, version: 5 }],
    segments: [],
    sensors: [{ id: 'aq1', name: null, kind: 'air-quality', sector: 'environment', districtId: 'd1', segmentId: null,
      health: 'stale', readingCount: 3, lastSeen: seen, values: { aqi: 50 } }],
  });
  const sensor = client.state.sensors.get('aq1');
  assert.equal(sensor.health, 'stale');
  assert.equal(sensor.name, 'AQ chợ', 'a name the delta leaves out stays');
  assert.deepEqual(sensor.location, [108.21, 16.05]);
  const district = client.state.districts.get('d1');
  assert.equal(district.kpis.sensorsOnline.value, 0);
  assert.equal(district.nameEn, 'One');
  assert.equal(district.boundary.length, 3);
  assert.equal(client.state.city.kpis.sensorsStale.value, 1, 'the scope total is the server\'s');
  assert.deepEqual(client.history('aq1').map((p) => p.values.aqi), [50], 'no new reading, no new chart point');
});

const assetView = (id, lon, version, areaId = 'd1') => ({
  id, name: id, kind: 'ambulance', sector: 'health', location: [lon, 16.05], headingDeg: 90, speedKmh: 40, status: 'moving',
  reportedAt: new Date().toISOString(), areaId, version,
});
const assetEvents = (client) => {
  const events = [];
  client.addEventListener('assets', ({ detail }) => events.push(detail));
  return events;
};

test('the assets a snapshot carries are held and told to the map; later frames move them and take off those that left', async () => {
  const client = newClient(['area:d1']);
  const events = assetEvents(client);
  client.start();
  await tick();
  connection.answer('area:d1', { ...snapshot('area:d1', 1, []), assets: [assetView('amb-1', 108.2, 3), assetView('bus-1', 108.3, 1)] });
  await tick();
  assert.deepEqual([...client.assets.keys()].sort(), ['amb-1', 'bus-1']);
  assert.deepEqual(events.at(-1).assets.map((a) => a.id).sort(), ['amb-1', 'bus-1']);

  connection.send('assets', { scope: 'area:d1', assets: [assetView('amb-1', 108.25, 4)], left: ['bus-1'] });
  assert.equal(client.assets.get('amb-1').asset.location[0], 108.25);
  assert.equal(client.assets.has('bus-1'), false);
  assert.deepEqual(events.at(-1).left, ['bus-1']);
  // An older position never moves a marker back.
  connection.send('assets', { scope: 'area:d1', assets: [assetView('amb-1', 108.2, 3)], left: [] });
  assert.equal(client.assets.get('amb-1').asset.location[0], 108.25);
  assert.deepEqual(events.at(-1).assets, []);
});

test('asset frames that arrive while the snapshot is on its way win over it; a new snapshot drops assets the scope no longer covers', async () => {
  const client = newClient(['area:d1']);
  client.start();
  await tick();
  // Sent after the server took the snapshot, received before its answer: newer than what the snapshot holds.
  connection.send('assets', { scope: 'area:d1', assets: [assetView('fire-1', 108.4, 2)], left: ['amb-1'] });
  connection.answer('area:d1', { ...snapshot('area:d1', 1, []), assets: [assetView('amb-1', 108.2, 3), assetView('bus-1', 108.3, 1)] });
  await tick();
  assert.deepEqual([...client.assets.keys()].sort(), ['bus-1', 'fire-1'], 'the asset that left stays off; the one that entered stays on');

  // A resync: the new snapshot no longer has the bus (it left while frames were being dropped).
  connection.send('resync', { scope: 'area:d1', reason: 'test' });
  await tick();
  connection.answer('area:d1', { ...snapshot('area:d1', 5, []), assets: [assetView('fire-1', 108.4, 2)] });
  await tick();
  assert.deepEqual([...client.assets.keys()], ['fire-1']);
});

test('an asset two scopes cover stays on the map until neither does', async () => {
  const client = newClient(['area:d1', 'sector:health']);
  client.start();
  await tick();
  connection.answer('area:d1', { ...snapshot('area:d1', 1, []), assets: [assetView('amb-1', 108.2, 3)] });
  connection.answer('sector:health', { ...snapshot('sector:health', 1, []), assets: [assetView('amb-1', 108.2, 3)] });
  await tick();
  connection.send('assets', { scope: 'area:d1', assets: [], left: ['amb-1'] });
  assert.equal(client.assets.has('amb-1'), true, 'the sector scope still covers it');
  client.unsubscribe('sector:health');
  assert.equal(client.assets.has('amb-1'), false);
});

const sensorView = (id, readingCount, value) => ({
  id, districtId: 'd1', kind: 'traffic-counter', sector: 'traffic', health: 'online', readingCount, values: { flow: value },
  lastSeen: new Date(Date.now() - 60_000 + readingCount * 1000).toISOString(),
});
const part = (scope, sequence, n, of, sensors) => ({ scope, sequence, part: n, parts: of, sensors });
const flowOf = (client, id) => client.state.sensors.get(id)?.values.flow;

test('a snapshot in parts is drawn as each part comes, and the scope is complete only with the last', async () => {
  const client = newClient();
  const drawn = [];
  client.addEventListener('change', ({ detail }) => drawn.push({ sensors: [...detail.sensors], complete: detail.complete }));
  client.start();
  await tick();
  // A part may come ahead of the answer: it is kept until the answer says which snapshot is current.
  connection.send('snapshot-part', part('city', 7, 2, 2, [sensorView('r5', 1, 50), sensorView('r6', 1, 60)]));
  connection.answer('city', { ...snapshot('city', 7, []), sensors: [sensorView('r1', 1, 10), sensorView('r2', 1, 20)], parts: 2 });
  await tick();
  assert.deepEqual([...client.state.sensors.keys()].sort(), ['r1', 'r2', 'r5', 'r6']);
  assert.equal(client.complete('city'), false, 'part 1 of 2 is still to come');

  connection.send('snapshot-part', part('city', 7, 1, 2, [sensorView('r3', 1, 30), sensorView('r4', 1, 40)]));
  assert.equal(client.complete('city'), true);
  assert.equal(client.state.sensors.size, 6);
  assert.deepEqual(drawn.map((d) => d.sensors.sort()), [['r1', 'r2'], ['r5', 'r6'], ['r3', 'r4']]);
  assert.deepEqual(drawn.map((d) => d.complete), [false, false, true]);
});

test('parts carry the roads of a big scope too: each is drawn as it comes, and a part never takes a road back', async () => {
  const client = newClient();
  const drawn = [];
  client.addEventListener('change', ({ detail }) => drawn.push([...detail.segments].sort()));
  client.start();
  await tick();
  connection.answer('city', { ...snapshot('city', 4, [segmentView('s1', 40, 1)]), parts: 2 });
  await tick();
  connection.send('delta', delta('city', 5, [['s2', 25, 3]]));
  connection.send('snapshot-part', { ...part('city', 4, 1, 2, [sensorView('r1', 1, 10)]), segments: [segmentView('s2', 50, 2), segmentView('s3', 30, 1)] });
  assert.deepEqual([...client.state.segments.keys()].sort(), ['s1', 's2', 's3']);
  assert.equal(speedOf(client, 's2'), 25, 'the delta held behind the parts is newer than the part');
  // The last part carries sensors only: the scope is whole with it.
  connection.send('snapshot-part', { ...part('city', 4, 2, 2, [sensorView('r2', 1, 20)]), segments: [] });
  assert.equal(client.complete('city'), true);
  assert.equal(speedOf(client, 's3'), 30);
  assert.deepEqual(drawn, [['s1'], ['s2'], ['s2', 's3'], []]);
});

test('deltas after the parts move sensors on, and a part of an earlier snapshot never moves one back', async () => {
  const client = newClient();
  client.start();
  await tick();
  connection.answer('city', { ...snapshot('city', 3, []), sensors: [sensorView('r1', 4, 10)], parts: 1 });
  await tick();
  connection.send('snapshot-part', part('city', 3, 1, 1, [sensorView('r2', 4, 20)]));
  connection.send('delta', { ...delta('city', 4, []), sensors: [sensorView('r2', 5, 21)] });
  assert.equal(flowOf(client, 'r2'), 21);

  // The server asks for a new snapshot; a late part of the one before (another sequence) is dropped.
  connection.send('resync', { scope: 'city', reason: 'The client fell behind the live feed.' });
  connection.answer('city', { ...snapshot('city', 9, []), sensors: [sensorView('r1', 6, 12)], parts: 1 });
  await tick();
  connection.send('snapshot-part', part('city', 3, 1, 1, [sensorView('r2', 4, 20)]));
  assert.equal(flowOf(client, 'r2'), 21);
  assert.equal(client.complete('city'), false);
  // A part older than what a delta brought adds nothing over it.
  connection.send('snapshot-part', part('city', 9, 1, 1, [sensorView('r2', 5, 21)]));
  assert.equal(client.complete('city'), true);
  assert.equal(flowOf(client, 'r1'), 12);
  assert.equal(flowOf(client, 'r2'), 21);
});
