// What the screens know about the twin's data: KPI definitions, colour scales, sectors, health, and the
// client-side roll-up used where the server sends no KPIs for a scope (a sector OC).

/** Level of service, A (free flow) to F (breakdown), green to dark red; statuses that override it. */
export const LOS_COLORS = {
  A: '#1a9850',
  B: '#66bd63',
  C: '#c2e05a',
  D: '#fdae61',
  E: '#f46d43',
  F: '#a50026',
};
export const STATUS_COLORS = {
  closed: '#9b59b6',
  flooded: '#2f80ed',
  incident: '#ff4fd8',
};
export const NO_DATA_COLOR = '#5b6774';

/** The colour of a road segment on the map: closed, flooded and incident win over traffic. */
export function segmentColor(segment) {
  if (segment.status && STATUS_COLORS[segment.status]) return STATUS_COLORS[segment.status];
  const los = segment.traffic?.los;
  return los && LOS_COLORS[los] ? LOS_COLORS[los] : NO_DATA_COLOR;
}

export const SECTORS = ['traffic', 'environment', 'flood', 'lighting', 'water', 'public-safety'];
export const SECTOR_COLORS = {
  traffic: '#ffd166',
  environment: '#06d6a0',
  flood: '#4cc9f0',
  lighting: '#f8f9fa',
  water: '#4361ee',
  'public-safety': '#ef476f',
};

/** The twin's health policy: online up to 5 minutes since last heard from, stale up to 15, then offline. */
const STALE_AFTER_MS = 5 * 60_000;
const OFFLINE_AFTER_MS = 15 * 60_000;
const HEALTH_RANK = { online: 0, stale: 1, offline: 2 };

export function classifyHealth(lastSeen, now = Date.now()) {
  if (!lastSeen) return 'offline';
  const age = now - Date.parse(lastSeen);
  return age <= STALE_AFTER_MS ? 'online' : age <= OFFLINE_AFTER_MS ? 'stale' : 'offline';
}

/** Health as the server last said, aged on the client: a sensor that falls silent turns stale without a new frame. */
export function effectiveHealth(sensor, now = Date.now()) {
  const aged = classifyHealth(sensor.lastSeen, now);
  const told = sensor.health ?? 'offline';
  return HEALTH_RANK[aged] > HEALTH_RANK[told] ? aged : told;
}

const RAMP = ['#1a9850', '#91cf60', '#fee08b', '#fc8d59', '#d73027'];
export const NO_KPI_COLOR = '#3a4654';

/**
 * KPIs a district can be coloured by. `steps` are the upper bounds of the first four colours of the ramp
 * (good to bad); for mean speed higher is better, so its steps are lower bounds.
 */
export const KPIS = {
  meanSpeedKmh: { unit: 'km/h', digits: 1, steps: [40, 30, 22, 15], higherIsBetter: true },
  congestedKm: { unit: 'km', digits: 2, steps: [0.05, 0.5, 1.5, 3] },
  worstAqi: { unit: '', digits: 0, steps: [50, 100, 150, 200] },
  maxWaterLevelM: { unit: 'm', digits: 2, steps: [0.05, 0.15, 0.3, 0.5] },
  sensorsOffline: { unit: '', digits: 0, steps: [0, 2, 5, 10] },
};
export const MAP_KPIS = Object.keys(KPIS);

/** All KPIs shown in tiles, in order. */
export const TILE_KPIS = [
  'meanSpeedKmh', 'congestedKm', 'worstAqi', 'maxWaterLevelM',
  'sensorsOnline', 'sensorsStale', 'sensorsOffline', 'openAlerts', 'monitoredKm',
];
export const KPI_FORMAT = {
  ...KPIS,
  sensorsOnline: { unit: '', digits: 0 },
  sensorsStale: { unit: '', digits: 0 },
  openAlerts: { unit: '', digits: 0 },
  monitoredKm: { unit: 'km', digits: 1 },
};

/** 0 (good) to 4 (bad), or null when the KPI has no value. */
export function kpiLevel(key, value) {
  const def = KPIS[key];
  if (!def || value === null || value === undefined || Number.isNaN(value)) return null;
  const index = def.higherIsBetter
    ? def.steps.findIndex((step) => value >= step)
    : def.steps.findIndex((step) => value <= step);
  return index === -1 ? RAMP.length - 1 : index;
}

