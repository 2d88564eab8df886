// The live twin in the browser: one SignalR connection to /hubs/twin, a snapshot per subscribed scope, then
// deltas merged into one local state. A scope whose sequence numbers skip, or that the server asks to resync,
// takes a new snapshot; so does every scope after a reconnect. Updates come only through the hub, never by polling.
//
// Events: 'change' (detail: { city, districts, segments, sensors: Sets of changed ids, snapshot }),
// 'status' (detail: 'connecting' | 'live' | 'reconnecting' | 'stale' | 'offline'), 'alert', 'unauthorized', 'error',
// 'scenario' (detail: the progress of a run on a subscribed scope scenario:{id}).

import { segmentValues } from './model.js';

/** Points kept per entity for its chart. */
const HISTORY_SIZE = 300;
/** With no frame for this long the screen says its data is stale. */
const STALE_AFTER_MS = 30_000;
const RESTART_DELAY_MS = 5_000;

/** Keeps trying for ever: a wall screen must come back by itself after a server restart. */
const retryPolicy = {
  nextRetryDelayInMilliseconds(context) {
    if (isUnauthorized(context.retryReason)) return null;
    return [0, 1_000, 2_000, 5_000, 10_000][context.previousRetryCount] ?? 30_000;
  },
};

function isUnauthorized(error) {
  return error?.statusCode === 401 || /\b401\b|Unauthorized/i.test(error?.message ?? '');
}

