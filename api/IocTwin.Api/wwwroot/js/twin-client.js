// The live twin in the browser: one SignalR connection to /hubs/twin, a snapshot per subscribed scope, then
// deltas merged into one local state. A scope whose sequence numbers skip, or that the server asks to resync,
// takes a new snapshot; so does every scope after a reconnect. Updates come only through the hub, never by polling.
// A big scope's snapshot comes in parts: the Subscribe answer, then 'snapshot-part' frames with the rest of its
// segments and sensors, each merged (and drawn) as it comes; the scope is complete (`complete(scope)`) only once the
// last is in.
// A resync of the scope ends the snapshot under way (its remaining parts will not come): a new one is taken.
//
// Events: 'change' (detail: { city, districts, segments, sensors: Sets of changed ids, snapshot: from a snapshot or
// one of its parts, scope and complete: for those, the scope and whether its last part is in }),
// 'status' (detail: 'connecting' | 'live' | 'reconnecting' | 'stale' | 'offline'), 'alert', 'unauthorized', 'error',
// 'scenario' (detail: the progress of a run on a subscribed scope scenario:{id}),
// 'assets' (detail: { scope, assets: moving assets new or moved, left: ids of those no scope of the screen covers now,
// snapshot }). Moving assets come with a scope's snapshot, then as 'assets' frames; `assets` holds the latest of each.

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
    /** Moving assets: id → { asset, scopes: the subscribed scopes that cover it }. */
    this.assets = new Map();
    this.status = 'connecting';
    this.lastFrameAt = 0;
    this.stopped = false;
    /**
     * scope → { scope, sequence, buffer (frames held while a snapshot is on its way), partsBuffer (snapshot parts
     * meanwhile: they may come ahead of the answer), parts (the snapshot's parts still awaited: { sequence, count,
     * received }), touched (assets named by frames meanwhile: newer than the snapshot), busy, again }
     */
    this.scopes = new Map();
    for (const scope of scopes) this.scopes.set(scope, newScopeState(scope));
    this.histories = new Map();

    this.connection = new window.signalR.HubConnectionBuilder()
      .withUrl(hubUrl, { accessTokenFactory: () => this.token })
      .withAutomaticReconnect(retryPolicy)
      .configureLogging(window.signalR.LogLevel.Warning)
      .build();
    this.connection.on('delta', (frame) => this.#onDelta(frame));
    this.connection.on('snapshot-part', (frame) => this.#onPart(frame));
    this.connection.on('resync', (frame) => this.#subscribe(frame.scope));
    this.connection.on('alert', (alert) => this.#onAlert(alert));
    this.connection.on('scenario', (frame) => this.#emit('scenario', frame.progress));
    this.connection.on('assets', (frame) => this.#onAssets(frame));
    this.connection.on('report', (frame) => this.#emit('report', frame));
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
    const left = [...this.assets.keys()].filter((id) => this.#dropAsset(scope, id));
    if (left.length > 0) this.#emit('assets', { scope, assets: [], left, snapshot: false });
    if (this.#connected) this.connection.invoke('Unsubscribe', scope).catch(() => {});
  }

  /** Recent values of a segment or sensor received live, oldest first: [{ t (ms), values }]. */
  history(id) {
    return this.histories.get(id) ?? [];
  }

  /** Whether the scope's snapshot is in with all its parts (a screen must not treat a scope as whole before). */
  complete(scope) {
    const s = this.scopes.get(scope);
    return !!s && s.sequence !== null && s.parts === null && !s.busy;
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
        s.partsBuffer = [];
        s.parts = null;
        s.touched = new Set();
        const snapshot = await this.connection.invoke('Subscribe', scope);
        if (this.scopes.get(scope) !== s) return false;
        s.parts = snapshot.parts > 0 ? { sequence: snapshot.sequence, count: snapshot.parts, received: new Set() } : null;
        this.#applySnapshot(s, snapshot);
        this.#applyAssetSnapshot(s, snapshot.assets);
        s.sequence = snapshot.sequence;
        // The server sends a snapshot's parts ahead of the scope's deltas; those that came ahead of the answer go first.
        const parts = s.partsBuffer;
        const held = s.buffer.sort((a, b) => a.sequence - b.sequence);
        s.buffer = null;
        s.partsBuffer = null;
        subscribed = true;
        for (const part of parts) this.#acceptPart(s, part);
        for (const frame of held) this.#accept(s, frame);
      } while (s.again);
    } catch (error) {
      this.#emit('error', { scope, error });
    } finally {
      s.busy = false;
      s.buffer = null;
      s.partsBuffer = null;
      s.touched = null;
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

  #onPart(frame) {
    this.lastFrameAt = Date.now();
    const s = this.scopes.get(frame.scope);
    if (!s) return;
    if (s.partsBuffer) {
      s.partsBuffer.push(frame);
      return;
    }
    this.#acceptPart(s, frame);
  }

  /** Merges a part of the scope's current snapshot, as whole records; a part of an earlier snapshot is dropped. */
  #acceptPart(s, frame) {
    const awaited = s.parts;
    if (!awaited || frame.sequence !== awaited.sequence || awaited.received.has(frame.part)) return;
    awaited.received.add(frame.part);
    if (awaited.received.size >= awaited.count) s.parts = null;
    const changes = newChanges(true, s.scope, s.parts === null);
    this.#applyRecords({ districts: [], segments: frame.segments ?? [], sensors: frame.sensors ?? [] }, changes, true);
    this.#emit('change', changes);
  }

  /**
   * Applies the next frame of a scope; a gap in its sequence means frames were lost: take a new snapshot. A frame that
   * merges several (held while the snapshot's parts were sent) covers every number from its `first` to its `sequence`.
   */
  #accept(s, frame) {
    if (s.sequence === null || frame.sequence <= s.sequence) return;
    if ((frame.first ?? frame.sequence) > s.sequence + 1) {
      this.#subscribe(s.scope);
      return;
    }
    s.sequence = frame.sequence;
    this.#applyDelta(frame);
  }

  #applySnapshot(s, snapshot) {
    const changes = newChanges(true, s.scope, s.parts === null);
    for (const alert of snapshot.alerts ?? []) this.#keepAlert(alert);
    if ((snapshot.alerts ?? []).length > 0) this.#emit('alert', snapshot.alerts[0]);
    this.#applyRecords(snapshot, changes, true);
    this.#emit('change', changes);
  }

  #applyDelta(frame) {
    const changes = newChanges(false);
    this.#applyRecords(frame, changes, false);
    this.#emit('change', changes);
  }

  /**
   * Snapshots and deltas carry the same records: a snapshot's whole, a delta's with only what changed (a field that
   * is null or absent is unchanged). A record older than the one held (by version; a sensor by reading count) does not
   * overwrite it.
   */
  #applyRecords(frame, changes, whole) {
    const { districts, segments, sensors } = this.state;
    if (frame.city) {
      const { districts: _, ...city } = frame.city;
      if (!this.state.city || city.version >= this.state.city.version || whole) {
        this.state.city = merge(this.state.city, city, whole);
        changes.city = true;
      }
    }
    for (const d of frame.districts) {
      if (apply(districts, d, (x) => x.version, whole)) changes.districts.add(d.id);
    }
    for (const s of frame.segments) {
      const known = segments.get(s.id);
      if (!apply(segments, s, (x) => x.version, whole)) continue;
      if (!known || s.version > known.version) this.#record(s.id, Date.parse(s.traffic?.asOf) || Date.now(), segmentValues(s));
      changes.segments.add(s.id);
    }
    for (const s of frame.sensors) {
      const known = sensors.get(s.id);
      if (!apply(sensors, s, (x) => x.readingCount, whole)) continue;
      if (!known || s.readingCount > known.readingCount) this.#record(s.id, Date.parse(s.lastSeen) || Date.now(), s.values);
      changes.sensors.add(s.id);
    }
  }

  /** An 'assets' frame: positions newer than those held move markers; an asset no scope covers any more leaves. */
  #onAssets(frame) {
    const s = this.scopes.get(frame.scope);
    if (!s) return;
    const changed = [];
    const left = [];
    for (const asset of frame.assets ?? []) {
      s.touched?.add(asset.id);
      if (this.#keepAsset(frame.scope, asset)) changed.push(asset);
    }
    for (const id of frame.left ?? []) {
      s.touched?.add(id);
      if (this.#dropAsset(frame.scope, id)) left.push(id);
    }
    this.#emit('assets', { scope: frame.scope, assets: changed, left, snapshot: false });
  }

  /**
   * The assets a scope covered when its snapshot was taken: they replace what the scope held, except those that frames
   * received since the Subscribe call named (a frame is newer than the snapshot).
   */
  #applyAssetSnapshot(s, assets) {
    if (!assets) return;
    const inSnapshot = new Set(assets.map((a) => a.id));
    const changed = assets.filter((a) => !s.touched.has(a.id) && this.#keepAsset(s.scope, a));
    const left = [...this.assets.keys()].filter((id) => !inSnapshot.has(id) && !s.touched.has(id) && this.#dropAsset(s.scope, id));
    this.#emit('assets', { scope: s.scope, assets: changed, left, snapshot: true });
  }

  /** Keeps an asset's view for a scope; true when it is newer than the one held (older versions never move a marker back). */
  #keepAsset(scope, asset) {
    const held = this.assets.get(asset.id);
    if (held) held.scopes.add(scope);
    if (held && asset.version <= held.asset.version) return false;
    this.assets.set(asset.id, { asset, scopes: held?.scopes ?? new Set([scope]) });
    return true;
  }

  /** The scope no longer covers the asset; true when no scope of the screen does. */
  #dropAsset(scope, id) {
    const held = this.assets.get(id);
    if (!held || !held.scopes.delete(scope) || held.scopes.size > 0) return false;
    this.assets.delete(id);
    return true;
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

/** A whole record replaces what is held; a partial one changes only the fields it carries. */
function merge(known, record, whole) {
  if (whole) return { ...known, ...record };
  const merged = { ...known };
  for (const [key, value] of Object.entries(record)) {
    if (value !== null && value !== undefined) merged[key] = value;
  }
  return merged;
}

/** Keeps a record unless the one held is newer; an older whole record still adds what the held one lacks. */
function apply(map, record, order, whole) {
  const known = map.get(record.id);
  if (known && order(record) < order(known)) {
    if (whole) map.set(record.id, { ...record, ...known });
    return whole;
  }
  map.set(record.id, merge(known, record, whole));
  return true;
}

function newScopeState(scope) {
  return { scope, sequence: null, buffer: null, partsBuffer: null, parts: null, touched: null, busy: false, again: false };
}

function newChanges(snapshot, scope = null, complete = false) {
  return { snapshot, scope, complete, city: false, districts: new Set(), segments: new Set(), sensors: new Set() };
}
