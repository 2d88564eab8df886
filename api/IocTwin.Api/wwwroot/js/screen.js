// One live screen: header (title, KPI picker, language, token, connection, clock), the map with its legend and
// detail panel, and the sidebar (scope KPIs, the areas of the level picked with their breadcrumb, alerts). Used by the
// IOC wall screen and the OC screen; what it shows is what the client's scopes deliver, nothing more.

import { t, language, translate, onLanguageChange, bindLanguageSwitch, formatNumber } from './i18n.js';
import { MAP_KPIS } from './model.js';
import { sectorIds, sectorName } from './sectors.js';
import { TwinMap } from './map.js';
import { AssetLayer } from './assets-layer.js';
import { ReportLayer } from './reports-layer.js';
import { readClaims } from './auth.js';
import { EntityDetail } from './detail.js';
import { TwinClient } from './twin-client.js';
import { AreaView } from './areas.js';
import { Replay, allChanges } from './replay.js';
import { renderKpiTiles, renderDistrictTable, renderAlerts, renderLegend, startClock, renderConnection } from './panels.js';
import { renderLevelPicker, renderBreadcrumb, levelName } from './area-panels.js';

const LAYOUT = `
<header class="topbar">
  <div class="brand">
    <div class="emblem" aria-hidden="true"></div>
    <div class="brand-text"><h1 class="title"></h1><div class="subtitle"></div></div>
  </div>
  <div class="toolbar">
    <label class="field level-field" hidden><span data-i18n="areas.level"></span><select class="level-select"></select></label>
    <label class="field"><span data-i18n="map.colourBy"></span><select class="kpi-select"></select></label>
    <div class="lang-switch" role="group" data-i18n-aria-label="language.label">
      <button type="button" data-lang="vi">VI</button><button type="button" data-lang="en">EN</button>
    </div>
    <button type="button" class="button token-button" data-i18n="token.change"></button>
    <a class="button scenario-link" href="/scenario" data-i18n="nav.scenario" hidden></a>
    <button type="button" class="button replay-toggle" data-i18n="replay.timeline" aria-expanded="false" hidden></button>
  </div>
  <div class="status-area">
    <div class="replay-indicator" role="status" hidden></div>
    <div class="connection" data-status="connecting" role="status"><span class="dot"></span><span class="connection-label"></span></div>
    <div class="clock"><span class="clock-time"></span><span class="clock-date"></span><span class="clock-zone"></span></div>
  </div>
</header>
<main class="layout">
  <section class="map-area">
    <div class="map" data-i18n-aria-label="map.label"></div>
    <div class="legend"></div>
    <aside class="detail" hidden></aside>
    <div class="screen-message" hidden></div>
    <div class="replay-bar" hidden></div>
  </section>
  <aside class="sidebar">
    <section class="card"><h2 class="scope-title"></h2><div class="tiles"></div></section>
    <section class="card districts-card"><h2 class="areas-title"></h2><nav class="breadcrumb" data-i18n-aria-label="areas.breadcrumb" hidden></nav><div class="table-wrap"><table class="district-table"></table></div></section>
    <section class="card alerts-card"><h2><span data-i18n="alerts.title"></span><span class="badge alert-count">0</span></h2><ul class="alert-list"></ul></section>
    <section class="card reports-card" hidden><h2><span data-i18n="reports.title"></span><span class="badge report-count">0</span></h2><p class="report-message" role="alert" hidden></p><ul class="report-list"></ul></section>
  </aside>
</main>`;

/** The KPI the districts are coloured by at first: what matters most to the screen's owner. */
function defaultKpi(scope) {
  if (scope.kind !== 'sector' || scope.sectors.length !== 1) return 'meanSpeedKmh';
  return { traffic: 'meanSpeedKmh', environment: 'worstAqi', flood: 'maxWaterLevelM' }[scope.sectors[0]] ?? 'sensorsOffline';
}

/**
 * Connects to the twin with a token and shows what its scope covers.
 * @param {HTMLElement} root
 * @param {string} token
 * @param {{ kind: 'city'|'district'|'sector', districts: string[], sectors: string[], hubScopes: string[] }} scope
 * @param {{ onChangeToken: () => void, onUnauthorized: () => void }} handlers
 */
export function runScreen(root, token, scope, { onChangeToken, onUnauthorized }) {
  const client = new TwinClient({ token, scopes: scope.hubScopes });
  const districtNames = (state) => scope.districts
    .map((id) => state.districts.get(id))
    .map((d, i) => (d ? (language() === 'en' ? d.nameEn ?? d.name : d.name) : scope.districts[i]))
    .join(', ');
  const title = (state) => ({
    city: () => t('wall.title'),
    district: () => t('oc.title.district', { names: districtNames(state) }),
    sector: () => t('oc.title.sector', { names: scope.sectors.map(sectorName).join(', ') }),
  })[scope.kind]();
  const subtitle = () => t(scope.kind === 'city' ? 'wall.subtitle' : 'oc.subtitle');
  const screen = mountScreen(root, { client, scope, title, subtitle, onChangeToken, token });
  client.addEventListener('unauthorized', onUnauthorized);
  client.start();
  return { client, ...screen };
}