const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export class TwinClient extends EventTarget {
  /** @param {{ token: string, scopes: string[], hubUrl?: string, staleAfterMs?: number }} options */
  constructor({ token, scopes, hubUrl = '/hubs/twin', staleAfterMs = STALE_AFTER_MS }) {
    super();
    this.token = token;
    this.staleAfterMs = staleAfterMs;
    this.state = { city: null, districts: new Map(), segments: new Map(), sensors: new Map() };
    this.alerts = [];
    this.status = 'connecting';
    this.lastFrameAt = 0;
    this.stopped = false;
    /** scope → { scope, sequence, buffer (frames held while a snapshot is on its way), busy, again } */
    this.scopes = new Map();
    for (const scope of scopes) this.scopes.set(scope, newScopeState(scope));
    this.histories = new Map();

    this.connection = new window.signalR.HubConnectionBuilder()
      .withUrl(hubUrl, { accessTokenFactory: () => this.token })
      .withAutomaticReconnect(retryPolicy)
      .configureLogging(window.signalR.LogLevel.Warning)
      .build();
    this.connection.on('delta', (frame) => this.#onDelta(frame));
    this.connection.on('resync', (frame) => this.#subscribe(frame.scope));
    this.connection.on('alert', (alert) => this.#onAlert(alert));
    this.connection.on('scenario', (frame) => this.#emit('scenario', frame.progress));
    this.connection.onreconnecting(() => this.#setStatus('reconnecting'));
    this.connection.onreconnected(() => this.#subscribeAll());
    this.connection.onclose((error) => this.#onClose(error));
    this.staleTimer = setInterval(() => this.#checkStale(), 1_000);
  }

  async start() {
    this.#setStatus('connecting');
    while (!this.stopped) {
      try {
        await this.connection.start();
        break;
      } catch (error) {
        if (isUnauthorized(error)) {
          this.#setStatus('offline');
          this.#emit('unauthorized', error);
          return;
        }
        this.#setStatus('reconnecting');
        await delay(RESTART_DELAY_MS);
      }
    }
    if (!this.stopped) await this.#subscribeAll();
  }

  async stop() {
    this.stopped = true;
    clearInterval(this.staleTimer);
    await this.connection.stop();
  }

  /** Adds a scope (e.g. 'entity:seg-x' while its detail is open) and takes its snapshot; resolves once subscribed. */
  async subscribe(scope) {
    if (this.scopes.has(scope)) return false;
    this.scopes.set(scope, newScopeState(scope));
    return this.#connected ? this.#subscribe(scope) : false;
  }

  unsubscribe(scope) {
    if (!this.scopes.delete(scope)) return;
    if (this.#connected) this.connection.invoke('Unsubscribe', scope).catch(() => {});
  }

  /** Recent values of a segment or sensor received live, oldest first: [{ t (ms), values }]. */
  history(id) {
    return this.histories.get(id) ?? [];
  }

  get #connected() {
    return this.connection.state === window.signalR.HubConnectionState.Connected;
  }

  async #subscribeAll() {
    const results = await Promise.all([...this.scopes.keys()].map((scope) => this.#subscribe(scope)));
    if (results.some(Boolean)) {
      this.lastFrameAt = Date.now();
      this.#setStatus('live');
    }
  }

  /** Takes the scope's snapshot, then applies the deltas that arrived meanwhile. True when it got one. */
  async #subscribe(scope) {
    const s = this.scopes.get(scope);
    if (!s) return false;
    if (s.busy) {
      s.again = true;
      return false;
    }
    s.busy = true;
    let subscribed = false;
    try {
      do {
        s.again = false;
        s.buffer = [];
        const snapshot = await this.connection.invoke('Subscribe', scope);
        if (this.scopes.get(scope) !== s) return false;
        this.#applySnapshot(snapshot);
        s.sequence = snapshot.sequence;
        const held = s.buffer.sort((a, b) => a.sequence - b.sequence);
        s.buffer = null;
        subscribed = true;
        for (const frame of held) this.#accept(s, frame);
      } while (s.again);
    } catch (error) {
      this.#emit('error', { scope, error });
    } finally {
      s.busy = false;
      s.buffer = null;
    }
    return subscribed;
  }

  #onDelta(frame) {
    this.lastFrameAt = Date.now();
    if (this.status === 'stale') this.#setStatus('live');
    const s = this.scopes.get(frame.scope);
    if (!s) return;
    if (s.buffer) {
      s.buffer.push(frame);
      return;
    }
    this.#accept(s, frame);
  }

  /** Applies the next frame of a scope; a gap in its sequence means frames were lost: take a new snapshot. */
  #accept(s, frame) {
    if (s.sequence === null || frame.sequence <= s.sequence) return;
    if (frame.sequence !== s.sequence + 1) {
      this.#subscribe(s.scope);
      return;
    }
    s.sequence = frame.sequence;
    this.#applyDelta(frame);
  }

  #applySnapshot(snapshot) {
    const changes = newChanges(true);
    for (const alert of snapshot.alerts ?? []) this.#keepAlert(alert);
    if ((snapshot.alerts ?? []).length > 0) this.#emit('alert', snapshot.alerts[0]);
    const { districts, segments, sensors } = this.state;
    if (snapshot.city) {
      this.state.city = snapshot.city.kpis;
      changes.city = true;
    }
    for (const d of snapshot.districts) {
      const known = districts.get(d.id);
      const newer = !known || d.version >= known.version;
      districts.set(d.id, { ...known, ...d, ...(newer ? {} : { kpis: known.kpis, version: known.version }) });
      changes.districts.add(d.id);
    }
    for (const view of snapshot.segments) {
      const spec = view.spec;
      const known = segments.get(spec.id);
      const newer = !known || view.version >= known.version;
      const live = newer ? { status: view.status, traffic: view.traffic, version: view.version } : {};
      const segment = { ...known, id: spec.id, districtId: spec.districtId, name: spec.name, spec, sensorIds: view.sensorIds, ...live };
      segments.set(spec.id, segment);
      if (!known || view.version > known.version) this.#record(spec.id, Date.parse(view.traffic?.asOf) || Date.now(), segmentValues(segment));
      changes.segments.add(spec.id);
    }
    for (const view of snapshot.sensors) {
      const known = sensors.get(view.id);
      const newer = !known || view.readingCount >= known.seq;
      const live = newer
        ? { values: view.lastReading?.values ?? {}, lastSeen: view.lastSeen, health: view.health, seq: view.readingCount }
        : {};
      sensors.set(view.id, {
        ...known, id: view.id, name: view.name, kind: view.kind, sector: view.sector, location: view.location,
        districtId: view.districtId, segmentId: view.segmentId, ...live,
      });
      if ((!known || view.readingCount > known.seq) && view.lastReading) this.#record(view.id, Date.parse(view.lastSeen) || Date.now(), view.lastReading.values);
      changes.sensors.add(view.id);
    }
    this.#emit('change', changes);
  }

  #applyDelta(frame) {
    const changes = newChanges(false);
    const { districts, segments, sensors } = this.state;
    if (frame.city) {
      this.state.city = frame.city;
      changes.city = true;
    }
    for (const d of frame.districts) {
      const known = districts.get(d.id);
      if (known && d.version < known.version) continue;
      districts.set(d.id, { ...known, id: d.id, name: d.name, kpis: d.kpis, version: d.version });
      changes.districts.add(d.id);
    }
    for (const live of frame.segments) {
      const known = segments.get(live.id);
      if (known && live.version <= known.version) continue;
      const segment = { ...known, id: live.id, districtId: live.districtId, status: live.status, traffic: live.traffic, version: live.version };
      segments.set(live.id, segment);
      this.#record(live.id, Date.parse(live.traffic?.asOf) || Date.now(), segmentValues(segment));
      changes.segments.add(live.id);
    }
    for (const live of frame.sensors) {
      // A sensor's version in a delta is its reading count.
      const known = sensors.get(live.id);
      if (known && live.version < known.seq) continue;
      sensors.set(live.id, {
        ...known, id: live.id, districtId: live.districtId, segmentId: live.segmentId, kind: live.kind,
        sector: live.sector, lastSeen: live.lastSeen, values: live.values, health: live.health, seq: live.version,
      });
      if (!known || live.version > known.seq) this.#record(live.id, Date.parse(live.lastSeen) || Date.now(), live.values);
      changes.sensors.add(live.id);
    }
    this.#emit('change', changes);
  }

  #record(id, t, values) {
    if (!values || Object.keys(values).length === 0) return;
    let points = this.histories.get(id);
    if (!points) this.histories.set(id, (points = []));
    const last = points.at(-1);
    if (last && t < last.t) return;
    if (last && t === last.t) points.pop();
    points.push({ t, values: { ...values } });
    if (points.length > HISTORY_SIZE) points.splice(0, points.length - HISTORY_SIZE);
  }

  /** An alert frame ({ scope, alert }) raises, updates or (when resolved) removes an alert of the open list. */
  #onAlert(frame) {
    this.lastFrameAt = Date.now();
    const alert = frame.alert ?? frame;
    this.#keepAlert(alert);
    this.#emit('alert', alert);
  }

  #keepAlert(alert) {
    const known = this.alerts.findIndex((a) => a.id === alert.id);
    if (known >= 0) this.alerts.splice(known, 1);
    if (alert.state !== 'resolved') {
      this.alerts.unshift({ ...alert, title: alert.title ?? alert.ruleName, receivedAt: new Date().toISOString() });
      this.alerts.sort((a, b) => String(b.raisedAt).localeCompare(String(a.raisedAt)));
      this.alerts.length = Math.min(this.alerts.length, 200);
    }
  }

  async #onClose(error) {
    if (this.stopped) return;
    this.#setStatus('offline');
    for (const s of this.scopes.values()) s.sequence = null;
    if (isUnauthorized(error)) {
      this.#emit('unauthorized', error);
      return;
    }
    await delay(RESTART_DELAY_MS);
    if (!this.stopped) await this.start();
  }

  #checkStale() {
    if (this.status === 'live' && Date.now() - this.lastFrameAt > this.staleAfterMs) this.#setStatus('stale');
  }

  #setStatus(status) {
    if (this.status === status) return;
    this.status = status;
    this.#emit('status', status);
  }

  #emit(name, detail) {
    this.dispatchEvent(new CustomEvent(name, { detail }));
  }
}

function newScopeState(scope) {
  return { scope, sequence: null, buffer: null, busy: false, again: false };
}

function newChanges(snapshot) {
  return { snapshot, city: false, districts: new Set(), segments: new Set(), sensors: new Set() };
}
