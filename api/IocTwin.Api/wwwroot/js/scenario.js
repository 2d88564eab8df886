// The what-if scenario screen: name a scenario (a fork of the live twin), build interventions on the map, run it
// with live progress from the hub scope scenario:{id}, then compare it with its baseline: KPIs, a chart over time,
// districts, the roads most affected, and the map of either run.

import { initI18n, t, translate, onLanguageChange, bindLanguageSwitch, language, formatNumber, cityTime } from './i18n.js';
import { loadToken, saveToken, usableClaims, requestDevToken, DevTokensUnavailable } from './auth.js';
import { TwinMap } from './map.js';
import { TwinClient } from './twin-client.js';
import { renderConnection } from './panels.js';
import { InterventionForm, showProblem, clearErrors } from './scenario-form.js';
import { renderReport, renderRoadLegend, runState } from './scenario-report.js';
import { queueExtentsAt, queueColor, worstQueueStep } from './scenario-queues.js';

const TOKEN_KEY = 'ioctwin.scenario.token';
const $ = (selector) => document.querySelector(selector);
const ui = { scenario: null, report: null, view: 'live', token: null, progress: null, queueStep: 0 };

/** An IOC token: scenarios fork the whole city and writing them is the IOC's. */
async function obtainToken() {
  for (const key of [TOKEN_KEY, 'ioctwin.wall.token']) {
    const stored = loadToken(key);
    if (usableClaims(stored)?.role === 'ioc') return stored;
  }
  return requestDevToken({ role: 'ioc', name: 'Scenario desk' });
}

