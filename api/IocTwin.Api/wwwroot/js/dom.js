// Building the screens' DOM from data. Names, ids and messages come from the twin's API and hub (anyone allowed to
// change the topology chooses them), so they only ever become text nodes, never markup: no innerHTML with data, and
// Leaflet tooltips get an element, not a string (Leaflet parses a string as HTML).

/**
 * An element with attributes and children; strings among the children become text. Attributes named on* bind
 * listeners, 'style' goes through the CSSOM (allowed by the screens' Content-Security-Policy), the rest are set as
 * attribute values.
 */
export function el(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === 'class') element.className = value;
    else if (name === 'style') element.style.cssText = value;
    else if (name.startsWith('on')) element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value === true ? '' : value);
  }
  element.append(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
  return element;
}

/** A span holding text as text: what a map label or tooltip shows. */
export const textSpan = (text) => el('span', {}, String(text ?? ''));
