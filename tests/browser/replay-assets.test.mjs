// The replayed assets a screen draws, on their own: a positions-at answer becomes markers named as live, and an area
// OC's screen keeps only the assets inside its areas even when the token could see more.

import { test } from 'node:test';
import assert from 'node:assert/strict';

const { replayedState, assetsAtUrl } = await import('../../api/IocTwin.Api/wwwroot/js/replay.js');

const live = { city: null, districts: new Map(), segments: new Map(), sensors: new Map() };
const liveAssets = new Map([['amb-1', { asset: { id: 'amb-1', name: 'Cấp cứu 115', status: 'en-route' } }]]);
const positionAt = (id, areaId, lon) => ({
  id, kind: 'ambulance', sector: 'health', areaId,
  position: { time: '2026-12-06T08:00:00Z', location: [lon, 16.05], headingDeg: 90, speedKmh: 40 },
});
const cityAt = (areaIds, assets) => ({
  time: '2026-12-06T08:00:00Z', kpis: {}, segments: [], sensors: [],
  districts: areaIds.map((id) => ({ id, kpis: {} })), assets,
});

test('a replayed asset is drawn where it was, named as the live twin names it, without a status history does not keep', () => {
  const at = cityAt(['hai-chau'], [positionAt('amb-1', 'ward-1', 108.22), positionAt('bus-9', null, 108.3)]);
  const { assets } = replayedState(live, at, { liveAssets });
  assert.deepEqual(assets.map((a) => [a.id, a.name, a.location[0], a.status]), [
    ['amb-1', 'Cấp cứu 115', 108.22, null],
    ['bus-9', 'bus-9', 108.3, null],
  ]);
  assert.equal(assets[0].reportedAt, '2026-12-06T08:00:00Z');
});

test('an area OC\'s replay keeps the assets inside the areas it replays, and none outside every area', () => {
  const at = cityAt(['hai-chau', 'ward-1'], [
    positionAt('amb-1', 'ward-1', 108.22), positionAt('amb-2', 'son-tra', 108.25), positionAt('bus-9', null, 108.3),
  ]);
  assert.deepEqual(replayedState(live, at, { liveAssets, ownAreasOnly: true }).assets.map((a) => a.id), ['amb-1']);
  assert.deepEqual(replayedState(live, at, { liveAssets }).assets.map((a) => a.id), ['amb-1', 'amb-2', 'bus-9']);
});

test('the positions are asked for at the replayed time', () => {
  assert.equal(assetsAtUrl(Date.parse('2026-12-06T08:00:00Z')), '/api/v1/assets/positions?at=2026-12-06T08%3A00%3A00.000Z');
});
