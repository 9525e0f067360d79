// #/person: one person's whole exchange history, oldest first. The personnummer comes from the
// search form or this page's own field and is kept in the tab's memory, never in the URL.
import {postJson} from '../api.js';
import {h, field, clear, announce} from '../dom.js';
import {errorRegion, showProblem, clearProblem} from '../errors.js';
import {formatPersonId} from '../format.js';
import {timeline} from '../timeline.js';
import {selectedPerson, selectPerson} from '../state.js';

export async function render(main, {isCurrent}) {
  document.title = 'Personens tidslinje – knutpunkt';
  const person = h('input', {id: 'person-nummer', name: 'person', type: 'text', inputmode: 'numeric',
    autocomplete: 'off', spellcheck: 'false', placeholder: 'ÅÅÅÅMMDD-NNNN', value: selectedPerson()});
  const fields = {person: {label: 'Personnummer eller samordningsnummer', input: person}};
  const problems = errorRegion();
  const results = h('section', {class: 'results', 'aria-labelledby': 'person-resultat-rubrik', hidden: true});
  const form = h('form', {class: 'form form--inline', novalidate: true, 'aria-label': 'Välj person'},
    field(fields.person.label, person),
    h('div', {class: 'actions'}, h('button', {type: 'submit', class: 'button'}, 'Visa tidslinje')));

  async function load() {
    clearProblem(problems, fields);
    const wanted = person.value.trim();
    if (!wanted) {
      showProblem(problems, {status: 400, code: 'invalid_request', invalidParams: [{name: 'person', code: 'required'}]},
        fields, 'Ingen person vald').focus();
      return;
    }
    selectPerson(wanted);
    let answer;
    try {
      answer = await postJson('/v1/audit/persons/timeline', {person: wanted});
    } catch (error) {
      if (isCurrent() && error.status !== 401) showProblem(problems, error, fields, 'Tidslinjen kunde inte visas').focus();
      return;
    }
    if (!isCurrent()) return;
    clear(results);
    results.hidden = false;
    const who = formatPersonId(answer.person ?? wanted);
    results.append(h('h2', {id: 'person-resultat-rubrik', tabindex: '-1'}, `Tidslinje för ${who}`),
      timeline(answer.records ?? [], `Poster om ${who}, äldst först`, answer.truncated));
    announce(`${(answer.records ?? []).length} poster om ${who}.`);
  }

  form.addEventListener('submit', (event) => { event.preventDefault(); load(); });
  main.append(h('div', {class: 'page'},
    h('h1', {tabindex: '-1'}, 'Personens tidslinje'),
    h('p', {class: 'lead'}, 'Alla utbyten om en person: uppslag, anvisningar, samtycken, underrättelser och nekade försök, äldst först.'),
    problems, form, results));
  if (person.value) await load();
}
