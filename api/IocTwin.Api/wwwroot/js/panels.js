// The screen's panels around the map: KPI tiles, the district table, the alerts list, the legend, the clock
// and the connection indicator. Each render function redraws its own element from the data it is given.

import { t, tOptional, formatNumber, formatTime, locale, timeZone, zoneOffset } from './i18n.js';
import {
  KPI_FORMAT, TILE_KPIS, MAP_KPIS, LOS_COLORS, STATUS_COLORS, NO_DATA_COLOR, NO_KPI_COLOR,
  kpiColor, kpiLegend,
} from './model.js';
import { el } from './dom.js';
import { sectorColor, sectorName } from './sectors.js';

const hasValue = (kpi) => kpi?.value !== null && kpi?.value !== undefined;

export function formatKpi(key, kpi) {
  const format = KPI_FORMAT[key];
  return formatNumber(kpi?.value ?? null, format?.digits ?? 0);
}

/** KPI tiles for a scope (the city, an OC's districts or sectors). */
export function renderKpiTiles(container, kpis) {
  container.replaceChildren(...TILE_KPIS.map((key) => {
    const kpi = kpis?.[key];
    const unit = KPI_FORMAT[key].unit;
    const mapped = MAP_KPIS.includes(key);
    return el('div', {
      class: 'tile', 'data-kpi': key, title: kpi?.asOf ? `${t('kpi.asOf')} ${formatTime(kpi.asOf)}` : null,
      style: mapped ? `--accent: ${kpiColor(key, kpi?.value ?? null)}` : null,
    },
    el('span', { class: 'tile-label' }, t(`kpi.${key}`)),
    el('span', { class: 'tile-value' }, formatKpi(key, kpi), unit && hasValue(kpi) && el('small', {}, ` ${unit}`)));
  }));
}

const TABLE_KPIS = ['meanSpeedKmh', 'congestedKm', 'worstAqi', 'maxWaterLevelM'];
/** KPI columns; on a narrow sidebar only the map's KPI column stays (see the CSS). */
const kpiClass = (key, current) => (key === current ? 'kpi-col current' : 'kpi-col');

/** One row per district: its KPIs, the map's KPI highlighted; a click on a row focuses the map on it. */
export function renderDistrictTable(table, rows, { kpiKey, label, onPick }) {
  const head = el('tr', {},
    el('th', {}, t('districts.name')),
    ...TABLE_KPIS.map((key) => el('th', { class: kpiClass(key, kpiKey), title: t(`kpi.${key}`) }, t(`kpi.short.${key}`))),
    el('th', { title: t('districts.sensorsTitle') }, t('districts.sensors')));
  const body = rows.map(({ district, kpis }) => el('tr', { 'data-district-id': district.id, onclick: () => onPick(district.id) },
    el('td', { class: 'name' }, label(district)),
    ...TABLE_KPIS.map((key) => el('td', { class: kpiClass(key, kpiKey) },
      el('span', { class: 'swatch', style: `background: ${kpiColor(key, kpis?.[key]?.value ?? null)}` }),
      formatKpi(key, kpis?.[key]))),
    el('td', { class: 'health-counts' },
      el('span', { class: 'h-online', title: t('health.online') }, formatKpi('sensorsOnline', kpis?.sensorsOnline)),
      el('span', { class: 'h-stale', title: t('health.stale') }, formatKpi('sensorsStale', kpis?.sensorsStale)),
      el('span', { class: 'h-offline', title: t('health.offline') }, formatKpi('sensorsOffline', kpis?.sensorsOffline)))));
  table.replaceChildren(el('thead', {}, head), el('tbody', {}, body));
}

/** Live alerts, newest first, or an empty state. */
export function renderAlerts(list, countBadge, alerts) {
  countBadge.textContent = formatNumber(alerts.length);
  if (alerts.length === 0) {
    list.replaceChildren(el('li', { class: 'empty' }, t('alerts.empty')));
    return;
  }
  list.replaceChildren(...alerts.map((alert) => {
    const severity = String(alert.severity ?? 'info').toLowerCase();
    return el('li', { class: `alert severity-${severity}`, 'data-alert-id': alert.id ?? null },
      el('span', { class: 'alert-severity' }, tOptional(`alerts.severity.${severity}`) ?? severity),
      el('span', { class: 'alert-text' }, alert.title ?? alert.message ?? alert.kind ?? ''),
      el('span', { class: 'alert-meta' },
        [alert.districtName ?? alert.districtId, alert.entityId ?? alert.segmentId ?? alert.sensorId].filter(Boolean).join(' · ')),
      el('time', { class: 'alert-time' }, formatTime(alert.raisedAt ?? alert.timestamp ?? alert.receivedAt)));
  }));
}

