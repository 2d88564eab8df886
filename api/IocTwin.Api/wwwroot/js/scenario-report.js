// The scenario's report beside its baseline: KPIs side by side, a chart of both runs over time, the change in
// each district and the roads most affected; and the map's view of either run from the report's segments.

import { t, formatNumber } from './i18n.js';
import { el } from './dom.js';
import { LOS_COLORS, STATUS_COLORS, NO_DATA_COLOR } from './model.js';
import { queueSection } from './scenario-queues.js';

const uPlot = window.uPlot;
const CHART_HEIGHT = 180;
const COLORS = { baseline: '#8ea3b8', scenario: '#ff8c42' };

/** The twin's segments as one run of the scenario ends ('baseline' or 'scenario'), for the map. */
export function runState(live, report, run) {
  const segments = new Map();
  for (const outcome of report.segments) {
    const segment = live.segments.get(outcome.segmentId);
    if (!segment) continue;
    segments.set(segment.id, {
      ...segment,
      status: outcome[`${run}Status`],
      traffic: { los: outcome[`${run}Los`] ?? null },
    });
  }
  return { ...live, segments };
}

/** The legend of the scenario map: level of service and the statuses that override it. */
export function renderRoadLegend(container) {
  const swatch = (color, text) => el('li', {}, el('span', { class: 'key key-line', style: `--c: ${color}` }), text);
  container.replaceChildren(el('div', { class: 'legend-body' }, el('section', {}, el('h3', {}, t('legend.los')),
    el('ul', { class: 'legend-los' }, Object.entries(LOS_COLORS).map(([los, color]) => swatch(color, los))),
    el('ul', {}, ['closed', 'flooded', 'incident'].map((s) => swatch(STATUS_COLORS[s], t(`status.${s}`))),
      swatch(NO_DATA_COLOR, t('legend.noData'))))));
}

const maxOver = (steps, run, key) => steps.reduce((m, s) => Math.max(m, s[run]?.[key] ?? 0), 0);

/**
 * KPI rows: [key, baseline, scenario, digits, unit, higher is better]. City-wide figures are the IOC's: an OC's report
 * comes without them, and its rows show only what it holds.
 */
function kpiRows(report) {
  const d = report.delta;
  const steps = report.steps ?? [];
  const city = (key, digits, unit, higherIsBetter) => d[key] ? [[key, d[key].baseline, d[key].scenario, digits, unit, higherIsBetter]] : [];
  return [
    ...city('meanSpeedKmh', 1, 'km/h', true),
    ...city('totalDelayVehHours', 1, t('scenario.unit.vehHours'), false),
    ...city('meanCongestedKm', 2, 'km', false),
    ...city('vehicleKm', 0, 'km', null),
    ['closedSegments', maxOver(steps, 'baseline', 'closedSegments'), Math.max(maxOver(steps, 'scenario', 'closedSegments'), report.closedSegmentIds.length), 0, '', false],
    ['floodedSegments', maxOver(steps, 'baseline', 'floodedSegments'), Math.max(maxOver(steps, 'scenario', 'floodedSegments'), report.floodedSegmentIds.length), 0, '', false],
  ];
}

/** A change with its sign; one that rounds to nothing shows as 0, not -0. */
function signed(value, digits) {
  const rounded = Number(value.toFixed(digits));
  return rounded === 0 ? formatNumber(0, digits) : `${rounded > 0 ? '+' : ''}${formatNumber(rounded, digits)}`;
}
/** 'worse', 'better' or '' for a change as shown (to its digits), given whether more is better. */
function judge(change, higherIsBetter, digits) {
  const rounded = Number(change.toFixed(digits));
  return higherIsBetter === null || rounded === 0 ? '' : (rounded > 0) === higherIsBetter ? 'better' : 'worse';
}

function compareTable(report) {
  return el('table', { class: 'compare-table' },
    el('thead', {}, el('tr', {}, el('th', {}, ''), el('th', {}, t('scenario.view.baseline')), el('th', {}, t('scenario.view.scenario')),
      el('th', {}, t('scenario.change')))),
    el('tbody', {}, kpiRows(report).map(([key, baseline, scenario, digits, unit, higherIsBetter]) => {
      const change = scenario - baseline;
      return el('tr', { 'data-kpi': key, 'data-change': String(change) },
        el('td', { class: 'name' }, t(`scenario.kpi.${key}`), unit && el('small', { class: 'muted' }, ` ${unit}`)),
        el('td', {}, formatNumber(baseline, digits)),
        el('td', {}, formatNumber(scenario, digits)),
        el('td', { class: `change ${judge(change, higherIsBetter, digits)}` }, signed(change, digits)));
    })));
}

