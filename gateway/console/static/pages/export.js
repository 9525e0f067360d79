// #/export: a signed export of one contiguous part of the audit log (a period, or a range of
// sequence numbers), as JSON Lines or CSV, with the manifest that lets anyone verify it offline:
// `knutpunkt audit verify --export FILE --public-key KEY`.
import {download, postJson} from '../api.js';
import {h, field, clear, announce} from '../dom.js';
import {errorRegion, showProblem, clearProblem} from '../errors.js';
import {formatTime, stockholmDate, stockholmDayStart} from '../format.js';

const FORMATS = [
  ['jsonl', 'JSON Lines', 'En post per rad, precis som i loggen. För verifiering och vidare bearbetning.'],
  ['csv', 'CSV', 'För kalkylprogram (komma som avgränsare, UTF-8). I Excel: Data → Från text/CSV.'],
];

function fact(term, value) {
  if (value === undefined || value === null || value === '') return null;
  return [h('dt', {}, term), h('dd', {}, value)];
}

function downloadLink(path, fallbackName, text, problems, onDownloaded = () => {}) {
  // A real link (keyboard, screen readers, the path visible) whose click fetches with the
  // session's token: the file cannot be fetched without it.
  const link = h('a', {href: path, class: 'download', 'data-download': fallbackName}, text);
  link.addEventListener('click', async (event) => {
    event.preventDefault();
    clearProblem(problems);
    try {
      const got = await download(path, fallbackName);
      onDownloaded(got.name);
      announce(`${got.name} hämtad.`);
    } catch (error) {
      if (error.status !== 401) showProblem(problems, error, {}, 'Filen kunde inte hämtas').focus();
    }
  });
  return link;
}

// The manifest as the gateway writes it (audit_export/export_manifest.h): file, records and
// log_head are objects.
function manifestFacts(answer) {
  const m = answer.manifest ?? {};
  const file = m.file ?? {};
  const records = m.records ?? {};
  const head = m.log_head ?? {};
  return {
    fileName: file.name || `${answer.export_id}.${answer.format}`,
    fileSha256: file.sha256,
    count: records.count ?? answer.records,
    firstSeq: records.first_seq ?? answer.first_seq,
    lastSeq: records.last_seq ?? answer.last_seq,
    lastHash: records.last_hash,
    earliest: records.earliest_recorded_at,
    latest: records.latest_recorded_at,
    headSeq: head.seq,
    headHash: head.hash,
    keyId: m.key_id,
    algorithm: m.signature_algorithm,
    exportedBy: m.exported_by,
    exportedAt: m.exported_at,
  };
}

function verifyCommand(fileName) {
  return `knutpunkt audit verify --export ${fileName} --public-key export.pub`;
}

function resultView(answer, problems) {
  const m = manifestFacts(answer);
  const command = h('pre', {class: 'command', tabindex: '0'}, verifyCommand(m.fileName));
  // The browser saves the file under the name the gateway gives it; the command shows that name.
  const showSavedName = (name) => { command.textContent = verifyCommand(name); };
  return h('div', {class: 'export-result'},
    h('ul', {class: 'downloads'},
      h('li', {}, downloadLink(answer.file, m.fileName, `Ladda ner exportfilen (${answer.format === 'csv' ? 'CSV' : 'JSON Lines'})`, problems, showSavedName)),
      h('li', {}, downloadLink(answer.manifest_file, `${m.fileName}.manifest.json`, 'Ladda ner det signerade manifestet', problems))),
    h('h3', {}, 'Manifestet'),
    h('dl', {class: 'facts facts--wide', id: 'export-manifest'},
      fact('Format', answer.format === 'csv' ? 'CSV' : 'JSON Lines'),
      fact('Antal poster', String(m.count ?? '')),
      fact('Poster (sekvensnummer)', `${m.firstSeq} – ${m.lastSeq}`),
      fact('Registrerade', m.earliest ? `${formatTime(m.earliest)} – ${formatTime(m.latest)}` : null),
      fact('Sista exporterade postens hash', m.lastHash ? h('code', {class: 'hash'}, m.lastHash) : null),
      fact('Loggens huvud vid exporten', m.headSeq !== undefined
        ? [`post ${m.headSeq}, hash `, h('code', {class: 'hash', id: 'export-head-hash'}, m.headHash ?? '')] : null),
      fact('Filens SHA-256', m.fileSha256 ? h('code', {class: 'hash'}, m.fileSha256) : null),
      fact('Signeringsnyckel (nyckel-id)', m.keyId ? h('code', {id: 'export-key-id'}, m.keyId) : null),
      fact('Signatur', m.algorithm),
      fact('Exporterad av', m.exportedBy),
      fact('Exporterad', m.exportedAt ? formatTime(m.exportedAt) : null)),
    h('h3', {}, 'Så verifierar du exporten på en annan dator'),
    h('p', {}, 'Spara filen och manifestet i samma mapp och kör, med gatewayns publika nyckel:'),
    command,
    h('p', {}, 'Verifieringen visar om exporten är komplett och oförändrad för sitt intervall. Filen innehåller personuppgifter: förvara den skyddat.'));
}

