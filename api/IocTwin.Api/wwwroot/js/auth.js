// Tokens for the twin's API and hub: kept in the browser per screen, demo tokens from the development endpoint.

export function loadToken(key) {
  return localStorage.getItem(key);
}

export function saveToken(key, token) {
  localStorage.setItem(key, token.trim());
}

export function clearToken(key) {
  localStorage.removeItem(key);
}

/** The claims of a JWT, read without checking its signature (the server checks it): role, districts, sectors. */
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
      districts: list(claims.district),
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

/** A demo token from the development endpoint: { role, districts?, sectors?, name? }. */
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

/** What a token's screen subscribes to: the city, each of a district OC's districts, or each of a sector OC's sectors. */
export function scopeOf(claims) {
  switch (claims.role) {
    case 'district-oc':
      return { kind: 'district', districts: claims.districts, sectors: [], hubScopes: claims.districts.map((d) => `district:${d}`) };
    case 'sector-oc':
      return { kind: 'sector', districts: [], sectors: claims.sectors, hubScopes: claims.sectors.map((s) => `sector:${s}`) };
    default:
      return { kind: 'city', districts: [], sectors: [], hubScopes: ['city'] };
  }
}
