// The detail panel of one road segment or sensor: its live state and a chart of the values received since the
// screen opened (a rolling buffer kept by the client). While open it also subscribes the entity's own scope.

import { t, tOptional, formatNumber, formatTime, timeZone } from './i18n.js';
import { LOS_COLORS, segmentColor } from './model.js';
import { el } from './dom.js';
import { sectorName } from './sectors.js';
import { getJson } from './auth.js';

const uPlot = window.uPlot;
const DIGITS = { occupancy: 1, level: 2, waterLevelM: 2, pm25: 1, pressure: 2, rainfall: 1 };

const CHART_HEIGHT = 200;

const valueLabel = (name) => tOptional(`value.${name}`) ?? name;

export class EntityDetail {
  /** @param {HTMLElement} container @param {{ client, districtLabel, onClose, token?: string }} options */
  constructor(container, { client, districtLabel, onClose, token }) {
    this.token = token;
    this.window = null;
    this.stored = null;
    this.container = container;
    this.client = client;
    this.districtLabel = districtLabel;
    this.onClose = onClose;
    this.selection = null;
    this.series = null;
    this.plot = null;
    new ResizeObserver(() => this.#resizePlot()).observe(container);
  }

  open(selection) {
    if (this.selection?.id !== selection.id) {
      this.#unsubscribe();
      this.selection = selection;
      this.series = null;
      this.client.subscribe(`entity:${selection.id}`);
    }
    this.container.hidden = false;
    this.render();
    this.#loadStored();
  }

  close() {
    this.#unsubscribe();
    this.selection = null;
    this.container.hidden = true;
    this.#destroyPlot();
    this.onClose();
  }

  /**
   * While the timeline replays, a sensor's chart shows its stored history over the replay window ({ from, to } in
   * ms, or null for the live buffer), from GET /api/v1/sensors/{id}/history in one-minute buckets (their averages).
   */
  setWindow(window) {
    if (window?.from === this.window?.from && window?.to === this.window?.to) return;
    this.window = window;
    this.stored = null;
    this.#destroyPlot();
    this.render();
    this.#loadStored();
  }

  async #loadStored() {
    const s = this.selection;
    const window = this.window;
    if (!s || s.type !== 'sensor' || !window || !this.token || this.stored?.id === s.id) return;
    const query = `from=${encodeURIComponent(new Date(window.from).toISOString())}&to=${encodeURIComponent(new Date(window.to).toISOString())}&step=PT1M`;
    try {
      const answer = await getJson(`/api/v1/sensors/${encodeURIComponent(s.id)}/history?${query}`, this.token);
      if (this.selection?.id !== s.id || this.window !== window) return;
      const points = answer.buckets
        .map((b) => ({ t: Date.parse(b.time), values: Object.fromEntries(Object.entries(b.values).map(([name, v]) => [name, v.avg])) }))
        .filter((p) => Object.keys(p.values).length > 0);
      this.stored = { id: s.id, points };
      this.#destroyPlot();
      this.render();
    } catch {
      // The live buffer stays on the chart.
    }
  }

  /** Redraws when the change touches the open entity. */
  update(changes) {
    const s = this.selection;
    if (s && (s.type === 'segment' ? changes.segments : changes.sensors).has(s.id)) this.render();
  }

