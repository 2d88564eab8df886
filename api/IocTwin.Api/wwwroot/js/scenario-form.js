// The intervention form of the scenario screen: the operator picks a road or a district on the map (or in the
// lists), a kind of intervention and its value and time window; the API checks it. Errors the API returns for a
// field are shown under that field, in the API's words; the labels come from the i18n files.

import { t, translate, formatNumber } from './i18n.js';
import { el } from './dom.js';

export const SEGMENT_KINDS = ['close-segment', 'reopen-segment', 'capacity', 'speed-limit', 'incident'];
export const KINDS = [...SEGMENT_KINDS, 'rain', 'demand'];
/** A value each kind starts with, so a first click and "Add" make a sensible intervention. */
const DEFAULT_VALUES = { capacity: 1800, 'speed-limit': 30, incident: 0.5, rain: 50, demand: 2000 };

const LAYOUT = `
<h2 data-i18n="scenario.interventions"></h2>
<p class="muted hint"></p>
<label class="stack"><span data-i18n="scenario.field.kind"></span><select name="kind"></select>
  <small class="field-error" data-error-for="kind" hidden></small></label>
<div class="stack target-segment"><span data-i18n="scenario.field.segmentId"></span>
  <output class="picked-segment" name="segmentId"></output>
  <small class="field-error" data-error-for="segmentId" hidden></small></div>
<label class="stack target-district"><span data-i18n="scenario.field.districtId"></span><select name="districtId"></select>
  <small class="field-error" data-error-for="districtId" hidden></small></label>
<div class="row target-demand">
  <label class="stack"><span data-i18n="scenario.field.originDistrictId"></span><select name="originDistrictId"></select>
    <small class="field-error" data-error-for="originDistrictId" hidden></small></label>
  <label class="stack"><span data-i18n="scenario.field.destinationDistrictId"></span><select name="destinationDistrictId"></select>
    <small class="field-error" data-error-for="destinationDistrictId" hidden></small></label>
</div>
<label class="stack target-value"><span class="value-label"></span><input name="value" type="number" step="any">
  <small class="field-error" data-error-for="value" hidden></small></label>
<div class="row">
  <label class="stack"><span data-i18n="scenario.field.startMinute"></span><input name="startMinute" type="number" step="any" value="0">
    <small class="field-error" data-error-for="startMinute" hidden></small></label>
  <label class="stack"><span data-i18n="scenario.field.endMinute"></span><input name="endMinute" type="number" step="any" data-i18n-placeholder="scenario.field.untilEnd">
    <small class="field-error" data-error-for="endMinute" hidden></small></label>
</div>
<p class="form-error" role="alert" hidden></p>
<button class="button primary add" type="submit" data-i18n="scenario.add"></button>
<ul class="intervention-list"></ul>`;

/** Shows a ValidationProblem's errors next to the fields of a form; anything else in its general error line. */
export function showProblem(form, problem, status) {
  clearErrors(form);
  const general = [];
  for (const [field, messages] of Object.entries(problem?.errors ?? {})) {
    const slot = form.querySelector(`[data-error-for="${CSS.escape(field)}"]`);
    const text = [].concat(messages).join(' ');
    if (slot && !slot.parentElement.closest("[hidden]")) {
      slot.textContent = `${t(`scenario.field.${field}`)} ${text}`;
      slot.hidden = false;
    } else {
      general.push(`${field}: ${text}`);
    }
  }
  if (!problem?.errors) general.push(problem?.detail ?? problem?.title ?? t('scenario.error.http', { status }));
  const line = form.querySelector('.form-error');
  line.textContent = general.join(' ');
  line.hidden = general.length === 0;
}

export function clearErrors(form) {
  for (const slot of form.querySelectorAll('.field-error, .form-error')) {
    slot.textContent = '';
    slot.hidden = true;
  }
}

