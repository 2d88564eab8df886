// How the screens show the twin's data: colour scales, KPI formats and legends (sectors' names and colours come from the
// server: sectors.js). Every KPI and every sensor's health comes from the server, for each scope (a sector OC's included):
// nothing here counts or judges them.

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
  'sensorsOnline', 'sensorsStale', 'sensorsOffline', 'openAlerts', 'monitoredKm', 'openReports', 'overdueReports',
];
export const KPI_FORMAT = {
  ...KPIS,
  sensorsOnline: { unit: '', digits: 0 },
  sensorsStale: { unit: '', digits: 0 },
  openAlerts: { unit: '', digits: 0 },
  monitoredKm: { unit: 'km', digits: 1 },
  openReports: { unit: '', digits: 0 },
  overdueReports: { unit: '', digits: 0 },
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

/** Values of a segment worth charting, by name. */
export function segmentValues(segment) {
  const t = segment.traffic ?? {};
  const values = {};
  for (const name of ['speedKmh', 'flowVph', 'occupancy', 'waterLevelM']) {
    if (typeof t[name] === 'number') values[name] = t[name];
  }
  return values;
}