function districtTable(report, districtLabel) {
  return el('table', { class: 'compare-table district-deltas' },
    el('thead', {}, el('tr', {}, el('th', {}, t('districts.name')), el('th', {}, 'Δ km/h'),
      el('th', {}, `Δ ${t('scenario.unit.vehHours')}`), el('th', {}, 'Δ km'))),
    el('tbody', {}, report.delta.districts.map((d) => el('tr', { 'data-district-id': d.districtId },
      el('td', { class: 'name' }, districtLabel(d.districtId) ?? d.name),
      el('td', { class: `change ${judge(d.meanSpeedKmh.change, true, 1)}` }, signed(d.meanSpeedKmh.change, 1)),
      el('td', { class: `change ${judge(d.delayVehHours.change, false, 1)}` }, signed(d.delayVehHours.change, 1)),
      el('td', { class: `change ${judge(d.meanCongestedKm.change, false, 2)}` }, signed(d.meanCongestedKm.change, 2))))));
}

function affectedList(report, segmentName) {
  const items = report.delta.mostAffectedSegments.slice(0, 10).map((s) => el('li', { 'data-segment-id': s.segmentId },
    el('span', { class: 'name' }, segmentName(s.segmentId) ?? s.name),
    s.scenarioStatus !== s.baselineStatus && el('span', { class: 'badge', style: `background: ${STATUS_COLORS[s.scenarioStatus] ?? NO_DATA_COLOR}` },
      t(`status.${s.scenarioStatus}`)),
    el('span', { class: `change ${judge(s.delayVehHours.change, false, 1)}` }, `${signed(s.delayVehHours.change, 1)} ${t('scenario.unit.vehHours')}`)));
  return el('ol', { class: 'affected-list' }, items.length ? items : el('li', { class: 'muted' }, t('scenario.noneAffected')));
}

/** The chart of both runs over the scenario's minutes: cumulative delay or mean speed. */
function chart(report, metric, width) {
  const steps = report.steps ?? [];
  const data = [steps.map((s) => s.minute), steps.map((s) => s.baseline[metric]), steps.map((s) => s.scenario[metric])];
  const axis = { stroke: '#9fb0c3', grid: { stroke: 'rgba(159,176,195,0.12)' }, ticks: { stroke: 'rgba(159,176,195,0.25)' } };
  const target = el('div', { class: 'chart', 'data-metric': metric, 'data-points': String(steps.length) });
  new uPlot({
    width, height: CHART_HEIGHT,
    cursor: { drag: { x: false, y: false } },
    scales: { x: { time: false } },
    axes: [{ ...axis, label: t('scenario.minute'), labelSize: 18 }, { ...axis, size: 48 }],
    series: [{ label: t('scenario.minute') },
      { label: t('scenario.view.baseline'), stroke: COLORS.baseline, width: 2, dash: [6, 4] },
      { label: t('scenario.view.scenario'), stroke: COLORS.scenario, width: 2 }],
  }, data, target);
  return target;
}

/**
 * Draws the report into its card.
 * @param {HTMLElement} container
 * @param {object} report the report of GET /api/v1/scenarios/{id}
 * @param {{ districtLabel: (id) => string, segmentName: (id) => string,
 *           queueMap?: { step: number, onStep: (step: number) => void } }} labels with, for a report with queues, the
 *           step whose queues the map shows and what to do when another is chosen
 */
export function renderReport(container, report, labels, metric = 'cumulativeDelayVehHours') {
  const { districtLabel, segmentName, queueMap } = labels;
  const width = Math.max(240, container.clientWidth - 30);
  const metricButtons = ['cumulativeDelayVehHours', 'meanSpeedKmh'].map((m) => el('button', {
    type: 'button', 'aria-pressed': String(m === metric),
    onclick: () => renderReport(container, report, labels, m),
  }, t(`scenario.chart.${m}`)));
  container.replaceChildren(
    el('h2', {}, t('scenario.results')),
    compareTable(report),
    ...(report.steps ? [el('h3', {}, el('span', {}, t('scenario.overTime')), el('span', { class: 'lang-switch metric-switch' }, metricButtons)),
      chart(report, metric, width)] : []),
    el('h3', {}, t('scenario.byDistrict')),
    districtTable(report, districtLabel),
    el('h3', {}, t('scenario.mostAffected')),
    affectedList(report, segmentName),
    ...(report.queues ? queueSection(report, segmentName, width, queueMap ?? { step: 0, onStep: () => {} }) : []));
}
