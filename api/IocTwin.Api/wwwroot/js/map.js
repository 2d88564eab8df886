// The city map: Leaflet with no tile layer, drawn only from the twin's own geometry (district boundaries,
// road centre lines, sensor positions), so it needs no network. Every drawn entity carries its id in a data
// attribute (data-district-id, data-segment-id, data-sensor-id). Labels and tooltips are given as text and shown
// as text (see dom.js): a name from the topology never becomes markup.

import { segmentColor, kpiColor } from './model.js';
import { sectorColor } from './sectors.js';
import { textSpan } from './dom.js';

const L = window.L;
const toLatLng = ([lon, lat]) => [lat, lon];

const HEALTH_STYLE = {
  online: { color: '#e8f1ff', weight: 1, fillOpacity: 0.95, dashArray: null },
  stale: { color: '#ffb020', weight: 2, fillOpacity: 0.55, dashArray: null },
  offline: { color: '#8a939c', weight: 1.2, fillOpacity: 0.15, dashArray: '2 2' },
};

export class TwinMap {
  /**
   * @param {HTMLElement} element
   * @param {{ onSelect: (selection: {type: string, id: string}) => void, onDistrictSelect?: (id: string) => void,
   *           districtLabel: (district) => string, schematicLabel?: () => string, segmentTip: (segment) => string, sensorTip: (sensor) => string,
   *           (plain text, shown as text)
   *           kpiKey?: string, kpisOf: (district) => object, bottomInset?: () => number }} options
   */
  constructor(element, options) {
    this.options = options;
    this.kpiKey = options.kpiKey ?? 'meanSpeedKmh';
    this.hiddenSectors = new Set();
    this.selected = null;
    this.fitted = false;
    this.districts = new Map();
    /** Ids of the areas drawn (the level or children the screen shows); null: every area the state holds. */
    this.shownAreas = null;
    this.segments = new Map();
    this.sensors = new Map();
    /** Queue extents drawn over the roads (see showQueues), or null. */
    this.queues = null;

    this.map = L.map(element, {
      attributionControl: false, zoomSnap: 0.25, zoomDelta: 0.5, minZoom: 8, maxZoom: 18, preferCanvas: false,
    });
    // Deliberately no tile layer: the background is plain and the city comes from its own geometry.
    for (const [pane, z] of [['districts', 350], ['segments', 420], ['sensors', 440]]) {
      this.map.createPane(pane).style.zIndex = z;
    }
    this.districtGroup = L.featureGroup().addTo(this.map);
    this.segmentGroup = L.featureGroup().addTo(this.map);
    this.sensorGroup = L.featureGroup().addTo(this.map);
    this.map.setView([16.05, 108.2], 11);
    this.#addFitControl();
    // Sensor markers grow as the map zooms in, so on the whole-city view they do not bury the roads.
    this.map.on('zoomend', () => {
      for (const layer of this.sensors.values()) layer.setRadius(this.#sensorRadius());
    });
    new ResizeObserver(() => this.map.invalidateSize()).observe(element);
  }

  /** Draws what changed; entities the state does not hold are never drawn. */
  update(state, changes) {
    for (const id of changes.districts) this.#drawDistrict(state.districts.get(id));
    for (const id of changes.segments) this.#drawSegment(state.segments.get(id));
    for (const id of changes.sensors) this.#drawSensor(state.sensors.get(id));
    if (!this.fitted && this.districts.size > 0) {
      this.fit();
      this.fitted = true;
    }
  }

  fit() {
    const bounds = this.districtGroup.getBounds();
    if (bounds.isValid()) this.map.fitBounds(bounds, this.#padding(16));
  }

  focusDistrict(id) {
    const layer = this.districts.get(id);
    if (layer) this.map.fitBounds(layer.getBounds(), this.#padding(24));
  }

  /** Room around fitted bounds, keeping clear of what lies over the map's bottom edge (the legend). */
  #padding(px) {
    const bottom = this.options.bottomInset?.() ?? 0;
    return { paddingTopLeft: [px, px], paddingBottomRight: [px, px + bottom] };
  }

  /** Draws only these areas (null: all the state holds), removing the others, and fits the map to them. */
  showAreas(ids, state) {
    this.shownAreas = ids ? new Set(ids) : null;
    for (const [id, layer] of this.districts) {
      if (this.shownAreas && !this.shownAreas.has(id)) {
        this.districtGroup.removeLayer(layer);
        this.districts.delete(id);
      }
    }
    this.recolorDistricts(state);
    // Areas still on their way (a scope just subscribed) are fitted to when they arrive (see update).
    this.fitted = this.districts.size > 0;
    if (this.fitted) this.fit();
  }

  /** Colours the districts by another KPI. */
  setKpi(key, state) {
    this.kpiKey = key;
    this.recolorDistricts(state);
  }

  recolorDistricts(state) {
    for (const district of state.districts.values()) this.#drawDistrict(district);
  }

  setSectorVisible(sector, visible, state) {
    if (visible) this.hiddenSectors.delete(sector);
    else this.hiddenSectors.add(sector);
    for (const sensor of state.sensors.values()) if (sensor.sector === sector) this.#drawSensor(sensor);
  }

  /** Redraws and re-labels everything (after a language switch, or a replay's frame). */
  refresh(state) {
    for (const district of state.districts.values()) this.#drawDistrict(district);
    for (const sensor of state.sensors.values()) this.#drawSensor(sensor);
  }

  select(selection) {
    const previous = this.selected;
    this.selected = selection;
    for (const s of [previous, selection]) {
      const layer = s && (s.type === 'segment' ? this.segments : this.sensors).get(s.id);
      layer?.getElement()?.classList.toggle('selected', s === selection);
    }
  }

  #drawDistrict(district) {
    if (!district?.boundary?.length || (this.shownAreas && !this.shownAreas.has(district.id))) return;
    let layer = this.districts.get(district.id);
    const fillColor = kpiColor(this.kpiKey, this.options.kpisOf(district)?.[this.kpiKey]?.value);
    if (!layer) {
      // An approximate boundary is drawn dashed, and says so when pointed at: it is never shown as if it were real.
      layer = L.polygon(district.boundary.map(toLatLng), {
        pane: 'districts', className: district.schematic ? 'district schematic' : 'district', color: '#9fb3c8',
        weight: 1.2, fillOpacity: 0.32, fillColor, dashArray: district.schematic ? '6 5' : null,
      });
      layer.bindTooltip('', { permanent: true, direction: 'center', className: 'district-label', opacity: 1 });
      if (this.options.onDistrictSelect) layer.on('click', () => this.options.onDistrictSelect(district.id));
      layer.addTo(this.districtGroup);
      const element = layer.getElement();
      element.dataset.districtId = district.id;
      if (district.schematic) {
        element.dataset.schematic = 'true';
        element.appendChild(document.createElementNS('http://www.w3.org/2000/svg', 'title'));
      }
      this.districts.set(district.id, layer);
    }
    const title = layer.getElement().querySelector('title');
    if (title) title.textContent = `${this.options.districtLabel(district)} · ${this.options.schematicLabel?.() ?? ''}`;
    layer.setStyle({ fillColor });
    layer.getElement().dataset.kpiColor = fillColor;
    const tooltip = layer.getTooltip();
    tooltip.setContent(textSpan(this.options.districtLabel(district)));
    tooltip.getElement()?.setAttribute('data-district-id', district.id);
  }

  #drawSegment(segment) {
    if (!segment?.spec?.geometry?.length) return;
    let layer = this.segments.get(segment.id);
    if (!layer) {
      layer = L.polyline(segment.spec.geometry.map(toLatLng), {
        pane: 'segments', className: 'segment', weight: segment.spec.lanes >= 4 ? 5 : 3.5, opacity: 0.95,
        lineCap: 'round', color: segmentColor(segment),
      });
      layer.baseWeight = layer.options.weight;
      layer.bindTooltip(() => textSpan(this.options.segmentTip(this.segments.get(segment.id).entity)), { sticky: true, className: 'entity-tip' });
      layer.on('click', () => this.options.onSelect({ type: 'segment', id: segment.id }));
      layer.addTo(this.segmentGroup);
      layer.getElement().dataset.segmentId = segment.id;
      this.segments.set(segment.id, layer);
    }
    layer.entity = segment;
    this.#styleSegment(layer);
    if (layer.isTooltipOpen()) layer.getTooltip().update();
    const element = layer.getElement();
    element.dataset.los = segment.traffic?.los ?? '';
    element.dataset.status = segment.status ?? '';
  }