/** A call to the scenario API: { ok, status, json }. */
async function api(method, path, body) {
  const response = await fetch(`/api/v1/scenarios${path}`, {
    method,
    headers: { Authorization: `Bearer ${ui.token}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { ok: response.ok, status: response.status, json: await response.json().catch(() => null) };
}

function showMessage(text) {
  const box = $('.screen-message');
  box.textContent = text ?? '';
  box.hidden = !text;
}

async function main() {
  await initI18n();
  bindLanguageSwitch(document);
  renderRoadLegend($('.legend'));
  try {
    ui.token = await obtainToken();
  } catch (error) {
    showMessage(error instanceof DevTokensUnavailable ? t('scenario.needIocToken') : error.message);
    return;
  }
  saveToken(TOKEN_KEY, ui.token);

  const client = new TwinClient({ token: ui.token, scopes: ['city'] });
  const { segments, districts } = client.state;
  const districtLabel = (id) => {
    const d = districts.get(id);
    return d ? (language() === 'en' ? d.nameEn ?? d.name : d.name) : id;
  };
  const segmentName = (id) => segments.get(id)?.name ?? segments.get(id)?.spec?.name ?? id;
  const map = new TwinMap($('.map'), {
    onSelect: ({ type, id }) => {
      if (type !== 'segment' || !ui.scenario || ui.scenario.status === 'running') return;
      map.select({ type, id });
      form.pickSegment(id);
    },
    onDistrictSelect: (id) => {
      if (ui.scenario && ui.scenario.status !== 'running') form.pickDistrict(id);
    },
    districtLabel: (d) => districtLabel(d.id),
    schematicLabel: () => t('map.schematic'),
    segmentTip: (s) => `${s.spec?.name ?? s.id} · ${s.status && s.status !== 'open' ? t(`status.${s.status}`) : `${t('detail.los')} ${s.traffic?.los ?? '—'}`}`,
    sensorTip: () => '',
    kpisOf: () => null,
    bottomInset: () => $('.legend').offsetHeight,
  });
  const everything = (state) => ({ districts: new Set(state.districts.keys()), segments: new Set(state.segments.keys()), sensors: new Set() });

  const form = new InterventionForm($('form.intervention'), {
    districts: () => [...districts.keys()].map((id) => ({ id, label: districtLabel(id) })),
    segmentName,
    onSubmit: async (body) => {
      const { ok, status, json } = await api('POST', `/${ui.scenario.id}/interventions`, body);
      if (!ok) return showProblem($('form.intervention'), json, status);
      clearErrors($('form.intervention'));
      ui.scenario = json;
      // A changed scenario needs a new run: its old report no longer holds.
      if (ui.report) {
        ui.report = null;
        $('.card.results').hidden = true;
        for (const button of document.querySelectorAll('[data-view="baseline"], [data-view="scenario"]')) button.disabled = true;
        setView('live');
      }
      showProgress({ status: json.status, progress: 0 });
      form.render(json.interventions);
    },
  });

  function setView(view) {
    ui.view = view;
    for (const button of document.querySelectorAll('[data-view]')) button.setAttribute('aria-pressed', String(button.dataset.view === view));
    const state = view === 'live' || !ui.report ? client.state : runState(client.state, ui.report, view);
    map.update(state, { ...everything(state), districts: new Set() });
    showQueues();
    document.querySelector('.map-area').dataset.view = view;
  }

  /** The scenario's queues at the chosen minute over its roads; none in the other views. */
  function showQueues() {
    const queues = ui.view === 'scenario' && ui.report?.queues;
    map.showQueues(queues ? queueExtentsAt(ui.report, ui.queueStep) : null, queueColor);
  }
  for (const button of document.querySelectorAll('[data-view]')) button.addEventListener('click', () => setView(button.dataset.view));

  client.addEventListener('change', ({ detail: changes }) => {
    if (changes.snapshot) form.render();
    if (ui.view === 'live') map.update(client.state, { ...changes, sensors: new Set() });
  });
  client.addEventListener('status', () => {
    renderConnection($('.connection'), client.status, client.lastFrameAt);
    // Back after a break while running: what the hub said meanwhile is lost, so ask once.
    if (client.status === 'live' && ui.scenario?.status === 'running') refresh();
  });
  client.addEventListener('scenario', ({ detail: progress }) => {
    if (progress.scenarioId === ui.scenario?.id) showProgress(progress);
  });
  client.start();

  $('form.setup').addEventListener('submit', async (event) => {
    event.preventDefault();
    const setup = event.target;
    const field = (name) => setup.querySelector(`[name="${name}"]`).value;
    // Empty: the twin as it is now. A time is read in the city's time zone, wherever the browser runs.
    const baseline = field('baseline') ? cityTime(field('baseline')) : 'live';
    const { ok, status, json } = await api('POST', '', {
      name: field('name').trim(), baseline,
      horizonMinutes: Number(field('horizonMinutes')), stepSeconds: Number(field('stepSeconds')), model: field('model'),
    });
    if (!ok) return showProblem(setup, json, status);
    clearErrors(setup);
    ui.scenario = json;
    for (const field of setup.querySelectorAll('input, select')) field.disabled = true;
    setup.querySelector('.create').hidden = true;
    setup.querySelector('.restart').hidden = false;
    setup.dataset.scenarioId = json.id;
    $('form.intervention').hidden = false;
    $('.card.run').hidden = false;
    await client.subscribe(`scenario:${json.id}`);
  });
  $('.restart').addEventListener('click', () => location.reload());

  $('.run-button').addEventListener('click', async () => {
    const { ok, status, json } = await api('POST', `/${ui.scenario.id}/run`);
    if (!ok) {
      $('.run-status').textContent = json?.detail ?? json?.title ?? t('scenario.error.http', { status });
      return;
    }
    ui.scenario = json;
    showProgress({ status: 'running', progress: 0 });
  });

  /** A progress message of the run, or the scenario's own state. */
  function showProgress(progress) {
    ui.progress = progress;
    const status = String(progress.status).toLowerCase();
    const percent = Math.round((progress.progress ?? 0) * 100);
    const card = $('.card.run');
    card.dataset.status = status;
    card.querySelector('.progress').setAttribute('aria-valuenow', String(percent));
    card.querySelector('.progress-fill').style.width = `${percent}%`;
    card.querySelector('.run-button').disabled = status === 'running';
    $('form.intervention .add').disabled = status === 'running';
    ui.scenario.status = status;
    const text = {
      running: () => t('scenario.run.running', {
        percent, minute: formatNumber(progress.minute ?? 0), delay: formatNumber(progress.cumulativeDelayVehHours ?? 0, 1),
      }),
      completed: () => t('scenario.run.completed'),
      failed: () => t('scenario.run.failed', { error: progress.error ?? '' }),
    }[status];
    card.querySelector('.run-status').textContent = text ? text() : '';
    if (status === 'completed' && !ui.report) loadReport();
  }

  async function refresh() {
    const { ok, json } = await api('GET', `/${ui.scenario.id}`);
    if (ok) showProgress({ ...json, status: json.status, progress: json.progress, error: json.error });
  }

  async function loadReport() {
    const { ok, json } = await api('GET', `/${ui.scenario.id}`);
    if (!ok || !json.report) return;
    ui.report = json.report;
    ui.queueStep = worstQueueStep(json.report);
    for (const button of document.querySelectorAll('[data-view]')) button.disabled = false;
    renderResults();
    $('.card.results').scrollIntoView({ block: 'start' });
    setView('scenario');
  }

  function renderResults() {
    const card = $('.card.results');
    card.hidden = false;
    renderReport(card, ui.report, {
      districtLabel, segmentName,
      queueMap: {
        step: ui.queueStep,
        onStep: (step) => {
          ui.queueStep = step;
          // The queues are the scenario's: choosing a minute shows them.
          if (ui.view === 'scenario') showQueues();
          else setView('scenario');
        },
      },
    });
  }

  onLanguageChange(() => {
    translate(document);
    renderRoadLegend($('.legend'));
    form.render();
    map.recolorDistricts(client.state);
    if (ui.progress) showProgress(ui.progress);
    renderConnection($('.connection'), client.status, client.lastFrameAt);
    if (ui.report) renderResults();
  });
  setView('live');
}

main();
