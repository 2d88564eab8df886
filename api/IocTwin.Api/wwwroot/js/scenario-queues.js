// The queues of a scenario run with dynamic loading: the longest queue over the run's minutes, the worst queues
// (road, extent, when, how long) and the delay from spillback. Only reports of dynamic runs carry them.

import { t, formatNumber } from './i18n.js';
import { el } from './dom.js';

const uPlot = window.uPlot;
const CHART_HEIGHT = 140;
const QUEUE_COLOR = '#e5484d';

/** The longest queue in the city at every step; an OC's report has no city-wide series, so none is drawn. */
function timeline(report, width) {
  const longest = report.queues.longestQueueM;
  if (!longest) return null;
  const minutes = longest.map((_, i) => (i + 1) * report.stepSeconds / 60);
  const axis = { stroke: '#9fb0c3', grid: { stroke: 'rgba(159,176,195,0.12)' }, ticks: { stroke: 'rgba(159,176,195,0.25)' } };
  const target = el('div', { class: 'chart', 'data-metric': 'longestQueueM', 'data-points': String(longest.length) });
  new uPlot({
    width, height: CHART_HEIGHT,
    cursor: { drag: { x: false, y: false } },
    scales: { x: { time: false } },
    axes: [{ ...axis, label: t('scenario.minute'), labelSize: 18 }, { ...axis, size: 48 }],
    series: [{ label: t('scenario.minute') }, { label: t('scenario.queues.longest'), stroke: QUEUE_COLOR, width: 2 }],
  }, [minutes, longest], target);
  return target;
}

/**
 * The queue section of a report: a heading, the timeline, the worst queues and the spillback figures.
 * @param {object} report the report of GET /api/v1/scenarios/{id}, with its `queues`
 * @param {(id: string) => string} segmentName
 * @param {number} width chart width in px
 */
export function queueSection(report, segmentName, width) {
  const { worst, spillbackDelayVehHours: delay, vehiclesDelayedBySpillback: held } = report.queues;
  const items = worst.slice(0, 10).map((q) => el('li', { 'data-segment-id': q.segmentId },
    el('span', { class: 'name' }, segmentName(q.segmentId) ?? q.segmentId),
    el('span', { class: 'change worse' }, t('scenario.queues.item', {
      length: formatNumber(q.maxLengthM, 0), vehicles: formatNumber(q.maxVehicles, 0),
      minute: formatNumber(q.atMinute, 0), duration: formatNumber(q.durationMinutes, 0),
    }))));
  return [
    el('h3', {}, t('scenario.queues')),
    timeline(report, width),
    el('ol', { class: 'affected-list queue-list' }, items.length ? items : el('li', { class: 'muted' }, t('scenario.queues.none'))),
    delay != null && el('p', { class: 'muted spillback' },
      t('scenario.queues.spillback', { delay: formatNumber(delay, 1), vehicles: formatNumber(held, 0) })),
  ].filter(Boolean);
}
