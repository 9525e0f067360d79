// #/arende/<ärende>[?klient=<klient>]: everything exchanged in one case, oldest first: what was
// looked up, what was sent to Jobbtorg and what came back. Case ids are the case system's own
// (not personal data), so they may stand in the URL; the client names whose case it is.
import {getJson} from '../api.js';
import {h, field, clear, announce} from '../dom.js';
import {errorRegion, showProblem, clearProblem} from '../errors.js';
import {timeline} from '../timeline.js';
import {caseHref} from '../records.js';

export async function render(main, {rest, query, isCurrent}) {
  const caseId = rest.join('/');
  const client = query.get('klient') ?? '';
  document.title = caseId ? `Ärende ${caseId} – knutpunkt` : 'Ärendets tidslinje – knutpunkt';
  const caseInput = h('input', {id: 'arende-id', name: 'case_id', type: 'text', autocomplete: 'off', spellcheck: 'false',
    value: caseId});
  const clientInput = h('input', {id: 'arende-klient', name: 'client', type: 'text', autocomplete: 'off',
    spellcheck: 'false', value: client});
  const fields = {case_id: {label: 'Ärende', input: caseInput}, client: {label: 'Klient (verksamhetssystem)', input: clientInput}};
  const problems = errorRegion();
  const results = h('section', {class: 'results', 'aria-labelledby': 'arende-resultat-rubrik', hidden: true});
  const form = h('form', {class: 'form form--inline', novalidate: true, 'aria-label': 'Välj ärende'},
    field(fields.case_id.label, caseInput),
    field(fields.client.label, clientInput, 'Frivilligt. Ärendenummer är verksamhetssystemets egna.'),
    h('div', {class: 'actions'}, h('button', {type: 'submit', class: 'button'}, 'Visa tidslinje')));

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    clearProblem(problems, fields);
    const wanted = caseInput.value.trim();
    if (!wanted) {
      showProblem(problems, {status: 400, code: 'invalid_request', invalidParams: [{name: 'case_id', code: 'required'}]},
        fields, 'Inget ärende valt').focus();
      return;
    }
    window.location.hash = caseHref(wanted, clientInput.value.trim());
  });

  main.append(h('div', {class: 'page'},
    h('h1', {tabindex: '-1'}, caseId ? `Ärende ${caseId}` : 'Ärendets tidslinje'),
    h('p', {class: 'lead'}, 'Alla utbyten i ett ärende, äldst först: uppslag, anvisningar till Jobbtorg och deras rapporter, samtycken och nekade försök.'),
    problems, form, results));
  if (!caseId) return;

  let answer;
  try {
    answer = await getJson(`/v1/audit/cases/${encodeURIComponent(caseId)}/timeline`, {client});
  } catch (error) {
    if (isCurrent() && error.status !== 401) showProblem(problems, error, fields, 'Tidslinjen kunde inte visas');
    return;
  }
  if (!isCurrent()) return;
  const records = answer.records ?? [];
  results.hidden = false;
  clear(results);
  results.append(h('h2', {id: 'arende-resultat-rubrik'}, client ? `Tidslinje (klient ${client})` : 'Tidslinje'),
    timeline(records, `Poster i ärende ${caseId}, äldst först`, answer.truncated));
  announce(`${records.length} poster i ärende ${caseId}.`);
}