  /**
   * Queues drawn over the roads: segment id → queue extent in metres (a road without an entry has none), with the
   * colour of an extent; null draws the roads as their state has them.
   * @param {Map<string, number> | null} extents
   * @param {(metres: number) => string} [colorOf]
   */
  showQueues(extents, colorOf) {
    this.queues = extents ? { extents, colorOf } : null;
    for (const layer of this.segments.values()) this.#styleSegment(layer);
  }

  /** A road's colour from its state, or from its queue (drawn thicker, longer queues thicker still) when one is shown. */
  #styleSegment(layer) {
    const element = layer.getElement();
    const metres = this.queues?.extents.get(layer.entity.id) ?? 0;
    if (metres > 0) {
      layer.setStyle({ color: this.queues.colorOf(metres), weight: layer.baseWeight + Math.min(6, 2 + metres / 150) });
      element.dataset.queueM = String(Math.round(metres));
    } else {
      layer.setStyle({ color: segmentColor(layer.entity), weight: layer.baseWeight });
      delete element.dataset.queueM;
    }
  }

  /** A button under the zoom buttons that shows the whole scope again. */
  #addFitControl() {
    const FitControl = L.Control.extend({
      options: { position: 'topleft' },
      onAdd: () => {
        const bar = L.DomUtil.create('div', 'leaflet-bar');
        const button = L.DomUtil.create('a', 'map-fit', bar);
        button.href = '#';
        button.role = 'button';
        button.textContent = '⤢';
        button.dataset.i18nTitle = 'map.fit';
        button.dataset.i18nAriaLabel = 'map.fit';
        L.DomEvent.disableClickPropagation(bar);
        L.DomEvent.on(button, 'click', (e) => {
          L.DomEvent.preventDefault(e);
          this.fit();
        });
        return bar;
      },
    });
    new FitControl().addTo(this.map);
  }

  #sensorRadius() {
    const zoom = this.map.getZoom();
    return zoom < 12 ? 3 : zoom < 14 ? 4.5 : 6;
  }

  #drawSensor(sensor) {
    if (!sensor?.location) return;
    let layer = this.sensors.get(sensor.id);
    const hidden = this.hiddenSectors.has(sensor.sector);
    if (!layer) {
      layer = L.circleMarker(toLatLng(sensor.location), {
        pane: 'sensors', className: 'sensor', radius: this.#sensorRadius(), fillColor: sectorColor(sensor.sector),
      });
      layer.bindTooltip(() => textSpan(this.options.sensorTip(this.sensors.get(sensor.id).entity)), { className: 'entity-tip' });
      layer.on('click', () => this.options.onSelect({ type: 'sensor', id: sensor.id }));
      this.sensors.set(sensor.id, layer);
    }
    layer.entity = sensor;
    if (layer.isTooltipOpen()) layer.getTooltip().update();
    if (hidden) {
      layer.remove();
      return;
    }
    if (!this.sensorGroup.hasLayer(layer)) {
      layer.addTo(this.sensorGroup);
      const element = layer.getElement();
      element.dataset.sensorId = sensor.id;
      element.dataset.sector = sensor.sector;
      if (this.selected?.id === sensor.id) element.classList.add('selected');
    }
    const health = sensor.health ?? 'offline';
    layer.setStyle(HEALTH_STYLE[health]);
    layer.getElement().dataset.health = health;
  }
}