export class InterventionForm {
  /**
   * @param {HTMLFormElement} form
   * @param {{ districts: () => {id: string, label: string}[], segmentName: (id: string) => string,
   *           onSubmit: (body: object) => Promise<void> }} options
   */
  constructor(form, options) {
    this.form = form;
    this.options = options;
    this.segmentId = null;
    form.innerHTML = LAYOUT;
    this.$ = (selector) => form.querySelector(selector);
    this.$('select[name="kind"]').addEventListener('change', () => this.#kindChanged());
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      options.onSubmit(this.body());
    });
    this.render([]);
    this.#kindChanged();
  }

  get kind() {
    return this.$('select[name="kind"]').value;
  }

  /** A road clicked on the map: a road intervention on it (closing it, unless another road kind is chosen). */
  pickSegment(id) {
    this.segmentId = id;
    if (!SEGMENT_KINDS.includes(this.kind)) this.#setKind('close-segment');
    this.#showTarget();
  }

  /** A district clicked on the map: rain on it, or an end of the added demand (origin first, then destination). */
  pickDistrict(id) {
    if (this.kind === 'demand') {
      const origin = this.$('select[name="originDistrictId"]');
      const destination = this.$('select[name="destinationDistrictId"]');
      if (!origin.value || (origin.value && destination.value)) {
        origin.value = id;
        destination.value = '';
      } else {
        destination.value = id;
      }
      return;
    }
    if (this.kind !== 'rain') this.#setKind('rain');
    this.$('select[name="districtId"]').value = id;
  }

  /** What the form says, as the API's intervention request. */
  body() {
    const kind = this.kind;
    const number = (name) => {
      const raw = this.$(`input[name="${name}"]`).value.trim();
      return raw === '' ? null : Number(raw);
    };
    const body = { kind, startMinute: number('startMinute') ?? 0, endMinute: number('endMinute') };
    if (SEGMENT_KINDS.includes(kind)) body.segmentId = this.segmentId;
    if (kind === 'rain') body.districtId = this.$('select[name="districtId"]').value || null;
    if (kind === 'demand') {
      body.originDistrictId = this.$('select[name="originDistrictId"]').value || null;
      body.destinationDistrictId = this.$('select[name="destinationDistrictId"]').value || null;
    }
    if (kind in DEFAULT_VALUES) body.value = number('value');
    return body;
  }

  /** Redraws labels and lists (after a language switch), keeping what was picked, and the list of interventions. */
  render(interventions) {
    this.interventions = interventions ?? this.interventions;
    const kindSelect = this.$('select[name="kind"]');
    const kind = kindSelect.value || 'close-segment';
    kindSelect.replaceChildren(...KINDS.map((k) => new Option(t(`scenario.kind.${k}`), k, false, k === kind)));
    const districts = this.options.districts();
    for (const name of ['districtId', 'originDistrictId', 'destinationDistrictId']) {
      const select = this.$(`select[name="${name}"]`);
      const value = select.value;
      const city = name === 'districtId' ? [] : [new Option(t('scenario.wholeCity'), '')];
      select.replaceChildren(...city, ...districts.map((d) => new Option(d.label, d.id)));
      select.value = value;
    }
    this.$('.hint').textContent = t('scenario.hint');
    translate(this.form);
    this.#showTarget();
    this.#renderList();
  }

  #setKind(kind) {
    this.$('select[name="kind"]').value = kind;
    this.#kindChanged();
  }

  #kindChanged() {
    const kind = this.kind;
    this.$('.target-segment').hidden = !SEGMENT_KINDS.includes(kind);
    this.$('.target-district').hidden = kind !== 'rain';
    this.$('.target-demand').hidden = kind !== 'demand';
    this.$('.target-value').hidden = !(kind in DEFAULT_VALUES);
    this.$('.value-label').dataset.i18n = `scenario.value.${kind}`;
    this.$('.value-label').textContent = t(`scenario.value.${kind}`);
    if (kind in DEFAULT_VALUES) this.$('input[name="value"]').value = DEFAULT_VALUES[kind];
    clearErrors(this.form);
  }

  #showTarget() {
    const output = this.$('.picked-segment');
    output.textContent = this.segmentId ? this.options.segmentName(this.segmentId) : t('scenario.pickRoad');
    output.classList.toggle('muted', !this.segmentId);
    output.dataset.segmentId = this.segmentId ?? '';
  }

  #renderList() {
    const list = this.$('.intervention-list');
    const district = (id) => (id ? this.options.districts().find((d) => d.id === id)?.label ?? id : t('scenario.wholeCity'));
    list.replaceChildren(...this.interventions.map((i) => {
      const target = SEGMENT_KINDS.includes(i.kind) ? this.options.segmentName(i.segmentId)
        : i.kind === 'rain' ? district(i.districtId)
          : `${district(i.originDistrictId)} → ${district(i.destinationDistrictId)}`;
      const value = i.value === null || i.value === undefined ? '' : ` · ${formatNumber(i.value, i.value % 1 ? 2 : 0)} ${t(`scenario.unit.${i.kind}`)}`;
      const window = t('scenario.window', { start: formatNumber(i.startMinute), end: i.endMinute === null || i.endMinute === undefined ? '∞' : formatNumber(i.endMinute) });
      return el('li', { 'data-kind': i.kind, 'data-segment-id': i.segmentId ?? null },
        el('strong', {}, t(`scenario.kind.${i.kind}`)), ` · ${target}${value} · ${window}`);
    }));
    if (this.interventions.length === 0) list.replaceChildren(el('li', { class: 'empty muted' }, t('scenario.noInterventions')));
  }
}
