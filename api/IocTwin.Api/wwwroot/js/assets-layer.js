// Moving assets on the map: a marker per asset the screen's scopes cover, with a short trail of its last positions.
// Drawn from the twin client: the assets each scope's snapshot carries, then its 'assets' events — newer positions
// move markers, and an asset no scope of the screen covers any more (it crossed into an area they do not cover) is
// taken off the map. While the timeline replays, the layer shows the assets where they were at the replayed time (no
// trail: one position per frame) and holds live frames back; back to live, it redraws from the positions the client
// kept receiving meanwhile.
// Tooltips are text (bindTooltip with a text node): an asset's name never becomes markup.

import { textSpan } from './dom.js';

const L = window.L;
const TRAIL_POINTS = 8;
const KIND_COLORS = {
  ambulance: '#ff4d4f',
  'fire-engine': '#ff8c00',
  bus: '#40a9ff',
  'service-vehicle': '#a0d911',
  'fishing-vessel': '#13c2c2',
};

export class AssetLayer {
  /** @param {L.Map} map */
  constructor(map) {
    this.map = map;
    map.createPane('assets').style.zIndex = 460;
    this.group = L.featureGroup().addTo(map);
    /** id → { marker, trail, points: [[lat, lon]] } */
    this.assets = new Map();
    this.replaying = false;
    this.client = null;
  }

  /** Draws the assets the client holds (from its snapshots), then follows its asset events. */
  follow(client) {
    this.client = client;
    this.#drawLive();
    client.addEventListener('assets', ({ detail: frame }) => this.apply(frame));
  }

  /** @param {{ assets: object[], left: string[] }} frame  assets new or moved, and ids no scope of the screen covers */
  apply(frame) {
    if (this.replaying) return;
    for (const asset of frame.assets ?? []) this.#draw(asset);
    for (const id of frame.left ?? []) this.#remove(id);
  }

  /** A replayed frame: exactly these assets, each where it was then. */
  showReplayed(assets) {
    if (!this.replaying) this.#clear();
    this.replaying = true;
    const shown = new Set(assets.map((a) => a.id));
    for (const id of [...this.assets.keys()].filter((id) => !shown.has(id))) this.#remove(id);
    for (const asset of assets) this.#draw(asset, { trail: false });
  }

  /** Back to live: the replayed markers go, the live ones come back with fresh trails. */
  showLive() {
    if (!this.replaying) return;
    this.replaying = false;
    this.#clear();
    this.#drawLive();
  }

  #drawLive() {
    for (const { asset } of this.client?.assets.values() ?? []) this.#draw(asset);
  }

  #clear() {
    for (const id of [...this.assets.keys()]) this.#remove(id);
  }

  #draw(asset, { trail = true } = {}) {
    if (!asset.location) return;
    const at = [asset.location[1], asset.location[0]];
    let drawn = this.assets.get(asset.id);
    if (!drawn) {
      const color = KIND_COLORS[asset.kind] ?? '#ffffff';
      const marker = L.circleMarker(at, { pane: 'assets', radius: 6, color: '#0b1220', weight: 1.5, fillColor: color, fillOpacity: 1 });
      const trail = L.polyline([], { pane: 'assets', color, weight: 2, opacity: 0.6, interactive: false });
      marker.on('add', () => marker.getElement()?.setAttribute('data-asset-id', asset.id));
      drawn = { marker, trail, points: [] };
      this.assets.set(asset.id, drawn);
      this.group.addLayer(trail).addLayer(marker);
    }
    drawn.points = trail ? [...drawn.points, at].slice(-TRAIL_POINTS) : [at];
    drawn.trail.setLatLngs(drawn.points);
    drawn.marker.setLatLng(at);
    const speed = asset.speedKmh != null ? ` · ${Math.round(asset.speedKmh)} km/h` : '';
    const tip = textSpan(`${asset.name ?? asset.id} · ${asset.status ?? asset.kind}${speed}`);
    if (drawn.marker.getTooltip()) drawn.marker.setTooltipContent(tip);
    else drawn.marker.bindTooltip(tip);
  }

  #remove(id) {
    const drawn = this.assets.get(id);
    if (!drawn) return;
    this.group.removeLayer(drawn.marker).removeLayer(drawn.trail);
    this.assets.delete(id);
  }
}
