// The public report form: a citizen picks a category, says what they saw, places it on the map (or types the
// coordinates) and may leave a contact for the IOC. No token: the server limits how many reports one address files.
// Every field the server refuses is named beside the form; the answer is the report's number, to track it here.

import { initI18n, t, tOptional, bindLanguageSwitch, onLanguageChange, formatTime } from './i18n.js';
import { el } from './dom.js';

const L = window.L;
const form = document.querySelector('.report-form');
const track = document.querySelector('.track-form');
let categories = [];

function fillCategories() {
  const select = form.elements.category;
  const picked = select.value;
  select.replaceChildren(...categories.map((c) => new Option(tOptional(`reports.category.${c.name}`) ?? c.name, c.name)));
  if (picked) select.value = picked;
}

function drawMap(areas) {
  const map = L.map(form.querySelector('.report-map'), { attributionControl: false, zoomSnap: 0.25 });
  const outlines = L.featureGroup(areas.map((area) => L.polygon(area.boundary.map(([lon, lat]) => [lat, lon]), {
    color: '#40a9ff', weight: 1.5, fillOpacity: 0.08,
  }))).addTo(map);
  if (areas.length > 0) map.fitBounds(outlines.getBounds());
  else map.setView([16.05, 108.2], 11);
  let marker = null;
  const place = (lat, lon) => {
    if (marker) marker.setLatLng([lat, lon]);
    else marker = L.circleMarker([lat, lon], { radius: 8, color: '#0b1220', fillColor: '#ff4d4f', fillOpacity: 1 }).addTo(map);
  };
  map.on('click', ({ latlng }) => {
    form.elements.lat.value = latlng.lat.toFixed(6);
    form.elements.lon.value = latlng.lng.toFixed(6);
    place(latlng.lat, latlng.lng);
  });
  for (const name of ['lat', 'lon']) {
    form.elements[name].addEventListener('change', () => {
      const [lat, lon] = [Number(form.elements.lat.value), Number(form.elements.lon.value)];
      if (form.elements.lat.value && form.elements.lon.value && Number.isFinite(lat) && Number.isFinite(lon)) place(lat, lon);
    });
  }
}

function showErrors(errors) {
  const list = form.querySelector('.form-errors');
  for (const field of form.querySelectorAll('[aria-invalid]')) field.removeAttribute('aria-invalid');
  const entries = Object.entries(errors ?? {});
  for (const [name] of entries) form.elements[name]?.setAttribute('aria-invalid', 'true');
  list.replaceChildren(...entries.map(([name, messages]) => el('li', { 'data-field': name }, `${name}: ${[].concat(messages).join('; ')}`)));
  list.hidden = entries.length === 0;
}

function showResult(element, text) {
  element.textContent = text;
  element.hidden = !text;
}

async function send(event) {
  event.preventDefault();
  const value = (name) => form.elements[name].value.trim();
  const number = (name) => (value(name) === '' ? null : Number(value(name)));
  const body = {
    category: value('category'), text: value('text'), lat: number('lat'), lon: number('lon'),
    photoUrl: value('photoUrl') || null, contact: value('contact') || null,
  };
  showResult(form.querySelector('.form-result'), '');
  const response = await fetch('/api/v1/reports', {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
  });
  const answer = await response.json().catch(() => ({}));
  if (response.status === 201) {
    showErrors({});
    form.reset();
    showResult(form.querySelector('.form-result'), t('report.sent', { id: answer.id, state: t(`reports.state.${answer.state}`) }));
    track.elements.id.value = answer.id;
  } else if (response.status === 429) {
    showErrors({});
    showResult(form.querySelector('.form-result'), t('report.tooMany', { seconds: response.headers.get('Retry-After') ?? '60' }));
  } else {
    showErrors(answer.errors ?? { body: [answer.detail ?? answer.title ?? `HTTP ${response.status}`] });
  }
}

async function check(event) {
  event.preventDefault();
  const id = track.elements.id.value.trim();
  const result = track.querySelector('.track-result');
  const response = await fetch(`/api/v1/reports/${encodeURIComponent(id)}/status`);
  if (!response.ok) {
    showResult(result, t('report.notFound'));
    return;
  }
  const status = await response.json();
  showResult(result, t('report.status', { id: status.id, state: t(`reports.state.${status.state}`), at: formatTime(status.updatedAt) }));
}

async function main() {
  await initI18n();
  bindLanguageSwitch(document);
  const response = await fetch('/api/v1/reports/form');
  const setup = response.ok ? await response.json() : { categories: [], areas: [] };
  categories = setup.categories;
  fillCategories();
  onLanguageChange(fillCategories);
  drawMap(setup.areas);
  form.addEventListener('submit', send);
  track.addEventListener('submit', check);
}

main();
