// The queues of a scenario run with dynamic loading: the longest queue over the run's minutes, the worst queues
// (road, extent, when, how long) and the delay from spillback, and the minute whose queues the map shows (chosen on
// the timeline or its slider). Only reports of dynamic runs carry them.

import { t, formatNumber } from './i18n.js';
import { el } from './dom.js';

const uPlot = window.uPlot;
const CHART_HEIGHT = 140;
const QUEUE_COLOR = '#e5484d';

/** Queue length bands on the map, shortest first: [from metres, colour]. */
export const QUEUE_BANDS = [[0, '#ffd166'], [100, '#ff8c42'], [300, '#e5484d'], [1000, '#8e0e3c']];

/** The map's colour of a queue of the given extent. */
export function queueColor(metres) {
  let color = QUEUE_BANDS[0][1];
  for (const [from, band] of QUEUE_BANDS) if (metres >= from) color = band;
  return color;
}

/** The minute at the end of a step of the report's run. */
const minuteOf = (report, step) => (step + 1) * report.stepSeconds / 60;

/** Steps of the run the queue series cover (each extent series has one value per step). */
export function queueSteps(report) {
  return report.queues?.extents?.[0]?.extentM.length ?? report.queues?.longestQueueM?.length ?? 0;
}

/** The step the map shows first: where the worst queue was longest (the last step if none formed). */
export function worstQueueStep(report) {
  const steps = queueSteps(report);
  const worst = report.queues?.worst?.[0];
  if (!worst || steps === 0) return Math.max(0, steps - 1);
  const series = report.queues.extents?.find((e) => e.segmentId === worst.segmentId && e.forward === worst.forward);
  if (series) return series.extentM.indexOf(Math.max(...series.extentM));
  return Math.min(steps - 1, Math.max(0, Math.round(worst.atMinute * 60 / report.stepSeconds) - 1));
}

/**
 * Queue extents at the end of a step: segment id → metres, the longer of its two directions; roads without a queue
 * then are left out. The report carries the series of its longest queues only (bounded), so shorter ones are not drawn.
 */
export function queueExtentsAt(report, step) {
  const extents = new Map();
  for (const series of report.queues?.extents ?? []) {
    const metres = series.extentM[step] ?? 0;
    if (metres > 0) extents.set(series.segmentId, Math.max(metres, extents.get(series.segmentId) ?? 0));
  }
  return extents;
}

/** The longest queue in the city at every step, with the chosen minute marked; an OC's report has no city-wide series. */
function timeline(report, width, selection) {
  const longest = report.queues.longestQueueM;
  if (!longest) return null;
  const minutes = longest.map((_, i) => minuteOf(report, i));
  const axis = { stroke: '#9fb0c3', grid: { stroke: 'rgba(159,176,195,0.12)' }, ticks: { stroke: 'rgba(159,176,195,0.25)' } };
  const target = el('div', { class: 'chart', 'data-metric': 'longestQueueM', 'data-points': String(longest.length) });
  const marker = (u) => {
    const x = Math.round(u.valToPos(minuteOf(report, selection.step), 'x', true));
    const { ctx, bbox } = u;
    ctx.save();
    ctx.strokeStyle = '#e8f1ff';
    ctx.lineWidth = 1.5 * devicePixelRatio;
    ctx.beginPath();
    ctx.moveTo(x, bbox.top);
    ctx.lineTo(x, bbox.top + bbox.height);
    ctx.stroke();
    ctx.restore();
  };
  const chart = new uPlot({
    width, height: CHART_HEIGHT,
    cursor: { drag: { x: false, y: false } },
    scales: { x: { time: false } },
    axes: [{ ...axis, label: t('scenario.minute'), labelSize: 18 }, { ...axis, size: 48 }],
    series: [{ label: t('scenario.minute') }, { label: t('scenario.queues.longest'), stroke: QUEUE_COLOR, width: 2 }],
    hooks: { draw: [marker] },
  }, [minutes, longest], target);
  // A click on the timeline picks the minute under the cursor.
  chart.over.addEventListener('click', () => {
    if (chart.cursor.idx != null) selection.choose(chart.cursor.idx);
  });
  selection.redraw = () => chart.redraw(false);
  return target;
}

/** The slider of the minute whose queues the map shows, with the legend of the map's queue colours. */
function minutePicker(report, selection) {
  const steps = queueSteps(report);
  if (steps === 0) return null;
  const label = el('span', { class: 'queue-minute-label' });
  const slider = el('input', {
    type: 'range', class: 'queue-minute replay-slider', min: '0', max: String(steps - 1), step: '1', value: String(selection.step),
    'aria-label': t('scenario.queues.mapMinuteLabel'),
    oninput: (event) => selection.choose(Number(event.target.value)),
  });
  const show = () => {
    slider.value = String(selection.step);
    slider.dataset.minute = String(minuteOf(report, selection.step));
    label.textContent = t('scenario.queues.mapMinute', { minute: formatNumber(minuteOf(report, selection.step), 0) });
  };
  selection.listeners.push(show);
  show();
  const legend = el('ul', { class: 'legend-queues' }, QUEUE_BANDS.map(([from, color]) => el('li', {},
    el('span', { class: 'key key-line', style: `--c: ${color}` }), t('scenario.queues.band', { from: formatNumber(from, 0) }))));
  return el('div', { class: 'queue-map-controls' }, label, slider, legend);
}

/**
 * The queue section of a report: a heading, the timeline with the minute the map shows, the worst queues and the
 * spillback figures.
 * @param {object} report the report of GET /api/v1/scenarios/{id}, with its `queues`
 * @param {(id: string) => string} segmentName
 * @param {number} width chart width in px
 * @param {{ step: number, onStep: (step: number) => void }} map the step the map shows and what to do when another is chosen
 */
export function queueSection(report, segmentName, width, map) {
  const selection = {
    step: map.step, listeners: [], redraw: () => {},
    choose(step) {
      if (step === this.step) return;
      this.step = step;
      for (const listener of this.listeners) listener();
      this.redraw();
      map.onStep(step);
    },
  };
  const { worst, spillbackDelayVehHours: delay, vehiclesDelayedBySpillback: held } = report.queues;
  const items = worst.slice(0, 10).map((q) => el('li', { 'data-segment-id': q.segmentId },
    el('span', { class: 'name' }, segmentName(q.segmentId) ?? q.segmentId),
    el('span', { class: 'change worse' }, t('scenario.queues.item', {
      length: formatNumber(q.maxLengthM, 0), vehicles: formatNumber(q.maxVehicles, 0),
      minute: formatNumber(q.atMinute, 0), duration: formatNumber(q.durationMinutes, 0),
    }))));
  return [
    el('h3', {}, t('scenario.queues')),
    timeline(report, width, selection),
    minutePicker(report, selection),
    el('ol', { class: 'affected-list queue-list' }, items.length ? items : el('li', { class: 'muted' }, t('scenario.queues.none'))),
    delay != null && el('p', { class: 'muted spillback' },
      t('scenario.queues.spillback', { delay: formatNumber(delay, 1), vehicles: formatNumber(held, 0) })),
  ].filter(Boolean);
}
