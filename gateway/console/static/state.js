// What the console remembers within the tab (sessionStorage; cleared at sign-out).
// A personnummer is never put in a URL: URLs end up in browser history, in bookmarks and in
// proxy logs, so the person timeline's route is plain #/person and the number is kept here.

const PERSON_KEY = 'knutpunkt.person';
const SEARCH_KEY = 'knutpunkt.search';

function read(key) {
  try { return JSON.parse(sessionStorage.getItem(key) ?? 'null'); } catch { return null; }
}

export function selectedPerson() {
  return read(PERSON_KEY) ?? '';
}

export function selectPerson(person) {
  sessionStorage.setItem(PERSON_KEY, JSON.stringify(person));
}

export function showPerson(person) {
  selectPerson(person);
  if (window.location.hash === '#/person') window.dispatchEvent(new HashChangeEvent('hashchange'));
  else window.location.hash = '#/person';
}

// The search form's filters and the page the user is on, so that coming back to #/sok shows the
// same results.
export function savedSearch() {
  return read(SEARCH_KEY);
}

export function saveSearch(search) {
  sessionStorage.setItem(SEARCH_KEY, JSON.stringify(search));
}
