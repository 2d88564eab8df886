// The city's sectors as the twin defines them (GET /api/v1/sectors, read before signing in like the screens'
// settings): their ids in the server's order, names in Vietnamese and English, colours. Nothing here lists them.

let sectors = [];

/** Reads the catalogue; screens call it (through initI18n) before showing anything. */
export async function loadSectors() {
  const response = await fetch('/api/v1/sectors');
  if (!response.ok) throw new Error(`The city's sectors could not be loaded (${response.status}).`);
  sectors = await response.json();
}

/** Sector ids in the order the server names scopes and lists them. */
export const sectorIds = () => sectors.map((s) => s.id);

const find = (id) => sectors.find((s) => s.id === id);

/** The sector's colour on the map and in legends; grey for one the catalogue no longer holds. */
export const sectorColor = (id) => find(id)?.colour ?? '#cccccc';

/** The sector's name in the page's language (set by i18n.js), its id when the catalogue does not hold it. */
export function sectorName(id) {
  const sector = find(id);
  if (!sector) return id;
  return document.documentElement.lang === 'en' ? sector.nameEn : sector.nameVi;
}
