// Labels in Vietnamese (default) and English from /i18n/{lang}.json. Elements carrying data-i18n (text),
// data-i18n-title, data-i18n-placeholder or data-i18n-aria-label are translated in place.

const STORAGE_KEY = 'ioctwin.lang';
export const LANGUAGES = ['vi', 'en'];
const LOCALES = { vi: 'vi-VN', en: 'en-GB' };

const cache = new Map();
const listeners = new Set();
let current = 'vi';
let messages = {};

async function load(lang) {
  if (!cache.has(lang)) {
    const response = await fetch(`/i18n/${lang}.json`);
    if (!response.ok) throw new Error(`Labels for '${lang}' could not be loaded (${response.status}).`);
    cache.set(lang, await response.json());
  }
  return cache.get(lang);
}

export async function initI18n() {
  const saved = localStorage.getItem(STORAGE_KEY);
  await setLanguage(LANGUAGES.includes(saved) ? saved : 'vi');
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

/** A time of day in Đà Nẵng's time zone. */
export function formatTime(iso) {
  if (!iso) return '—';
  return new Intl.DateTimeFormat(locale(), {
    timeZone: 'Asia/Ho_Chi_Minh', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false,
  }).format(new Date(iso));
}

/** Binds the VI / EN buttons inside root: each carries data-lang. */
export function bindLanguageSwitch(root) {
  const buttons = [...root.querySelectorAll('[data-lang]')];
  const mark = () => buttons.forEach((b) => b.setAttribute('aria-pressed', String(b.dataset.lang === current)));
  buttons.forEach((b) => b.addEventListener('click', () => setLanguage(b.dataset.lang)));
  onLanguageChange(mark);
  mark();
}