/**
 * @param {HTMLElement} root
 * @param {{ client, scope: { kind: 'city'|'district'|'sector', districts: string[], sectors: string[] },
 *           title: (state) => string, subtitle: () => string, onChangeToken: () => void }} options
 */
export function mountScreen(root, { client, scope, title, subtitle, onChangeToken, token }) {
  root.innerHTML = LAYOUT;
  const $ = (selector) => root.querySelector(selector);
  const districtLabel = (d) => (language() === 'en' ? d.nameEn ?? d.name : d.name) ?? d.id;
  const ui = { kpiKey: defaultKpi(scope), roads: true, hiddenSectors: new Set(), sectorsShown: [] };

  const map = new TwinMap($('.map'), {
    onSelect: (selection) => {
      map.select(selection);
      detail.open(selection);
    },
    districtLabel,
    schematicLabel: () => t('map.schematic'),
    onDistrictSelect: (id) => areas.drill(id),
    segmentTip: (s) => `${s.spec?.name ?? s.id} · ${s.status !== 'open' ? t(`status.${s.status}`) : `${t('detail.los')} ${s.traffic?.los ?? '—'}`}`
      + (s.traffic?.speedKmh != null ? ` · ${formatNumber(s.traffic.speedKmh, 0)} km/h` : ''),
    sensorTip: (s) => `${s.name ?? s.id} · ${t(`health.${s.health ?? 'offline'}`)}`,
    kpiKey: ui.kpiKey,
    kpisOf: (d) => d.kpis,
    bottomInset: () => $('.legend').offsetHeight,
  });
  const areas = new AreaView({ client, token, scope });
  const assetLayer = new AssetLayer(map.map);
  assetLayer.follow(client);
  if (token) {
    // Viewers see the queue; the OCs and the IOC also take reports on from it (the server checks who may).
    $('.reports-card').hidden = false;
    const reports = new ReportLayer(map.map, token, $('.reports-card'), readClaims(token)?.role !== 'viewer');
    reports.follow(client);
    onLanguageChange(() => reports.render());
  }
  const detail = new EntityDetail($('.detail'), { client, districtLabel, onClose: () => map.select(null), token });

  // The timeline replays the whole city on the city-wide screen, an area OC's own areas on its screen (every level below
  // them either way); a sector OC's screen has none (city/at answers whole areas only).
  const replay = (scope.kind === 'city' || scope.kind === 'district') && token
    ? new Replay($('.replay-bar'), $('.replay-indicator'), {
      token, live: () => client.state, assets: () => client.assets, areas: scope.kind === 'district' ? scope.districts : null,
    })
    : null;
  /** What the screen shows: the replayed city while the timeline replays, else the live one. */
  const shown = () => (replay?.active && replay.shown ? replay.shown : client.state);
  const replaying = () => Boolean(replay?.active);
  const replayToggle = $('.replay-toggle');
  replayToggle.hidden = !replay;
  replayToggle.addEventListener('click', () => {
    replay.toggle();
    replayToggle.setAttribute('aria-expanded', String(replay.open));
    root.classList.toggle('replay-open', replay.open);
  });
  replay?.addEventListener('frame', ({ detail: state }) => {
    root.classList.add('replaying');
    renderSide();
    map.update(state, allChanges(state));
    assetLayer.showReplayed(state.assets);
    detail.setWindow(replay.window());
  });
  replay?.addEventListener('live', () => {
    root.classList.remove('replaying');
    renderSide();
    map.update(client.state, allChanges(client.state));
    assetLayer.showLive();
    detail.setWindow(null);
  });
  replay?.addEventListener('error', ({ detail: error }) => showMessage(t('replay.error', { message: error?.message ?? '' })));

  const kpiSelect = $('.kpi-select');
  kpiSelect.addEventListener('change', () => {
    ui.kpiKey = kpiSelect.value;
    renderSide();
    renderLegendNow();
    map.setKpi(ui.kpiKey, shown());
  });
  $('.token-button').addEventListener('click', onChangeToken);
  // What-if scenarios fork the whole city: offered on the city-wide screen only.
  $('.scenario-link').hidden = scope.kind !== 'city';
  bindLanguageSwitch(root);
  const tickClock = startClock($('.clock-time'), $('.clock-date'), $('.clock-zone'));

  /**
   * KPIs for the whole scope, and per district, as the server sends them: the scope's total comes as its city (the
   * city's, or an OC's districts' or sectors'), each district's counted over what the scope covers.
   */
  function scopeKpis() {
    const { city, districts } = shown();
    const ids = areas.shownIds();
    const list = ids ? ids.map((id) => districts.get(id)).filter(Boolean) : [...districts.values()];
    return { total: city?.kpis ?? null, rows: list.map((d) => ({ district: d, kpis: d.kpis })) };
  }

  function renderSide() {
    const { total, rows } = scopeKpis();
    $('.scope-title').textContent = t(`scope.${scope.kind}`);
    renderKpiTiles($('.tiles'), total);
    renderDistrictTable($('.district-table'), rows, {
      kpiKey: ui.kpiKey, label: districtLabel,
      // An area with areas below it opens them; one without is shown close up on the map.
      onPick: (id) => (areas.canDrill(id) ? areas.drill(id) : map.focusDistrict(id)),
    });
  }

  function renderLegendNow() {
    renderLegend($('.legend'), {
      kpiKey: ui.kpiKey,
      roads: ui.roads,
      sectors: ui.sectorsShown,
      hiddenSectors: ui.hiddenSectors,
      schematic: rowsShown().some((d) => d.schematic),
      onToggleSector: (sector, visible) => {
        if (visible) ui.hiddenSectors.delete(sector);
        else ui.hiddenSectors.add(sector);
        map.setSectorVisible(sector, visible, shown());
      },
    });
  }

  const rowsShown = () => scopeKpis().rows.map((row) => row.district);

  function renderAreaNavigation() {
    // The table is named by the kinds of area it lists (Quận / huyện, Phường ...), districts when the tree is not read.
    const kinds = [...new Set(rowsShown().map((d) => d.kind).filter(Boolean))];
    $('.areas-title').textContent = kinds.length > 0 ? levelName(kinds) : t('districts.title');
    const rootLabel = t(scope.kind === 'city' ? 'areas.city' : 'areas.own');
    renderLevelPicker($('.level-field'), $('.level-select'), areas, (depth) => areas.pickLevel(depth));
    renderBreadcrumb($('.breadcrumb'), areas, {
      rootLabel, label: (id) => (client.state.districts.get(id) ? districtLabel(client.state.districts.get(id)) : id),
      onPick: (id) => areas.drill(id),
    });
  }

  areas.addEventListener('change', () => {
    renderAreaNavigation();
    renderSide();
    renderLegendNow();
    map.showAreas(areas.shownIds(), shown());
  });
  areas.load();

  function renderHeader() {
    $('.title').textContent = title(client.state);
    $('.subtitle').textContent = subtitle();
    document.title = `${title(client.state)} · IocTwin`;
    kpiSelect.replaceChildren(...MAP_KPIS.map((key) => new Option(t(`kpi.${key}`), key, false, key === ui.kpiKey)));
  }

  function renderAll() {
    translate(root);
    tickClock();
    renderHeader();
    renderLegendNow();
    renderAreaNavigation();
    renderSide();
    renderAlerts($('.alert-list'), $('.alert-count'), visibleAlerts());
    renderConnection($('.connection'), client.status, client.lastFrameAt);
    map.refresh(shown());
    replay?.render();
    detail.render();
  }

  /** Alerts the server sends are already scoped; an OC screen also drops any outside its areas (and those below) or sectors. */
  function visibleAlerts() {
    return client.alerts.filter((a) =>
      (scope.kind !== 'district' || !a.districtId || scope.districts.includes(a.districtId) || areas.tree.has(a.districtId)) &&
      (scope.kind !== 'sector' || !a.sector || scope.sectors.includes(a.sector)));
  }

  client.addEventListener('change', ({ detail: changes }) => {
    if (changes.snapshot) {
      const present = new Set([...client.state.sensors.values()].map((s) => s.sector));
      ui.sectorsShown = sectorIds().filter((s) => present.has(s));
      ui.roads = client.state.segments.size > 0;
      // Redrawn on every snapshot: an area scope's may bring the first schematic boundary into view.
      renderLegendNow();
      renderHeader();
      renderAreaNavigation();
      hideMessage();
    }
    detail.update(changes);
    // While the timeline replays, live updates are held back from the map and tiles; "Live" redraws from them.
    if (replaying()) return;
    renderSide();
    map.update(client.state, changes);
  });
  client.addEventListener('status', () => renderConnection($('.connection'), client.status, client.lastFrameAt));
  client.addEventListener('alert', () => renderAlerts($('.alert-list'), $('.alert-count'), visibleAlerts()));
  client.addEventListener('error', ({ detail: { scope: failed, error } }) =>
    showMessage(t('error.subscribe', { scope: failed, message: error?.message ?? '' })));

  // Time passes without frames: the stale indicator ages (sensor health comes aged from the server).
  setInterval(() => renderConnection($('.connection'), client.status, client.lastFrameAt), 1_000);

  function showMessage(text) {
    const box = $('.screen-message');
    box.textContent = text;
    box.hidden = false;
  }
  function hideMessage() {
    $('.screen-message').hidden = true;
  }

  onLanguageChange(renderAll);
  renderAll();
  return { map, detail, replay, showMessage };
}