export function kpiColor(key, value) {
  const level = kpiLevel(key, value);
  return level === null ? NO_KPI_COLOR : RAMP[level];
}

/** Legend entries for a KPI: colour and the range it stands for. */
export function kpiLegend(key) {
  const def = KPIS[key];
  return RAMP.map((color, i) => {
    const lo = i === 0 ? null : def.steps[i - 1];
    const hi = i < def.steps.length ? def.steps[i] : null;
    return { color, lo, hi, higherIsBetter: !!def.higherIsBetter };
  });
}

const kpi = (value, asOf = null) => ({ value, asOf });

/**
 * Rolls segments and sensors up into KPIs the way the twin does for a district: length-weighted mean speed of
 * open segments, length at LOS E or F, worst AQI and highest water among sensors not offline, sensor counts by health.
 */
export function rollup(segments, sensors, openAlerts = 0, now = Date.now()) {
  let weightedSpeed = 0, monitoredM = 0, congestedM = 0;
  let trafficAsOf = null;
  for (const s of segments) {
    const length = s.spec?.lengthM ?? 0;
    const speed = s.traffic?.speedKmh;
    if (speed !== null && speed !== undefined && s.status !== 'closed' && s.status !== 'flooded') {
      weightedSpeed += speed * length;
      monitoredM += length;
      if (s.traffic.asOf && (!trafficAsOf || s.traffic.asOf > trafficAsOf)) trafficAsOf = s.traffic.asOf;
    }
    if (s.traffic?.los === 'E' || s.traffic?.los === 'F') congestedM += length;
  }
  const counts = { online: 0, stale: 0, offline: 0 };
  let aqi = null, water = null;
  for (const sensor of sensors) {
    const health = effectiveHealth(sensor, now);
    counts[health]++;
    if (health === 'offline') continue;
    if (sensor.kind === 'air-quality' && typeof sensor.values?.aqi === 'number') aqi = Math.max(aqi ?? -Infinity, sensor.values.aqi);
    if (sensor.kind === 'water-level' && typeof sensor.values?.level === 'number') water = Math.max(water ?? -Infinity, sensor.values.level);
  }
  const hasTraffic = segments.length > 0;
  return {
    meanSpeedKmh: kpi(monitoredM > 0 ? weightedSpeed / monitoredM : null, trafficAsOf),
    congestedKm: kpi(hasTraffic ? congestedM / 1000 : null, trafficAsOf),
    worstAqi: kpi(aqi),
    maxWaterLevelM: kpi(water),
    sensorsOnline: kpi(counts.online),
    sensorsStale: kpi(counts.stale),
    sensorsOffline: kpi(counts.offline),
    openAlerts: kpi(openAlerts),
    monitoredKm: kpi(hasTraffic ? monitoredM / 1000 : null, trafficAsOf),
  };
}

/** Combines district KPIs the way the twin makes city KPIs: sums, maxima and a km-weighted mean speed. */
export function combine(kpisList) {
  const out = {};
  let weightedSpeed = 0, monitoredKm = 0;
  for (const k of TILE_KPIS) out[k] = kpi(null);
  for (const kpis of kpisList) {
    if (!kpis) continue;
    const speed = kpis.meanSpeedKmh?.value, km = kpis.monitoredKm?.value;
    if (speed !== null && speed !== undefined && km > 0) {
      weightedSpeed += speed * km;
      monitoredKm += km;
    }
    for (const k of ['congestedKm', 'sensorsOnline', 'sensorsStale', 'sensorsOffline', 'openAlerts']) {
      const v = kpis[k]?.value;
      if (v !== null && v !== undefined) out[k] = kpi((out[k].value ?? 0) + v);
    }
    for (const k of ['worstAqi', 'maxWaterLevelM']) {
      const v = kpis[k]?.value;
      if (v !== null && v !== undefined && v > (out[k].value ?? -Infinity)) out[k] = kpi(v);
    }
  }
  out.meanSpeedKmh = kpi(monitoredKm > 0 ? weightedSpeed / monitoredKm : null);
  out.monitoredKm = kpi(monitoredKm);
  return out;
}

/** Values of a segment worth charting, by name. */
export function segmentValues(segment) {
  const t = segment.traffic ?? {};
  const values = {};
  for (const name of ['speedKmh', 'flowVph', 'occupancy', 'waterLevelM']) {
    if (typeof t[name] === 'number') values[name] = t[name];
  }
  return values;
}
