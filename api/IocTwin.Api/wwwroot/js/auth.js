// Tokens for the twin's API and hub: kept per screen in the tab's sessionStorage, demo tokens from the development
// endpoint. sessionStorage survives a reload in the same tab (a wall screen reloads without signing in again) but
// dies with the tab, so a token does not stay behind on a shared wall-screen machine; nothing is kept in localStorage.

import { sectorIds } from './sectors.js';

export function loadToken(key) {
  moveOutOfLocalStorage(key);
  return sessionStorage.getItem(key);
}

export function saveToken(key, token) {
  sessionStorage.setItem(key, token.trim());
}

export function clearToken(key) {
  sessionStorage.removeItem(key);
  localStorage.removeItem(key);
}

/** Earlier versions kept tokens in localStorage: move one found there into this tab and remove it from the machine. */
function moveOutOfLocalStorage(key) {
  const legacy = localStorage.getItem(key);
  if (legacy === null) return;
  localStorage.removeItem(key);
  if (sessionStorage.getItem(key) === null) sessionStorage.setItem(key, legacy);
}

/**
 * The claims of a JWT, read without checking its signature (the server checks it): role, areas (`district` and `area`
 * claims say the same: an area at any level, with everything below it), sectors.
 */
export function readClaims(token) {
  const part = token?.split('.')[1];
  if (!part) return null;
  try {
    const base64 = part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '=');
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const claims = JSON.parse(new TextDecoder().decode(bytes));
    const list = (v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
    return {
      name: claims.name ?? '',
      role: claims.role ?? null,
      districts: [...list(claims.district), ...list(claims.area)],
      sectors: list(claims.sector),
      expiresAt: typeof claims.exp === 'number' ? claims.exp * 1000 : null,
    };
  } catch {
    return null;
  }
}

/** A token that cannot be read or has expired is of no use: the screen asks for another. */
export function usableClaims(token, now = Date.now()) {
  const claims = readClaims(token);
  return claims && claims.role && (!claims.expiresAt || claims.expiresAt > now) ? claims : null;
}

/** Raised when the twin offers no demo tokens (not a development run). */
export class DevTokensUnavailable extends Error {}

/** A demo token from the development endpoint: { role, districts?, areas?, sectors?, name? }. */
export async function requestDevToken(request) {
  let response;
  try {
    response = await fetch('/api/v1/dev/token', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(request),
    });
  } catch (error) {
    throw new DevTokensUnavailable(error.message);
  }
  if (response.status === 404 || response.status === 405) throw new DevTokensUnavailable('No demo tokens on this server.');
  if (!response.ok) {
    const problem = await response.json().catch(() => ({}));
    throw new Error(problem.detail ?? problem.title ?? `HTTP ${response.status}`);
  }
  return (await response.json()).token;
}

/** GET on the twin's REST API with a bearer token. */
export async function getJson(path, token) {
  const response = await fetch(path, { headers: { Authorization: `Bearer ${token}` } });
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return response.json();
}

/**
 * What a token's screen subscribes to: the city, or one scope of all a district OC's districts or a sector OC's
 * sectors, named in the server's order (ids sorted, sectors as the catalogue lists them) since frames carry that name.
 */
export function scopeOf(claims) {
  switch (claims.role) {
    case 'district-oc':
      return { kind: 'district', districts: claims.districts, sectors: [], hubScopes: [`district:${[...new Set(claims.districts)].sort().join(',')}`] };
    case 'sector-oc':
      return { kind: 'sector', districts: [], sectors: claims.sectors, hubScopes: [`sector:${sectorIds().filter((s) => claims.sectors.includes(s)).join(',')}`] };
    default:
      return { kind: 'city', districts: [], sectors: [], hubScopes: ['city'] };
  }
}
