// The auditors' console: a hash router over the pages, the signed-in user in the header, and
// focus moved to each page's heading so keyboard and screen-reader users land where the content is.
import {session, signOut, whenUnauthenticated} from './api.js';
import {h, clear} from './dom.js';
import {selectPerson} from './state.js';
import * as loginPage from './pages/login.js';
import * as searchPage from './pages/search.js';
import * as personPage from './pages/person.js';
import * as casePage from './pages/case.js';
import * as reportsPage from './pages/reports.js';
import * as chainPage from './pages/chain.js';
import * as exportPage from './pages/export.js';

const AFTER_SIGN_IN_KEY = 'knutpunkt.after-sign-in';
const FLASH_KEY = 'knutpunkt.flash';

const pages = {
  'logga-in': loginPage,
  'sok': searchPage,
  'person': personPage,
  'arende': casePage,
  'loggkontroller': reportsPage,
  'kedja': chainPage,
  'export': exportPage,
};

// "#/arende/EB-1?klient=x" -> {name: 'arende', rest: ['EB-1'], query: URLSearchParams}
function parseRoute(hash) {
  const [path, queryText = ''] = hash.replace(/^#\/?/, '').split('?');
  const [name = '', ...rest] = path.split('/').map((part) => {
    try { return decodeURIComponent(part); } catch { return part; }
  });
  return {name, rest, query: new URLSearchParams(queryText)};
}

function updateHeader(current) {
  const user = current?.user;
  document.getElementById('session').hidden = !user;
  document.getElementById('site-nav').hidden = !user;
  document.getElementById('session-user').textContent = user ? `Inloggad som ${user.name || user.id}` : '';
}

function markCurrentNav(name) {
  for (const link of document.querySelectorAll('#site-nav a[data-route]')) {
    if (link.dataset.route === name) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
}

export function flash(message) {
  sessionStorage.setItem(FLASH_KEY, message);
}

function takeFlash() {
  const message = sessionStorage.getItem(FLASH_KEY);
  sessionStorage.removeItem(FLASH_KEY);
  return message;
}

let renderCount = 0;
// The first page shown keeps the browser's own start (so Tab reaches the skip link first); after
// that, each new page moves focus to its heading.
let moveFocus = false;

async function route() {
  const main = document.getElementById('huvudinnehall');
  const current = session.get();
  let {name, rest, query} = parseRoute(window.location.hash);

  if (!current && name !== 'logga-in') {
    if (name) sessionStorage.setItem(AFTER_SIGN_IN_KEY, window.location.hash);
    window.location.replace('#/logga-in');
    return;
  }
  if (current && (name === '' || name === 'logga-in')) {
    window.location.replace('#/sok');
    return;
  }
  // An old-style person link (#/person/<nr>): the number moves into the tab's memory and out of
  // the address bar and this history entry.
  if (name === 'person' && rest.length) {
    selectPerson(rest.join('/'));
    history.replaceState(null, '', '#/person');
    rest = [];
  }

  updateHeader(current);
  markCurrentNav(name);
  const page = pages[name];
  const thisRender = ++renderCount;
  clear(main);
  const message = takeFlash();
  if (message) main.append(h('div', {class: 'notice', role: 'status'}, message));
  if (!page) {
    document.title = 'Sidan finns inte – knutpunkt';
    main.append(h('h1', {tabindex: '-1'}, 'Sidan finns inte'), h('p', {}, h('a', {href: '#/sok'}, 'Till sökningen')));
  } else {
    await page.render(main, {rest, query, user: current?.user, isCurrent: () => thisRender === renderCount,
      afterSignIn: () => {
        const target = sessionStorage.getItem(AFTER_SIGN_IN_KEY) || '#/sok';
        sessionStorage.removeItem(AFTER_SIGN_IN_KEY);
        window.location.hash = target === '#/logga-in' ? '#/sok' : target;
      }});
  }
  // A page that put focus somewhere on purpose (a field) keeps it; otherwise the heading gets it.
  if (moveFocus && thisRender === renderCount && !main.contains(document.activeElement)) {
    main.querySelector('h1')?.focus();
  }
  moveFocus = true;
}

whenUnauthenticated(() => {
  flash('Sessionen har gått ut eller avslutats. Logga in igen.');
  if (!window.location.hash.startsWith('#/logga-in')) {
    sessionStorage.setItem(AFTER_SIGN_IN_KEY, window.location.hash);
    window.location.hash = '#/logga-in';
  }
});

document.getElementById('sign-out').addEventListener('click', async () => {
  await signOut();
  flash('Du är utloggad.');
  window.location.hash = '#/logga-in';
});

// The skip link jumps to the content without touching the hash, which the router owns.
document.getElementById('skip-link').addEventListener('click', (event) => {
  event.preventDefault();
  document.getElementById('huvudinnehall').focus();
});

window.addEventListener('hashchange', route);
route();
