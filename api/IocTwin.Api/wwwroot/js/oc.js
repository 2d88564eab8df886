// The operation-center screen: an area OC (a district's, a ward's ...) sees only its own areas and what lies below them,
// a sector OC only its sectors.
// Pick a demo token (development runs) or paste one; the screen then subscribes only to what the token covers.

import { initI18n, t, language, onLanguageChange, bindLanguageSwitch } from './i18n.js';
import { loadToken, saveToken, clearToken, usableClaims, requestDevToken, getJson, scopeOf, DevTokensUnavailable } from './auth.js';
import { sectorIds, sectorName } from './sectors.js';
import { runScreen } from './screen.js';

const TOKEN_KEY = 'ioctwin.oc.token';
const REJECTED_KEY = 'ioctwin.oc.rejected';
const chooser = document.getElementById('chooser');
const $ = (selector) => chooser.querySelector(selector);

function start(token) {
  chooser.hidden = true;
  document.getElementById('app').hidden = false;
  runScreen(document.getElementById('app'), token, scopeOf(usableClaims(token)), {
    onChangeToken: () => {
      clearToken(TOKEN_KEY);
      location.reload();
    },
    onUnauthorized: () => {
      clearToken(TOKEN_KEY);
      sessionStorage.setItem(REJECTED_KEY, '1');
      location.reload();
    },
  });
}

function showError(message) {
  const box = $('.chooser-error');
  box.textContent = message;
  box.hidden = !message;
}

/** Areas of every level for the picker, each after its parent, read with a demo viewer token; null when the server offers no demo tokens. */
async function loadDistricts() {
  try {
    const viewer = await requestDevToken({ role: 'viewer', name: 'OC picker', lifetimeHours: 1 });
    return inTreeOrder(await getJson('/api/v1/areas', viewer));
  } catch (error) {
    if (error instanceof DevTokensUnavailable) return null;
    throw error;
  }
}

/** Areas depth first, each with its depth, so a ward is listed (indented) under its district. */
function inTreeOrder(areas) {
  const byId = new Map(areas.map((a) => [a.id, a]));
  const ordered = [];
  const visit = (area, depth) => {
    ordered.push({ ...area, depth });
    for (const id of area.childIds ?? []) if (byId.has(id)) visit(byId.get(id), depth + 1);
  };
  for (const area of areas) if (!area.parentId || !byId.has(area.parentId)) visit(area, 0);
  return ordered;
}

async function showChooser() {
  chooser.hidden = false;
  bindLanguageSwitch(chooser);
  if (sessionStorage.getItem(REJECTED_KEY)) {
    sessionStorage.removeItem(REJECTED_KEY);
    showError(t('token.rejected'));
  }
  const districtSelect = $('select[name="district"]');
  const sectorSelect = $('select[name="sector"]');
  let districts = [];
  const fill = () => {
    districtSelect.replaceChildren(...districts.map((d) =>
      new Option(`${'\u00a0\u00a0'.repeat(d.depth)}${language() === 'en' ? d.nameEn ?? d.name : d.name}`, d.id)));
    sectorSelect.replaceChildren(...sectorIds().map((s) => new Option(sectorName(s), s)));
  };
  onLanguageChange(() => {
    const [district, sector] = [districtSelect.value, sectorSelect.value];
    fill();
    districtSelect.value = district;
    sectorSelect.value = sector;
  });
  const roleChanged = () => {
    const role = $('input[name="role"]:checked').value;
    $('.pick-district').hidden = role !== 'district-oc';
    $('.pick-sector').hidden = role !== 'sector-oc';
  };
  for (const radio of chooser.querySelectorAll('input[name="role"]')) radio.addEventListener('change', roleChanged);
  roleChanged();

  try {
    const loaded = await loadDistricts();
    if (loaded === null) {
      $('.demo').hidden = true;
      $('.no-demo').hidden = false;
    } else {
      districts = loaded;
      fill();
    }
  } catch (error) {
    showError(error.message);
  }

  $('form.demo').addEventListener('submit', async (event) => {
    event.preventDefault();
    const role = $('input[name="role"]:checked').value;
    const request = role === 'district-oc'
      ? { role, areas: [districtSelect.value], name: `OC ${districtSelect.value}` }
      : { role, sectors: [sectorSelect.value], name: `OC ${sectorSelect.value}` };
    try {
      const token = await requestDevToken(request);
      saveToken(TOKEN_KEY, token);
      start(token);
    } catch (error) {
      showError(error.message);
    }
  });
  $('form.paste').addEventListener('submit', (event) => {
    event.preventDefault();
    const token = $('textarea[name="token"]').value.trim();
    if (!usableClaims(token)) {
      showError(t('token.invalid'));
      return;
    }
    saveToken(TOKEN_KEY, token);
    start(token);
  });
}

async function main() {
  await initI18n();
  const stored = loadToken(TOKEN_KEY);
  if (stored && usableClaims(stored)) start(stored);
  else await showChooser();
}

main();