export async function render(main) {
  document.title = 'Export – knutpunkt';
  const problems = errorRegion();
  const results = h('section', {class: 'results', 'aria-labelledby': 'export-resultat-rubrik', hidden: true});
  const formatChoices = FORMATS.map(([value, label, hint], i) => h('div', {class: 'choice'},
    h('input', {type: 'radio', name: 'format', id: `export-format-${value}`, value, checked: i === 0,
      'aria-describedby': `export-format-${value}-hint`}),
    h('label', {for: `export-format-${value}`}, label),
    h('p', {class: 'field__hint', id: `export-format-${value}-hint`}, hint)));
  const since = h('input', {id: 'export-fran', name: 'since', type: 'date', value: stockholmDate(-30)});
  const until = h('input', {id: 'export-till', name: 'until', type: 'date', value: stockholmDate(0)});
  const fromSeq = h('input', {id: 'export-fran-post', name: 'from_seq', type: 'number', min: '1', inputmode: 'numeric'});
  const toSeq = h('input', {id: 'export-till-post', name: 'to_seq', type: 'number', min: '1', inputmode: 'numeric'});
  const fields = {
    format: {label: 'Format', input: formatChoices[0].querySelector('input')},
    since: {label: 'Från och med', input: since}, until: {label: 'Till och med', input: until},
    from_seq: {label: 'Från post', input: fromSeq}, to_seq: {label: 'Till post', input: toSeq},
  };
  const submit = h('button', {type: 'submit', class: 'button'}, 'Skapa export');
  const form = h('form', {class: 'form', novalidate: true, 'aria-label': 'Skapa export'},
    h('fieldset', {class: 'choices'}, h('legend', {}, 'Format'), formatChoices),
    h('fieldset', {class: 'period'}, h('legend', {}, 'Period'),
      h('p', {class: 'field__hint'}, 'Exporten omfattar alltid en obruten del av loggen, så att den kan verifieras. Filtrera i kalkylprogrammet efteråt.'),
      h('div', {class: 'grid grid--two'}, field(fields.since.label, since), field(fields.until.label, until))),
    h('details', {class: 'advanced'},
      h('summary', {}, 'Avgränsa med sekvensnummer i stället'),
      h('p', {class: 'field__hint'}, 'Fyll i båda och töm datumfälten ovan.'),
      h('div', {class: 'grid grid--two'}, field(fields.from_seq.label, fromSeq), field(fields.to_seq.label, toSeq))),
    h('div', {class: 'actions'}, submit));

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearProblem(problems, fields);
    const body = {format: form.querySelector('input[name="format"]:checked')?.value ?? 'jsonl'};
    if (fromSeq.value || toSeq.value) {
      if (since.value || until.value) {
        showProblem(problems, {status: 400, code: 'invalid_request', invalidParams: [{name: 'from_seq', code: 'conflict'}]},
          fields, 'Exporten kunde inte skapas').focus();
        return;
      }
      if (fromSeq.value) body.from_seq = Number(fromSeq.value);
      if (toSeq.value) body.to_seq = Number(toSeq.value);
    } else {
      if (since.value && until.value && since.value > until.value) {
        showProblem(problems, {status: 400, code: 'invalid_request', invalidParams: [{name: 'since', code: 'reversed'}]},
          fields, 'Exporten kunde inte skapas').focus();
        return;
      }
      if (since.value) body.since = stockholmDayStart(since.value);
      if (until.value) body.until = stockholmDayStart(until.value, 1);
    }
    submit.disabled = true;
    submit.textContent = 'Skapar export…';
    let answer;
    try {
      answer = await postJson('/v1/audit/exports', body);
    } catch (error) {
      if (error.status !== 401) showProblem(problems, error, fields, 'Exporten kunde inte skapas').focus();
      return;
    } finally {
      submit.disabled = false;
      submit.textContent = 'Skapa export';
    }
    clear(results);
    results.hidden = false;
    results.append(h('h2', {id: 'export-resultat-rubrik', tabindex: '-1'},
      `Exporten är klar: ${answer.records} poster (post ${answer.first_seq}–${answer.last_seq})`),
    resultView(answer, problems));
    results.querySelector('h2').focus();
    announce(`Exporten är klar: ${answer.records} poster.`);
  });

  main.append(h('div', {class: 'page'},
    h('h1', {tabindex: '-1'}, 'Export'),
    h('p', {class: 'lead'}, 'Ta ut en del av granskningsloggen med ett signerat manifest, så att den kan verifieras offline utan knutpunkt.'),
    problems, form, results));
}
