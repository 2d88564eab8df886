import { loadSectors } from './sectors.js';

// Labels in Vietnamese (default) and English from /i18n/{lang}.json. Elements carrying data-i18n (text),
// data-i18n-title, data-i18n-placeholder or data-i18n-aria-label are translated in place.

const STORAGE_KEY = 'ioctwin.lang';
export const LANGUAGES = ['vi', 'en'];
const LOCALES = { vi: 'vi-VN', en: 'en-GB' };

const cache = new Map();
const listeners = new Set();
let current = 'vi';
let messages = {};
// The city's time zone (setting Twin:TimeZone): screens show times in it wherever the browser runs.
let zone = 'Asia/Ho_Chi_Minh';

async function load(lang) {
  if (!cache.has(lang)) {
    const response = await fetch(`/i18n/${lang}.json`);
    if (!response.ok) throw new Error(`Labels for '${lang}' could not be loaded (${response.status}).`);
    cache.set(lang, await response.json());
  }
  return cache.get(lang);
}

async function loadConfig() {
  const response = await fetch('/api/v1/config');
  if (!response.ok) throw new Error(`The twin's settings could not be loaded (${response.status}).`);
  zone = (await response.json()).timeZone;
}

export async function initI18n() {
  const saved = localStorage.getItem(STORAGE_KEY);
  await Promise.all([loadConfig(), loadSectors(), setLanguage(LANGUAGES.includes(saved) ? saved : 'vi')]);
}

export async function setLanguage(lang) {
  messages = await load(lang);
  current = lang;
  localStorage.setItem(STORAGE_KEY, lang);
  document.documentElement.lang = lang;
  translate(document);
  for (const listener of listeners) listener(lang);
}

export const language = () => current;
export const timeZone = () => zone;
export const locale = () => LOCALES[current];

export function onLanguageChange(listener) {
  listeners.add(listener);
}

/** The label for a key, with {name} placeholders filled from vars; the key itself when missing. */
export function t(key, vars = {}) {
  const text = messages[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (name in vars ? String(vars[name]) : `{${name}}`));
}

/** Like t, but undefined when there is no label for the key. */
export function tOptional(key) {
  return messages[key];
}

const TRANSLATED_ATTRIBUTES = {
  'data-i18n-title': 'title',
  'data-i18n-placeholder': 'placeholder',
  'data-i18n-aria-label': 'aria-label',
};

export function translate(root) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const [source, target] of Object.entries(TRANSLATED_ATTRIBUTES)) {
    for (const el of root.querySelectorAll(`[${source}]`)) el.setAttribute(target, t(el.getAttribute(source)));
  }
}

export function formatNumber(value, digits = 0) {
  if (value === null || value === undefined || Number.isNaN(value)) return '—';
  return new Intl.NumberFormat(locale(), { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(value);
}

/** A time of day in the city's time zone. */
export function formatTime(iso) {
  if (!iso) return '—';
  return new Intl.DateTimeFormat(locale(), {
    timeZone: zone, hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false,
  }).format(new Date(iso));
}

/** The city's UTC offset at a time: 'GMT+7' (short) or '+07:00' (for an ISO-8601 time). */
export function zoneOffset(date, style = 'short') {
  const name = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: style === 'short' ? 'shortOffset' : 'longOffset' })
    .formatToParts(date).find((part) => part.type === 'timeZoneName').value;
  if (style === 'short') return name;
  return name === 'GMT' ? '+00:00' : name.slice(3);
}

/** A wall-clock time of the city ('2026-11-25T08:00' from a datetime-local field) as an ISO-8601 time with its offset. */
export function cityTime(local) {
  // The offset at the same wall-clock time in UTC is right except within hours of a daylight-saving change.
  const offset = zoneOffset(new Date(`${local}:00Z`), 'long');
  return `${local}:00${offset}`;
}

/** Binds the VI / EN buttons inside root: each carries data-lang. */
export function bindLanguageSwitch(root) {
  const buttons = [...root.querySelectorAll('[data-lang]')];
  const mark = () => buttons.forEach((b) => b.setAttribute('aria-pressed', String(b.dataset.lang === current)));
  buttons.forEach((b) => b.addEventListener('click', () => setLanguage(b.dataset.lang)));
  onLanguageChange(mark);
  mark();
}
