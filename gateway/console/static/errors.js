// Problems from the gateway (problem+json) shown in Swedish: a summary that names each field in
// the user's words and links to it, and the same message next to the field itself.
import {h, clear} from './dom.js';

const PROBLEMS = {
  network: 'Det gick inte att nå knutpunkt. Kontrollera anslutningen och försök igen.',
  invalid_credentials: 'Fel användarnamn eller lösenord.',
  unauthenticated: 'Du är inte inloggad, eller så har sessionen gått ut. Logga in igen.',
  role_not_allowed: 'Ditt konto har inte behörighet till granskningen.',
  forbidden: 'Ditt konto har inte behörighet till detta.',
  invalid_query: 'Sökningen kunde inte göras. Rätta de markerade fälten.',
  invalid_request: 'Begäran kunde inte göras. Rätta de markerade fälten.',
  invalid_json: 'Begäran kunde inte läsas av knutpunkt.',
  not_found: 'Det du bad om finns inte.',
  unknown_report: 'Loggkontrollen finns inte.',
  audit_unavailable: 'Granskningsloggen går inte att nå just nu. Försök igen om en stund.',
  store_unavailable: 'Databasen går inte att nå just nu. Försök igen om en stund.',
  exports_disabled: 'Export är inte aktiverad på den här knutpunkten (ingen signeringsnyckel).',
  empty_range: 'Det finns inga poster i det valda intervallet.',
  range_beyond_head: 'Intervallet går längre än loggen.',
  chain_broken: 'Exporten stoppades: kedjan är bruten i intervallet. Se Kedjans status.',
  too_many_requests: 'För många försök. Vänta en stund och försök igen.',
  too_many_attempts: 'För många misslyckade inloggningar. Inloggning är spärrad en stund (högst 15 minuter). Försök igen senare.',
};

const PARAM_CODES = {
  required: 'måste anges',
  missing: 'måste anges',
  bad_check_digit: 'kontrollsiffran stämmer inte',
  bad_format: 'har fel format',
  bad_date: 'är inget giltigt datum',
  bad_time: 'är ingen giltig tidpunkt (ange ett datum)',
  future_date: 'ligger i framtiden',
  too_old: 'är för gammalt',
  reversed: 'från-datum ligger efter till-datum',
  bad_cursor: 'sidan går inte att hämta; gör om sökningen',
  bad_code: 'har ett okänt värde',
  unknown: 'har ett okänt värde',
  out_of_range: 'ligger utanför tillåtet intervall',
  too_long: 'är för långt',
  too_large: 'är för stort',
  conflict: 'ange antingen en tidsperiod eller ett sekvensintervall, inte båda',
  unknown_parameter: 'är okänt för knutpunkt',
  unknown_field: 'är okänt för knutpunkt',
  not_a_string: 'har fel typ',
  not_an_integer: 'måste vara ett heltal',
  empty_range: 'ger inga poster',
  range_beyond_head: 'går längre än loggen',
  personal_data_in_url: 'innehåller ett personnummer; det får aldrig stå i en adress',
};

export function problemMessage(error) {
  if (!error || typeof error !== 'object') return 'Något gick fel.';
  // A sign-in refused after repeated failures says how long to wait (the answer's Retry-After).
  if (error.code === 'too_many_attempts' && error.retryAfter > 0) {
    const minutes = Math.ceil(error.retryAfter / 60);
    return `För många misslyckade inloggningar. Försök igen om ${minutes} ${minutes === 1 ? 'minut' : 'minuter'}.`;
  }
  const known = PROBLEMS[error.code];
  if (known) return known;
  if (error.status === 403) return PROBLEMS.forbidden;
  if (error.status >= 500) return `Knutpunkt kunde inte svara (HTTP ${error.status}${error.code ? `, ${error.code}` : ''}). Försök igen om en stund.`;
  return `Det gick inte (HTTP ${error.status}${error.code ? `, ${error.code}` : ''}).`;
}

export function paramMessage(param) {
  return PARAM_CODES[param.code] ?? 'är ogiltigt';
}

// Shows `error` in `container` (role=alert). `fields` maps the API's parameter names to
// {label, input}: the field is named in Swedish, marked aria-invalid and described by the
// message. Returns the summary element.
export function showProblem(container, error, fields = {}, heading = 'Det gick inte') {
  clearProblem(container, fields);
  const items = [];
  for (const param of error.invalidParams ?? []) {
    const target = fields[param.name];
    const label = target?.label ?? (param.name || 'Begäran');
    const text = `${label}: ${paramMessage(param)}`;
    if (target?.input) {
      const input = target.input;
      input.setAttribute('aria-invalid', 'true');
      const messageId = `${input.id}-fel`;
      const message = h('p', {class: 'field__error', id: messageId}, paramMessage(param));
      input.before(message);
      const described = (input.getAttribute('aria-describedby') ?? '').split(' ').filter(Boolean);
      input.setAttribute('aria-describedby', [messageId, ...described].join(' '));
      items.push(h('li', {}, h('a', {
        href: `#${input.id}`,
        onclick: (event) => { event.preventDefault(); input.focus(); },
      }, text)));
    } else {
      items.push(h('li', {}, text));
    }
  }
  const summary = h('div', {class: 'error-summary', tabindex: '-1'},
    h('h2', {class: 'error-summary__title'}, heading),
    h('p', {}, problemMessage(error)),
    items.length ? h('ul', {}, items) : null);
  container.append(summary);
  container.hidden = false;
  return summary;
}

export function clearProblem(container, fields = {}) {
  clear(container);
  for (const {input} of Object.values(fields)) {
    if (!input) continue;
    input.removeAttribute('aria-invalid');
    const messageId = `${input.id}-fel`;
    document.getElementById(messageId)?.remove();
    const described = (input.getAttribute('aria-describedby') ?? '').split(' ').filter((id) => id && id !== messageId);
    if (described.length) input.setAttribute('aria-describedby', described.join(' '));
    else input.removeAttribute('aria-describedby');
  }
}

// A region that announces errors as they appear.
export function errorRegion() {
  return h('div', {class: 'problem-region', role: 'alert', 'aria-live': 'assertive'});
}
