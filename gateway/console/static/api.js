// The gateway's API as the console uses it: the session token, JSON calls with the bearer
// token, and problem+json (RFC 9457) turned into an ApiError the pages can show.
//
// The token lives in sessionStorage: it is gone when the tab closes, and is never put in a URL.

const SESSION_KEY = 'knutpunkt.session';

export const session = {
  get() {
    try {
      const s = JSON.parse(sessionStorage.getItem(SESSION_KEY) ?? 'null');
      if (!s || !s.token) return null;
      if (s.expires_at && Date.parse(s.expires_at) <= Date.now()) {
        this.clear();
        return null;
      }
      return s;
    } catch {
      return null;
    }
  },
  set(value) {
    sessionStorage.setItem(SESSION_KEY, JSON.stringify(value));
  },
  // Signing out forgets everything the console kept in the tab, personnummer included.
  clear() {
    sessionStorage.clear();
  },
};

export class ApiError extends Error {
  constructor(status, problem, retryAfter = 0) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;          // 0 = no answer (network)
    this.problem = problem ?? {};  // the problem+json body, or {}
    this.retryAfter = retryAfter;  // seconds, from Retry-After; 0 = not said
  }
  get code() { return this.problem.code ?? ''; }
  get invalidParams() { return Array.isArray(this.problem['invalid-params']) ? this.problem['invalid-params'] : []; }
}

// Called when the gateway says the session is gone (401), so the app can send the user to sign in.
let onUnauthenticated = () => {};
export function whenUnauthenticated(handler) { onUnauthenticated = handler; }

function url(path, query) {
  const u = new URL(path, window.location.origin);
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined || value === null || value === '') continue;
    u.searchParams.set(key, String(value));
  }
  return u.pathname + u.search;
}

async function send(path, {method = 'GET', query, body, auth = true} = {}) {
  const headers = {Accept: 'application/json, application/problem+json'};
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const current = session.get();
  if (auth && current) headers.Authorization = `Bearer ${current.token}`;
  let response;
  try {
    response = await fetch(url(path, query), {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store', credentials: 'omit', referrerPolicy: 'no-referrer',
    });
  } catch {
    throw new ApiError(0, {code: 'network'});
  }
  if (!response.ok) {
    let problem = {};
    try { problem = await response.json(); } catch { /* not JSON: status alone */ }
    const retryAfter = Number.parseInt(response.headers.get('Retry-After') ?? '', 10);
    const error = new ApiError(response.status, problem, Number.isFinite(retryAfter) ? retryAfter : 0);
    if (response.status === 401 && auth) {
      session.clear();
      onUnauthenticated(error);
    }
    throw error;
  }
  return response;
}

export async function getJson(path, query) {
  const response = await send(path, {query});
  return response.json();
}

export async function postJson(path, body, options = {}) {
  const response = await send(path, {method: 'POST', body, ...options});
  return response.status === 204 ? null : response.json();
}

export async function signIn(username, password) {
  return postJson('/v1/auth/session', {username, password}, {auth: false});
}

export async function signOut() {
  try {
    await send('/v1/auth/session', {method: 'DELETE'});
  } catch {
    // The session may already have expired; signing out locally is what matters here.
  }
  session.clear();
}

// Export files need the bearer token, so a plain link cannot fetch them: the bytes are fetched
// here and handed to the browser as a download under the name the gateway gives.
export async function download(path, fallbackName) {
  const response = await send(path);
  const blob = await response.blob();
  const disposition = response.headers.get('Content-Disposition') ?? '';
  const match = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition);
  const name = match ? decodeURIComponent(match[1]) : fallbackName;
  const objectUrl = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = objectUrl;
  a.download = name;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(objectUrl), 60_000);
  return {name, bytes: blob.size};
}
