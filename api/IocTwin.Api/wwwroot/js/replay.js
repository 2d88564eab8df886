// The timeline: scrub and replay the last hours of the city from GET /api/v1/city/at (an area OC's screen: of its own
// areas, with areas=…). Every area at every level comes back with its KPIs as rolled up then, so the level shown and any
// area drilled into replay too; moving assets come from GET /api/v1/assets/positions?at=… in the same fetch (so the same
// throttle and cache), scoped by the caller's token. Collapsed by default; while it replays, the screen shows the
// replayed state and holds live updates back from the map until "Live" is pressed.

import { t, translate, timeZone } from './i18n.js';
import { getJson } from './auth.js';

const HOURS = [1, 3, 6, 12];
const SPEEDS = [60, 300, 900];
const STEP_MS = 60_000;
const THROTTLE_MS = 250;
const TICK_MS = 1_000;
const PREFETCH = 3;

const BAR = `
<div class="replay-controls">
  <button type="button" class="button replay-play" data-i18n-aria-label="replay.play">▶</button>
  <input type="range" class="replay-slider" step="1" data-i18n-aria-label="replay.slider">
  <span class="replay-time"></span>
  <label class="field"><span data-i18n="replay.window"></span><select class="replay-hours"></select></label>
  <label class="field"><span data-i18n="replay.speed"></span><select class="replay-speed"></select></label>
  <button type="button" class="button primary replay-live" data-i18n="replay.live"></button>
</div>`;

const hhmm = (ms) => new Intl.DateTimeFormat('en-GB', {
  timeZone: timeZone(), hour: '2-digit', minute: '2-digit', hour12: false,
}).format(new Date(ms));

/**
 * Rebuilds a screen state from a city-at answer (with the positions-at answer as `assets`) on top of the live state
 * (which holds geometry and names): the answer's records are the live ones' without what history does not keep, health
 * judged as at that time. ownAreasOnly: an area OC's screen, whose assets are kept to the areas the answer holds.
 */
export function replayedState(live, at, { liveAssets = new Map(), ownAreasOnly = false } = {}) {
  const districts = new Map([...live.districts].map(([id, d]) => [id, { ...d, kpis: {} }]));
  for (const d of at.districts) districts.set(d.id, { ...districts.get(d.id), id: d.id, kpis: d.kpis });
  const segments = new Map([...live.segments].map(([id, s]) => [id, { ...s, traffic: null }]));
  for (const s of at.segments) segments.set(s.id, { ...segments.get(s.id), id: s.id, status: s.status, traffic: s.traffic });
  const sensors = new Map([...live.sensors].map(([id, s]) => [id, { ...s, values: {}, health: 'offline', lastSeen: null }]));
  for (const s of at.sensors) {
    sensors.set(s.id, { ...sensors.get(s.id), id: s.id, values: s.values ?? {}, health: s.health, lastSeen: s.lastSeen });
  }
  const areaIds = ownAreasOnly ? new Set(at.districts.map((d) => d.id)) : null;
  const assets = replayedAssets(at.assets ?? [], liveAssets, areaIds);
  return { city: { id: 'city', kpis: at.kpis }, districts, segments, sensors, assets, time: at.time };
}

/**
 * The assets as drawn while replaying, from a positions-at answer ([{ id, kind, sector, position: { time, location,
 * headingDeg, speedKmh }, areaId }]): names from the live twin's assets (history keeps positions only), no status (not
 * kept either). On an area OC's screen (areaIds: the areas city/at answered, every level) only the assets inside them,
 * as its live map: a token that sees more (the IOC's, on a district screen) must not show more there.
 */
export function replayedAssets(positions, liveAssets, areaIds = null) {
  return positions
    .filter((p) => p.position?.location && (!areaIds || (p.areaId && areaIds.has(p.areaId))))
    .map((p) => ({
      id: p.id, name: liveAssets.get(p.id)?.asset?.name ?? p.id, kind: p.kind, sector: p.sector,
      location: p.position.location, headingDeg: p.position.headingDeg ?? null, speedKmh: p.position.speedKmh ?? null,
      status: null, reportedAt: p.position.time, areaId: p.areaId ?? null,
    }));
}

/** Everything drawn: what a map update needs to redraw the whole city. */
export const allChanges = (state) => ({
  snapshot: false, city: true,
  districts: new Set(state.districts.keys()), segments: new Set(state.segments.keys()), sensors: new Set(state.sensors.keys()),
});

/** The city (or these areas, and every area below them) at a time in ms. */
export const replayUrl = (time, areas = null) => `/api/v1/city/at?time=${encodeURIComponent(new Date(time).toISOString())}`
  + (areas ? `&areas=${areas.map(encodeURIComponent).join(',')}` : '');

/** Where the assets the caller may see were at a time in ms. */
export const assetsAtUrl = (time) => `/api/v1/assets/positions?at=${encodeURIComponent(new Date(time).toISOString())}`;

/**
 * The timeline bar. Events: 'frame' (detail: the replayed state), 'live' (back to the live twin).
 * @param {HTMLElement} bar where the controls go
 * @param {HTMLElement} indicator the "REPLAY hh:mm" badge
 * @param {{ token: string, live: () => object, assets?: () => Map<string, { asset: object }>, areas?: string[] }} options
 *   live: the live state; assets: the live assets (for names); areas: an area OC's own areas
 */
