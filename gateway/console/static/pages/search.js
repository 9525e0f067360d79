// #/sok: search the exchange log by person, case, caseworker, client, partner, operation, outcome
// and period; newest first, a page at a time (cursor paging).
import {postJson} from '../api.js';
import {h, field, clear, announce} from '../dom.js';
import {errorRegion, showProblem, clearProblem} from '../errors.js';
import {OPERATIONS, OUTCOME_SUGGESTIONS, outcomeLabel, stockholmDayStart} from '../format.js';
import {recordTable} from '../records.js';
import {savedSearch, saveSearch, showPerson} from '../state.js';

const PAGE_SIZES = [25, 50, 100, 200];

function input(id, name, attrs = {}) {
  return h('input', {id, name, type: 'text', autocomplete: 'off', spellcheck: 'false', ...attrs});
}

export async function render(main, {isCurrent}) {
  document.title = 'Sök i granskningsloggen – knutpunkt';
  const controls = {
    person: input('sok-person', 'person', {inputmode: 'numeric', placeholder: 'ÅÅÅÅMMDD-NNNN'}),
    case_id: input('sok-arende', 'case_id'),
    caseworker: input('sok-handlaggare', 'caseworker'),
    client: input('sok-klient', 'client'),
    partner: input('sok-partner', 'partner'),
    operation: h('select', {id: 'sok-operation', name: 'operation'},
      h('option', {value: ''}, 'Alla'),
      OPERATIONS.map(([value, label]) => h('option', {value}, label))),
    outcome: input('sok-utfall', 'outcome', {list: 'utfall-forslag'}),
    since: h('input', {id: 'sok-fran', name: 'since', type: 'date'}),
    until: h('input', {id: 'sok-till', name: 'until', type: 'date'}),
    limit: h('select', {id: 'sok-antal', name: 'limit'},
      PAGE_SIZES.map((n) => h('option', {value: String(n), selected: n === 50}, String(n)))),
  };
  const fields = {
    person: {label: 'Personnummer eller samordningsnummer', input: controls.person},
    case_id: {label: 'Ärende', input: controls.case_id},
    caseworker: {label: 'Handläggare', input: controls.caseworker},
    client: {label: 'Klient (verksamhetssystem)', input: controls.client},
    partner: {label: 'Partner', input: controls.partner},
    operation: {label: 'Typ av utbyte', input: controls.operation},
    outcome: {label: 'Utfall', input: controls.outcome},
    since: {label: 'Från och med', input: controls.since},
    until: {label: 'Till och med', input: controls.until},
    limit: {label: 'Poster per sida', input: controls.limit},
    cursor: {label: 'Sida'},
  };

  const problems = errorRegion();
  const results = h('section', {class: 'results', 'aria-labelledby': 'sok-resultat-rubrik', hidden: true});
  const personTimeline = h('button', {type: 'button', class: 'button button--secondary', id: 'sok-persontidslinje'},
    'Visa personens tidslinje');
  personTimeline.addEventListener('click', () => {
    const person = controls.person.value.trim();
    if (!person) {
      showProblem(problems, {status: 400, code: 'invalid_request', invalidParams: [{name: 'person', code: 'required'}]},
        fields, 'Ingen person vald').focus();
      return;
    }
    showPerson(person);
  });

  const form = h('form', {class: 'form search-form', novalidate: true, role: 'search', 'aria-label': 'Sök i granskningsloggen'},
    h('div', {class: 'grid'},
      field(fields.person.label, controls.person, 'Alla format godtas, även 10 siffror.'),
      field(fields.case_id.label, controls.case_id),
      field(fields.caseworker.label, controls.caseworker),
      field(fields.client.label, controls.client),
      field(fields.partner.label, controls.partner),
      field(fields.operation.label, controls.operation),
      field(fields.outcome.label, controls.outcome, 't.ex. refused, complete, delivered'),
      field(fields.since.label, controls.since),
      field(fields.until.label, controls.until),
      field(fields.limit.label, controls.limit)),
    h('datalist', {id: 'utfall-forslag'},
      OUTCOME_SUGGESTIONS.map((value) => h('option', {value}, outcomeLabel(value)))),
    h('div', {class: 'actions'},
      h('button', {type: 'submit', class: 'button'}, 'Sök'),
      personTimeline,
      h('button', {type: 'reset', class: 'button button--quiet'}, 'Rensa')));

  // pages[i] = the cursor that fetches page i (null = the newest).
  let state = {filters: {}, pages: [null], page: 0};

  function filtersFromForm() {
    const f = {};
    for (const key of ['person', 'case_id', 'caseworker', 'client', 'partner', 'operation', 'outcome', 'limit']) {
      f[key] = controls[key].value.trim();
    }
    f.since_date = controls.since.value;
    f.until_date = controls.until.value;
    return f;
  }

  function fillForm(filters) {
    for (const key of ['person', 'case_id', 'caseworker', 'client', 'partner', 'operation', 'outcome', 'limit']) {
      if (filters[key] !== undefined) controls[key].value = filters[key];
    }
    controls.since.value = filters.since_date ?? '';
    controls.until.value = filters.until_date ?? '';
  }

  async function load() {
    clearProblem(problems, fields);
    const f = state.filters;
    if (f.since_date && f.until_date && f.since_date > f.until_date) {
      showProblem(problems, {status: 400, code: 'invalid_request', invalidParams: [{name: 'since', code: 'reversed'}]},
        fields, 'Sökningen kunde inte göras').focus();
      return;
    }
    // The filters go in the body, never the URL: a personnummer in a URL ends up in proxy logs.
    const filters = {
      person: f.person, case_id: f.case_id, caseworker: f.caseworker, client: f.client, partner: f.partner,
      operation: f.operation, outcome: f.outcome, limit: f.limit ? Number(f.limit) : undefined,
      since: stockholmDayStart(f.since_date), until: stockholmDayStart(f.until_date, 1),
      cursor: state.pages[state.page] ?? undefined,
    };
    const body = Object.fromEntries(Object.entries(filters).filter(([, v]) => v !== undefined && v !== null && v !== ''));
    results.setAttribute('aria-busy', 'true');
    let answer;
    try {
      answer = await postJson('/v1/audit/records/search', body);
    } catch (error) {
      results.removeAttribute('aria-busy');
      if (!isCurrent()) return;
      if (error.status !== 401) showProblem(problems, error, fields, 'Sökningen kunde inte göras').focus();
      return;
    } finally {
      results.removeAttribute('aria-busy');
    }
    if (!isCurrent()) return;
    if (answer.has_more && answer.next_cursor !== null && answer.next_cursor !== undefined) {
      state.pages[state.page + 1] = String(answer.next_cursor);
      state.pages.length = state.page + 2;
    } else {
      state.pages.length = state.page + 1;
    }
    saveSearch(state);
    showResults(answer.records ?? [], Boolean(answer.has_more));
  }

  function showResults(records, hasMore) {
    clear(results);
    results.hidden = false;
    const size = Number(state.filters.limit) || 50;
    const first = state.page * size + 1;
    const summary = records.length === 0
      ? 'Inga poster matchar sökningen.'
      : `Sida ${state.page + 1}: poster ${first}–${first + records.length - 1}, nyast först.${hasMore ? ' Det finns fler.' : ''}`;
    const previous = h('button', {type: 'button', class: 'button button--secondary', disabled: state.page === 0},
      'Föregående sida');
    const next = h('button', {type: 'button', class: 'button button--secondary', disabled: !hasMore}, 'Nästa sida');
    previous.addEventListener('click', () => { state.page -= 1; load().then(() => results.querySelector('h2')?.focus()); });
    next.addEventListener('click', () => { state.page += 1; load().then(() => results.querySelector('h2')?.focus()); });
    results.append(
      h('h2', {id: 'sok-resultat-rubrik', tabindex: '-1'}, 'Träffar'),
      h('p', {class: 'result-summary', role: 'status'}, summary),
      records.length ? recordTable(records, `Poster i granskningsloggen, sida ${state.page + 1}`) : null,
      records.length || state.page > 0
        ? h('nav', {class: 'pager', 'aria-label': 'Sidor med träffar'}, previous, h('span', {}, `Sida ${state.page + 1}`), next)
        : null);
    announce(summary);
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    state = {filters: filtersFromForm(), pages: [null], page: 0};
    load();
  });
  form.addEventListener('reset', () => {
    clearProblem(problems, fields);
    clear(results);
    results.hidden = true;
    state = {filters: {}, pages: [null], page: 0};
    saveSearch(null);
  });

  main.append(h('div', {class: 'page'},
    h('h1', {tabindex: '-1'}, 'Sök i granskningsloggen'),
    h('p', {class: 'lead'}, 'Vem hämtade eller skickade uppgifter om vem, när, i vilket ärende, med vilket syfte och lagstöd. Alla fält är frivilliga.'),
    problems, form, results));

  const saved = savedSearch();
  if (saved?.filters && Object.keys(saved.filters).length) {
    state = {filters: saved.filters, pages: saved.pages?.length ? saved.pages : [null], page: saved.page ?? 0};
    fillForm(state.filters);
    await load();
  }
}
