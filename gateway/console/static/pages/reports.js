// #/loggkontroller: the log checks (loggkontroll) the gateway offers, run over a period the
// auditor picks (default the last 30 days), each answered as a table.
import {getJson} from '../api.js';
import {h, field, clear, announce, uniqueId} from '../dom.js';
import {errorRegion, showProblem, clearProblem} from '../errors.js';
import {formatDate, formatPersonId, formatTime, kindLabel, outcomeLabel, reasonLabel, stockholmDate, stockholmDayStart}
  from '../format.js';
import {caseHref} from '../records.js';

const numberFormat = new Intl.NumberFormat('sv-SE', {maximumFractionDigits: 1});

function cell(key, value, row) {
  if (value === null || value === undefined || value === '') return '–';
  switch (key) {
    case 'recorded_at':
    case 'latest':
    case 'first':
      return h('time', {datetime: String(value)}, formatTime(value));
    case 'person':
      return h('span', {class: 'pnr'}, formatPersonId(value));
    case 'case_id':
      return h('a', {href: caseHref(value, row.client)}, String(value));
    case 'kind':
      return h('span', {title: String(value)}, kindLabel(value));
    case 'reason':
      return [reasonLabel(value), ' ', h('code', {}, String(value))];
    case 'outcome':
      return outcomeLabel(value);
    default:
      if (typeof value === 'number') return numberFormat.format(value);
      if (typeof value === 'object') return JSON.stringify(value);
      return String(value);
  }
}

function reportTable(report) {
  const columns = report.columns ?? [];
  const rows = report.rows ?? [];
  const numeric = new Set(columns.filter((c) => rows.some((r) => typeof r[c.key] === 'number') && c.key !== 'seq')
    .map((c) => c.key));
  return h('div', {class: 'table-scroll', role: 'region', 'aria-label': report.title, tabindex: '0'},
    h('table', {class: 'report'},
      h('caption', {}, `${report.title}: ${rows.length} ${rows.length === 1 ? 'rad' : 'rader'}`),
      h('thead', {}, h('tr', {}, columns.map((c) => h('th', {scope: 'col', class: numeric.has(c.key) ? 'num' : null}, c.title)))),
      h('tbody', {}, rows.map((row) => h('tr', {},
        columns.map((c, i) => h(i === 0 ? 'th' : 'td', {scope: i === 0 ? 'row' : null, class: numeric.has(c.key) ? 'num' : null},
          cell(c.key, row[c.key], row))))))));
}

export async function render(main, {isCurrent}) {
  document.title = 'Loggkontroller – knutpunkt';
  const problems = errorRegion();
  const results = h('section', {class: 'results', 'aria-labelledby': 'kontroll-resultat-rubrik', hidden: true});
  const page = h('div', {class: 'page'},
    h('h1', {tabindex: '-1'}, 'Loggkontroller'),
    h('p', {class: 'lead'}, 'Systematisk uppföljning av åtkomst: slagningar utan öppet ärende, på personer med skyddad identitet, ovanliga volymer, användning utanför kontorstid, nekade utbyten och samtyckesbaserade utbyten utan giltigt samtycke.'),
    problems);
  main.append(page);

  let list;
  try {
    list = (await getJson('/v1/audit/reports')).reports ?? [];
  } catch (error) {
    if (isCurrent() && error.status !== 401) showProblem(problems, error, {}, 'Loggkontrollerna kunde inte hämtas');
    return;
  }
  if (!isCurrent()) return;

  const radios = list.map((report, i) => {
    const id = `kontroll-${report.name}`;
    const hintId = uniqueId('kontroll-beskrivning');
    return h('div', {class: 'choice'},
      h('input', {type: 'radio', name: 'report', id, value: report.name, checked: i === 0, 'aria-describedby': hintId}),
      h('label', {for: id}, report.title),
      h('p', {class: 'field__hint', id: hintId}, report.description));
  });
  const since = h('input', {id: 'kontroll-fran', name: 'since', type: 'date', value: stockholmDate(-30)});
  const until = h('input', {id: 'kontroll-till', name: 'until', type: 'date', value: stockholmDate(0)});
  const fields = {since: {label: 'Från och med', input: since}, until: {label: 'Till och med', input: until}};
  const submit = h('button', {type: 'submit', class: 'button'}, 'Kör loggkontroll');
  const form = h('form', {class: 'form', novalidate: true, 'aria-label': 'Kör loggkontroll'},
    h('fieldset', {class: 'choices'}, h('legend', {}, 'Loggkontroll'), radios),
    h('fieldset', {class: 'period'}, h('legend', {}, 'Period'),
      h('div', {class: 'grid grid--two'}, field(fields.since.label, since), field(fields.until.label, until))),
    h('div', {class: 'actions'}, submit));

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearProblem(problems, fields);
    const chosen = form.querySelector('input[name="report"]:checked');
    if (!chosen) return;
    if (since.value && until.value && since.value > until.value) {
      showProblem(problems, {status: 400, code: 'invalid_query', invalidParams: [{name: 'since', code: 'reversed'}]},
        fields, 'Loggkontrollen kunde inte köras').focus();
      return;
    }
    submit.disabled = true;
    results.setAttribute('aria-busy', 'true');
    let report;
    try {
      report = await getJson(`/v1/audit/reports/${encodeURIComponent(chosen.value)}`,
        {since: stockholmDayStart(since.value), until: stockholmDayStart(until.value, 1)});
    } catch (error) {
      if (isCurrent() && error.status !== 401) showProblem(problems, error, fields, 'Loggkontrollen kunde inte köras').focus();
      return;
    } finally {
      submit.disabled = false;
      results.removeAttribute('aria-busy');
    }
    if (!isCurrent()) return;
    clear(results);
    results.hidden = false;
    const rows = report.rows ?? [];
    const summary = `Period ${formatDate(report.since)} – ${formatDate(report.until, true)}. ${rows.length === 0 ? 'Inga träffar.' : `${rows.length} ${rows.length === 1 ? 'träff' : 'träffar'}.`} Körd ${formatTime(report.generated_at)}.`;
    results.append(
      h('h2', {id: 'kontroll-resultat-rubrik', tabindex: '-1'}, report.title),
      h('p', {class: 'result-summary', role: 'status'}, summary),
      rows.length ? reportTable(report) : null);
    results.querySelector('h2').focus();
    announce(`${report.title}: ${summary}`);
  });

  page.append(form, results);
}