/**
 * The map legend: level of service, road statuses, sensors by sector (each can be hidden) and health, the district scale,
 * and the dashed outline of a schematic (approximate) boundary when one is shown.
 */
export function renderLegend(container, { kpiKey, roads, sectors, hiddenSectors, onToggleSector, schematic }) {
  const swatch = (color, text, kind = 'line') => el('li', {}, el('span', { class: `key key-${kind}`, style: `--c: ${color}` }), text);
  const scale = kpiLegend(kpiKey).map(({ color, lo, hi, higherIsBetter }) => {
    const format = (v) => formatNumber(v, KPI_FORMAT[kpiKey].digits);
    const text = higherIsBetter
      ? (hi === null ? `< ${format(lo)}` : `≥ ${format(hi)}`)
      : (lo === null ? `≤ ${format(hi)}` : hi === null ? `> ${format(lo)}` : `${format(lo)}–${format(hi)}`);
    return swatch(color, text, 'area');
  });
  const open = container.querySelector('details')?.open ?? true;
  container.replaceChildren(el('details', { open }, el('summary', {}, t('legend.title')), el('div', { class: 'legend-body' },
    roads && el('section', {}, el('h3', {}, t('legend.los')),
      el('ul', { class: 'legend-los' }, Object.entries(LOS_COLORS).map(([los, color]) => swatch(color, los))),
      el('ul', {}, Object.entries(STATUS_COLORS).map(([status, color]) => swatch(color, t(`status.${status}`))),
        swatch(NO_DATA_COLOR, t('legend.noData')))),
    el('section', {}, el('h3', {}, t(`kpi.${kpiKey}`)),
      el('ul', {}, scale, swatch(NO_KPI_COLOR, t('legend.noData'), 'area'),
        schematic && el('li', { class: 'legend-schematic' }, el('span', { class: 'key key-schematic' }), t('legend.schematic')))),
    sectors.length > 0 && el('section', {}, el('h3', {}, t('legend.sensors')),
      el('ul', { class: 'legend-sectors' }, sectors.map((sector) => el('li', {},
        el('label', {},
          el('input', {
            type: 'checkbox', 'data-sector': sector, checked: !hiddenSectors.has(sector),
            onchange: (e) => onToggleSector(sector, e.target.checked),
          }),
          el('span', { class: 'key key-dot', style: `--c: ${sectorColor(sector)}` }),
          sectorName(sector))))),
      el('ul', { class: 'legend-health' },
        ['online', 'stale', 'offline'].map((h) => el('li', {}, el('span', { class: `key key-health health-${h}` }), t(`health.${h}`))))),
  )));
}

/** Keeps elements showing the time, date and UTC offset of the city's time zone (Twin:TimeZone). */
export function startClock(timeElement, dateElement, zoneElement) {
  const tick = () => {
    const now = new Date();
    timeElement.textContent = formatTime(now.toISOString());
    dateElement.textContent = new Intl.DateTimeFormat(locale(), {
      timeZone: timeZone(), weekday: 'long', day: 'numeric', month: 'numeric', year: 'numeric',
    }).format(now);
    zoneElement.textContent = zoneOffset(now);
  };
  tick();
  setInterval(tick, 1_000);
  return tick;
}

/** Live, reconnecting, stale (with how long since the last frame), connecting or offline. */
export function renderConnection(element, status, lastFrameAt) {
  element.dataset.status = status;
  const label = element.querySelector('.connection-label');
  if (status === 'stale' && lastFrameAt) {
    label.textContent = t('connection.staleFor', { seconds: Math.round((Date.now() - lastFrameAt) / 1000) });
  } else {
    label.textContent = t(`connection.${status}`);
  }
}