export class Replay extends EventTarget {
  constructor(bar, indicator, { token, live, assets = () => new Map(), areas = null }) {
    super();
    this.areas = areas?.length ? areas : null;
    this.bar = bar;
    this.indicator = indicator;
    this.token = token;
    this.live = live;
    this.liveAssets = assets;
    this.active = false;
    this.hours = 1;
    this.speed = SPEEDS[0];
    this.playing = null;
    this.cache = new Map();
    this.pending = null;
    this.lastFetch = 0;
    this.shown = null;

    bar.innerHTML = BAR;
    const $ = (s) => bar.querySelector(s);
    this.slider = $('.replay-slider');
    this.label = $('.replay-time');
    this.playButton = $('.replay-play');
    this.hoursSelect = $('.replay-hours');
    this.speedSelect = $('.replay-speed');
    this.slider.addEventListener('input', () => {
      this.pause();
      this.scrub(Number(this.slider.value));
    });
    this.hoursSelect.addEventListener('change', () => {
      this.hours = Number(this.hoursSelect.value);
      this.#setWindow();
    });
    this.speedSelect.addEventListener('change', () => { this.speed = Number(this.speedSelect.value); });
    this.playButton.addEventListener('click', () => (this.playing ? this.pause() : this.play()));
    $('.replay-live').addEventListener('click', () => this.goLive());
    this.render();
  }

  get open() { return !this.bar.hidden; }

  /** The replay window, { from, to } in ms. */
  window() {
    return { from: Number(this.slider.min), to: Number(this.slider.max) };
  }

  /** Shows or hides the bar; hiding it returns to live. */
  toggle(open = !this.open) {
    this.bar.hidden = !open;
    if (open) this.#setWindow();
    else this.goLive();
  }

  render() {
    translate(this.bar);
    this.hoursSelect.replaceChildren(...HOURS.map((h) => new Option(t('replay.hours', { n: h }), h, false, h === this.hours)));
    this.speedSelect.replaceChildren(...SPEEDS.map((s) => new Option(`${s}×`, s, false, s === this.speed)));
    this.playButton.textContent = this.playing ? '❚❚' : '▶';
    this.playButton.title = t(this.playing ? 'replay.pause' : 'replay.play');
    const time = this.active ? Number(this.slider.value) : null;
    this.label.textContent = time ? hhmm(time) : t('replay.liveNow');
    this.indicator.hidden = !this.active;
    this.indicator.textContent = this.active && this.shown ? `${t('replay.badge')} ${hhmm(Date.parse(this.shown.time))}` : t('replay.badge');
  }

  /** The slider spans the chosen hours up to now, in whole minutes. */
  #setWindow() {
    const end = Math.floor(Date.now() / STEP_MS) * STEP_MS;
    this.slider.min = String(end - this.hours * 3_600_000);
    this.slider.max = String(end);
    this.slider.step = String(STEP_MS);
    if (!this.active) this.slider.value = String(end);
    this.render();
  }

  /** Shows the city at a time (ms); fetches are throttled, the latest asked for wins. */
  scrub(time) {
    this.active = true;
    this.slider.value = String(time);
    this.want = Number(this.slider.value);
    this.render();
    const wait = Math.max(0, this.lastFetch + THROTTLE_MS - Date.now());
    clearTimeout(this.pending);
    this.pending = setTimeout(() => this.#show(this.want), wait);
  }

  async #show(time) {
    this.lastFetch = Date.now();
    let at;
    try {
      at = await this.#fetch(time);
    } catch (error) {
      this.cache.delete(time);
      this.dispatchEvent(new CustomEvent('error', { detail: error }));
      return;
    }
    if (!this.active || time !== this.want) return;
    this.shown = replayedState(this.live(), at, { liveAssets: this.liveAssets(), ownAreasOnly: Boolean(this.areas) });
    this.render();
    this.dispatchEvent(new CustomEvent('frame', { detail: this.shown }));
  }

  #fetch(time) {
    if (!this.cache.has(time)) {
      if (this.cache.size > 200) this.cache.clear();
      // One frame is the city and its assets at the same time: both fetched at once, cached together.
      const frame = Promise.all([getJson(replayUrl(time, this.areas), this.token), getJson(assetsAtUrl(time), this.token)])
        .then(([city, assets]) => ({ ...city, assets }));
      this.cache.set(time, frame);
    }
    return this.cache.get(time);
  }

  play() {
    if (!this.active) this.scrub(Number(this.slider.min));
    this.playing = setInterval(() => {
      const next = Math.min(Number(this.slider.max), Number(this.slider.value) + this.speed * TICK_MS);
      const step = Math.max(STEP_MS, this.speed * TICK_MS);
      for (let i = 1; i <= PREFETCH; i++) {
        const ahead = Math.floor((next + i * step) / STEP_MS) * STEP_MS;
        if (ahead <= Number(this.slider.max)) this.#fetch(ahead).catch(() => this.cache.delete(ahead));
      }
      this.scrub(next);
      if (next >= Number(this.slider.max)) this.pause();
    }, TICK_MS);
    this.render();
  }

  pause() {
    clearInterval(this.playing);
    this.playing = null;
    this.render();
  }

  /** Back to the live twin: the screen redraws from the live state it kept receiving. */
  goLive() {
    this.pause();
    clearTimeout(this.pending);
    const was = this.active;
    this.active = false;
    this.shown = null;
    this.want = null;
    this.#setWindow();
    if (was) this.dispatchEvent(new CustomEvent('live'));
  }
}
