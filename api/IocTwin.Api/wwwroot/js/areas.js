// Which areas a screen shows: one level of the tree of areas (districts, wards ...) below the screen's own top areas
// (the city's, or an OC's), or the children of an area drilled into. The tree's shape (kinds, parents, children) is
// read once from /api/v1/areas, which the token scopes; the areas' KPIs come live through the hub only: the city scope
// carries the areas directly under the city, an area scope (`area:{id}`) every area below the ones it names.

import { getJson } from './auth.js';

/** Area ids one hub scope may name (TwinScope.MaxNames on the server). */
const MAX_SCOPE_NAMES = 32;

export class AreaView extends EventTarget {
  /**
   * @param {{ client, token: string, scope: { kind: 'city'|'district'|'sector', districts: string[] } }} options
   */
  constructor({ client, token, scope }) {
    super();
    this.client = client;
    this.token = token;
    this.scope = scope;
    /** id → { id, kind, parentId, childIds, depth } of the areas at or below the screen's top areas. */
    this.tree = new Map();
    this.tops = [];
    /** The area drilled into (null: the screen's top areas) and the depth shown, 0 being the top areas. */
    this.focus = null;
    this.depth = 0;
    /** Hub scopes this view added to the client's own, to be dropped when the view moves on. */
    this.extraScopes = new Set();
  }

  /** Reads the tree's shape; without it (an older twin, a sector OC) the screen shows the areas the hub sends. */
  async load() {
    let areas;
    try {
      areas = await getJson('/api/v1/areas', this.token);
    } catch {
      return;
    }
    const byId = new Map(areas.map((a) => [a.id, a]));
    const own = this.scope.kind === 'district' ? this.scope.districts.filter((id) => byId.has(id)) : [];
    this.tops = own.length > 0 ? own : areas.filter((a) => !a.parentId || !byId.has(a.parentId)).map((a) => a.id);
    // A sector OC sees only the areas directly under the city: it neither picks a level nor drills down.
    if (this.scope.kind === 'sector') return this.#changed();
    const visit = (id, depth) => {
      const area = byId.get(id);
      if (!area || this.tree.has(id)) return;
      this.tree.set(id, { id, kind: area.kind ?? 'district', parentId: area.parentId ?? null, childIds: area.childIds ?? [], depth });
      for (const child of area.childIds ?? []) visit(child, depth + 1);
    };
    for (const id of this.tops) visit(id, 0);
    this.#changed();
  }

  /** The levels below the top areas, each with the kinds found at it: [{ depth, kinds }]. */
  levels() {
    const kinds = [];
    for (const area of this.tree.values()) {
      kinds[area.depth] ??= [];
      if (!kinds[area.depth].includes(area.kind)) kinds[area.depth].push(area.kind);
    }
    return kinds.map((k, depth) => ({ depth, kinds: k }));
  }

  /** Whether an area has areas below it to drill into. */
  canDrill(id) {
    return this.scope.kind !== 'sector' && (this.tree.get(id)?.childIds.length ?? 0) > 0;
  }

  /**
   * Ids of the areas shown, or null to show every area the hub sends (no tree read): those at the level picked
   * below the focus, and any area above it with nothing below (a special zone among districts with wards).
   */
  shownIds() {
    if (this.tree.size === 0) return null;
    const ids = [];
    const visit = (id) => {
      const area = this.tree.get(id);
      if (!area) return;
      if (area.depth === this.depth || (area.depth < this.depth && area.childIds.length === 0)) ids.push(id);
      else if (area.depth < this.depth) area.childIds.forEach(visit);
    };
    if (this.focus) this.tree.get(this.focus).childIds.forEach(visit);
    else this.tops.forEach(visit);
    return ids;
  }

  /** The areas from a top area down to the one drilled into (the breadcrumb after the screen's own root). */
  path() {
    const path = [];
    for (let id = this.focus; id && this.tree.has(id); id = this.tree.get(id).depth > 0 ? this.tree.get(id).parentId : null) {
      path.unshift(id);
    }
    return path;
  }

  /** Shows one level below the current focus. */
  pickLevel(depth) {
    const floor = this.focus ? this.tree.get(this.focus).depth + 1 : 0;
    this.depth = Math.max(depth, floor);
    this.#changed();
  }

  /** Shows an area's children (null: back to the screen's top areas). */
  drill(id) {
    if (id !== null && !this.canDrill(id)) return;
    this.focus = id;
    this.depth = id === null ? 0 : this.tree.get(id).depth + 1;
    this.#changed();
  }

  /**
   * The city scope carries only the areas directly under the city: the wall screen subscribes to the area scopes that
   * carry the ones shown below them (an OC's own scope already covers everything below its areas).
   */
  #subscribe() {
    if (this.scope.kind !== 'city') return;
    const wanted = new Set();
    if (this.focus) {
      wanted.add(`area:${this.focus}`);
    } else if (this.depth > 0) {
      const parents = this.tops.filter((id) => this.canDrill(id)).sort();
      for (let i = 0; i < parents.length; i += MAX_SCOPE_NAMES) wanted.add(`area:${parents.slice(i, i + MAX_SCOPE_NAMES).join(',')}`);
    }
    for (const scope of this.extraScopes) {
      if (!wanted.has(scope)) this.client.unsubscribe(scope);
    }
    for (const scope of wanted) {
      if (!this.extraScopes.has(scope)) this.client.subscribe(scope);
    }
    this.extraScopes = wanted;
  }

  #changed() {
    this.#subscribe();
    this.dispatchEvent(new Event('change'));
  }
}
