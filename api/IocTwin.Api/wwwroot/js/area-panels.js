// The level picker and the breadcrumb of the tree of areas (see areas.js): each redraws its own element.

import { t, tOptional } from './i18n.js';
import { el } from './dom.js';

/** A level's name from the kinds of area at it (e.g. "Phường / Xã"); a kind with no translation shows as named. */
export const levelName = (kinds) => kinds.map((kind) => tOptional(`areaKind.${kind}`) ?? kind).join(' / ');

/** The levels the screen's areas have; hidden while there is only one. */
export function renderLevelPicker(field, select, areas, onPick) {
  const levels = areas.levels();
  field.hidden = levels.length < 2;
  const floor = areas.focus ? levels.findIndex((l) => l.depth > areas.tree.get(areas.focus).depth) : 0;
  select.onchange = () => onPick(Number(select.value));
  select.replaceChildren(...levels.map(({ depth, kinds }) => {
    const option = new Option(levelName(kinds), String(depth), false, depth === areas.depth);
    option.disabled = floor < 0 || depth < floor;
    return option;
  }));
}

/** The screen's root (the city, or an OC's own areas) › the areas drilled through; each crumb goes back up to it. */
export function renderBreadcrumb(nav, areas, { rootLabel, label, onPick }) {
  const path = areas.path();
  nav.hidden = areas.levels().length < 2;
  const crumb = (id, text, current) => (current
    ? el('span', { class: 'crumb current', 'aria-current': 'page', 'data-area-id': id ?? '' }, text)
    : el('button', { type: 'button', class: 'crumb', 'data-area-id': id ?? '', onclick: () => onPick(id) }, text));
  const crumbs = [crumb(null, rootLabel, path.length === 0), ...path.map((id, i) => crumb(id, label(id), i === path.length - 1))];
  nav.replaceChildren(...crumbs.flatMap((c, i) => (i === 0 ? [c] : [el('span', { class: 'crumb-sep', 'aria-hidden': 'true' }, '›'), c])));
}
