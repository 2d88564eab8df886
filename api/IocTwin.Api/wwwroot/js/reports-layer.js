// Citizen reports on the map and in the OC's queue. Starts from GET /api/v1/reports (the open reports the token may
// see, state by state, page by page), then follows the hub's 'report' frames (a report filed or moved on, in the
// screen's scopes), and loads the list again each time the hub comes back live after a break (frames were missed). The queue lists open reports,
// soonest SLA deadline first, with the steps the report may take next; the server decides who may take them (403) and
// from which state (409), and the screen shows its answer. Texts and categories come from citizens: text nodes only.

import { t, tOptional, formatTime } from './i18n.js';
import { getJson } from './auth.js';
import { el, textSpan } from './dom.js';

const L = window.L;
const OPEN = new Set(['received', 'assigned', 'in-progress']);
/** The steps offered from each state, as the server's lifecycle allows them. */
const NEXT = {
  received: ['assign', 'reject'],
  assigned: ['start', 'resolve', 'reject'],
  'in-progress': ['resolve', 'reject'],
};
const PAGE_SIZE = 500;
const STATE_COLORS = { received: '#ff4d4f', assigned: '#faad14', 'in-progress': '#40a9ff' };

export class ReportLayer {
  /** @param {L.Map} map  @param {string} token  @param {HTMLElement} card  @param {boolean} canAct */
  constructor(map, token, card, canAct) {
    this.map = map;
    this.token = token;
    this.card = card;
    this.canAct = canAct;
    map.createPane('reports').style.zIndex = 455;
    this.group = L.featureGroup().addTo(map);
    /** id → { report, marker } */
    this.reports = new Map();
    /** id → version at which the report was seen closed: a list loaded before then cannot bring it back. */
    this.closed = new Map();
    this.message = '';
  }

  async follow(client) {
    client.addEventListener('report', ({ detail: frame }) => this.#put(frame.report));
    let status = client.status;
    client.addEventListener('status', ({ detail }) => {
      // Back live after a break: frames sent meanwhile were missed.
      if (detail === 'live' && (status === 'reconnecting' || status === 'offline')) this.#load();
      status = detail;
    });
    await this.#load();
  }

  /** The open reports the token may see, each open state page by page. */
  async #load() {
    try {
      for (const state of OPEN) {
        for (let offset = 0, total = 1; offset < total; offset += PAGE_SIZE) {
          const page = await getJson(`/api/v1/reports?state=${state}&offset=${offset}&limit=${PAGE_SIZE}`, this.token);
          for (const report of page.items) this.#put(report, false);
          total = page.total;
        }
      }
    } catch {
      // Reports filed or moved on from now still come over the hub.
    }
    this.render();
  }

  #put(report, render = true) {
    const known = this.reports.get(report.id);
    if (known && known.report.version > report.version) return;
    if ((this.closed.get(report.id) ?? -1) >= report.version) return;
    if (known) this.group.removeLayer(known.marker);
    if (!OPEN.has(report.state)) {
      this.reports.delete(report.id);
      this.closed.set(report.id, report.version);
    } else {
      const marker = L.circleMarker([report.location[1], report.location[0]], {
        pane: 'reports', radius: 7, color: '#0b1220', weight: 2, fillColor: STATE_COLORS[report.state], fillOpacity: 0.9,
      }).bindTooltip(textSpan(`${this.#category(report)} · ${t(`reports.state.${report.state}`)} · ${report.text}`));
      marker.on('add', () => marker.getElement()?.setAttribute('data-report-id', report.id));
      this.group.addLayer(marker);
      this.reports.set(report.id, { report, marker });
    }
    if (render) this.render();
  }

  #category(report) {
    return tOptional(`reports.category.${report.category}`) ?? report.category;
  }

  /** The queue: open reports, soonest deadline first; overdue ones marked. */
  render() {
    const open = [...this.reports.values()].map((r) => r.report).sort((a, b) => a.dueAt.localeCompare(b.dueAt));
    this.card.querySelector('.report-count').textContent = String(open.length);
    const status = this.card.querySelector('.report-message');
    status.textContent = this.message;
    status.hidden = !this.message;
    const now = Date.now();
    const list = this.card.querySelector('.report-list');
    if (open.length === 0) {
      list.replaceChildren(el('li', { class: 'empty' }, t('reports.empty')));
      return;
    }
    list.replaceChildren(...open.map((report) => {
      const overdue = Date.parse(report.dueAt) < now;
      return el('li', { class: `report state-${report.state}${overdue ? ' overdue' : ''}`, 'data-report-id': report.id },
        el('span', { class: 'report-category' }, this.#category(report)),
        el('span', { class: 'report-state' }, t(`reports.state.${report.state}`)),
        el('span', { class: 'report-text' }, report.text),
        el('span', { class: 'report-due' }, `${overdue ? t('reports.overdue') : t('reports.due')} ${formatTime(report.dueAt)}`),
        this.canAct && el('span', { class: 'report-actions' }, (NEXT[report.state] ?? []).map((action) =>
          el('button', { type: 'button', class: 'button small', 'data-action': action, onclick: () => this.#act(report, action) },
            t(`reports.action.${action}`)))));
    }));
  }

  async #act(report, action) {
    let body = {};
    if (action === 'reject') {
      const reason = window.prompt(t('reports.rejectReason'));
      if (!reason) return;
      body = { reason };
    }
    const response = await fetch(`/api/v1/reports/${encodeURIComponent(report.id)}/${action}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${this.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    const answer = await response.json().catch(() => ({}));
    if (response.ok) {
      this.message = '';
      this.#put(answer);
    } else {
      this.message = answer.detail ?? answer.title ?? `HTTP ${response.status}`;
      this.render();
    }
  }
}