  render() {
    const s = this.selection;
    if (!s) return;
    const state = this.client.state;
    const entity = (s.type === 'segment' ? state.segments : state.sensors).get(s.id);
    if (!entity) {
      this.container.replaceChildren(this.#header(s.id, ''), el('p', { class: 'muted' }, t('detail.loading')));
      return;
    }
    const district = state.districts.get(entity.districtId);
    const place = district ? this.districtLabel(district) : entity.districtId;
    const body = s.type === 'segment' ? this.#segmentBody(entity) : this.#sensorBody(entity);
    this.container.dataset.entityId = s.id;
    this.container.replaceChildren(
      this.#header(entity.name ?? entity.spec?.name ?? entity.id, `${t(`detail.${s.type}`)} · ${place}`),
      ...body,
      this.#chartSection());
  }

  #header(title, subtitle) {
    return el('header', { class: 'detail-header' },
      el('div', {}, el('h2', { class: 'detail-title' }, title), el('div', { class: 'detail-subtitle' }, subtitle)),
      el('button', { class: 'icon-button detail-close', 'aria-label': t('detail.close'), title: t('detail.close'), onclick: () => this.close() }, '×'));
  }

  #segmentBody(segment) {
    const traffic = segment.traffic ?? {};
    const spec = segment.spec ?? {};
    const los = traffic.los;
    const badge = segment.status && segment.status !== 'open'
      ? el('span', { class: 'badge', style: `background: ${segmentColor(segment)}` }, t(`status.${segment.status}`))
      : el('span', { class: 'badge los-badge', style: `background: ${los ? LOS_COLORS[los] : '#5b6774'}` }, `${t('detail.los')} ${los ?? '—'}`);
    return [
      el('div', { class: 'detail-badges' }, badge, el('span', { class: 'muted' }, segment.id)),
      this.#facts([
        ['speedKmh', formatNumber(traffic.speedKmh, 1)],
        ['flowVph', formatNumber(traffic.flowVph, 0)],
        ['occupancy', formatNumber(traffic.occupancy, 1)],
        ['waterLevelM', formatNumber(traffic.waterLevelM, 2)],
      ].map(([name, value]) => [valueLabel(name), value, name]).concat([
        [t('detail.freeFlow'), `${formatNumber(spec.freeFlowSpeedKmh, 0)} km/h`],
        [t('detail.capacity'), formatNumber(spec.capacityVph, 0)],
        [t('detail.lanes'), formatNumber(spec.lanes, 0)],
        [t('detail.length'), `${formatNumber((spec.lengthM ?? 0) / 1000, 2)} km`],
        [t('detail.asOf'), formatTime(traffic.asOf)],
      ])),
    ];
  }

  #sensorBody(sensor) {
    const health = sensor.health ?? 'offline';
    const values = Object.entries(sensor.values ?? {}).map(([name, v]) => [valueLabel(name), formatNumber(v, DIGITS[name] ?? 0), name]);
    return [
      el('div', { class: 'detail-badges' },
        el('span', { class: `badge health-badge health-${health}` }, t(`health.${health}`)),
        el('span', { class: 'muted' }, `${sectorName(sensor.sector)} · ${tOptional(`kind.${sensor.kind}`) ?? sensor.kind}`)),
      this.#facts(values.concat([
        [t('detail.lastSeen'), formatTime(sensor.lastSeen)],
        [t('detail.readings'), formatNumber(sensor.readingCount ?? 0, 0)],
        [t('detail.id'), sensor.id],
      ])),
    ];
  }

  #facts(rows) {
    return el('dl', { class: 'facts' }, rows.flatMap(([label, value, name]) =>
      [el('dt', {}, label), el('dd', { 'data-value': name ?? null }, value)]));
  }

  /** A chart of one value over time; the value is picked with the buttons above it. */
  #chartSection() {
    const stored = this.window && this.stored?.id === this.selection.id ? this.stored.points : null;
    const history = stored ?? this.client.history(this.selection.id);
    const names = [...new Set(history.flatMap((p) => Object.keys(p.values)))];
    if (!names.includes(this.series)) this.series = names[0] ?? null;
    const section = el('section', { class: 'chart-section' },
      el('div', { class: 'chart-picker', role: 'group' }, names.map((name) => el('button', {
        class: 'chip', 'aria-pressed': String(name === this.series), 'data-series': name,
        onclick: () => { this.series = name; this.#destroyPlot(); this.render(); },
      }, valueLabel(name)))));
    const points = history.filter((p) => typeof p.values[this.series] === 'number');
    const target = el('div', { class: 'chart', 'data-points': String(points.length), 'data-source': stored ? 'history' : 'live' });
    if (stored) section.append(el('p', { class: 'muted chart-caption' }, t('detail.replayHistory')));
    section.append(target);
    if (!this.series || points.length === 0) {
      target.append(el('p', { class: 'muted' }, t('detail.noHistory')));
      this.#destroyPlot();
      return section;
    }
    const data = [points.map((p) => p.t / 1000), points.map((p) => p.values[this.series])];
    if (this.plot && this.plot.seriesName === this.series) {
      this.plot.setData(data);
      target.append(this.plot.root);
    } else {
      this.#destroyPlot();
      this.plot = new uPlot(this.#chartOptions(this.series), data, target);
      this.plot.seriesName = this.series;
    }
    return section;
  }

  #chartOptions(name) {
    const axis = { stroke: '#9fb0c3', grid: { stroke: 'rgba(159,176,195,0.12)' }, ticks: { stroke: 'rgba(159,176,195,0.25)' } };
    return {
      width: this.#chartWidth(),
      height: CHART_HEIGHT,
      legend: { show: false },
      cursor: { drag: { x: false, y: false } },
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), timeZone()),
      scales: { x: { time: true } },
      axes: [{ ...axis, values: (u, ticks) => ticks.map((ts) => formatTime(new Date(ts * 1000).toISOString())) }, { ...axis, size: 48 }],
      series: [{}, { label: valueLabel(name), stroke: '#4cc9f0', width: 2, fill: 'rgba(76,201,240,0.12)', points: { show: true, size: 5 } }],
    };
  }

  #chartWidth() {
    return Math.max(200, this.container.clientWidth - 32);
  }

  #resizePlot() {
    if (this.plot && !this.container.hidden) this.plot.setSize({ width: this.#chartWidth(), height: CHART_HEIGHT });
  }

  #destroyPlot() {
    this.plot?.destroy();
    this.plot = null;
  }

  #unsubscribe() {
    if (this.selection) this.client.unsubscribe(`entity:${this.selection.id}`);
  }
}
