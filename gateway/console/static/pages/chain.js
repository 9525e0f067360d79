// #/kedja: is the audit log intact? The gateway re-verifies the hash chain (on its own thread,
// it can take minutes on a large log) and reports the latest result and when it was taken, and
// what gallring has removed: which posts, up to when, and on whose request and approval, so an
// intact chain that rests on a checkpoint is not read as "nothing ever removed".
import {getJson} from '../api.js';
import {h, clear, announce} from '../dom.js';
import {errorRegion, showProblem, clearProblem} from '../errors.js';
import {formatTime} from '../format.js';

const POLL_MS = 1000;
const POLL_LIMIT = 120;

function fact(term, value) {
  return [h('dt', {}, term), h('dd', {}, value)];
}

function who(principal) {
  return String(principal ?? '').replace(/^user:/, '');
}

function weededView(weeded) {
  if (!weeded || !weeded.length) {
    return h('p', {class: 'result-summary'}, 'Ingen gallring syns i kedjan: inga poster har tagits bort.');
  }
  return h('ul', {class: 'weeded'}, ...weeded.map((w) => h('li', {},
    h('dl', {class: 'facts facts--wide'},
      fact('Borttagna poster', `${w.from_seq}–${w.through_seq} (${w.removed_records} st)`),
      fact('Brytdatum', h('time', {datetime: w.removed_before}, formatTime(w.removed_before))),
      w.last_removed_at ? fact('Senast borttagna post registrerad', h('time', {datetime: w.last_removed_at}, formatTime(w.last_removed_at))) : null,
      fact('Gallrat', h('time', {datetime: w.weeded_at}, formatTime(w.weeded_at))),
      w.request
        ? fact('Beslut', `Begärd av ${who(w.request.by)} (post ${w.request.seq}), godkänd av ${who(w.by)} (post ${w.approval_seq})`)
        : fact('Beslut', w.by === 'retention_schedule' ? 'Schemalagd gallring enligt konfigurerad lagringstid' : who(w.by)),
      fact('Gallringspost', `Post ${w.record_seq}`)))));
}

function statusView(chain) {
  const checking = chain.state === 'checking' && chain.intact === undefined;
  let verdict;
  if (checking) {
    verdict = h('p', {class: 'verdict verdict--pending'}, 'Kontroll pågår…');
  } else if (chain.intact === true) {
    verdict = h('p', {class: 'verdict verdict--ok'}, 'Kedjan är obruten: ingen post har ändrats, tagits bort eller lagts in i efterhand.');
  } else if (chain.intact === false) {
    verdict = h('p', {class: 'verdict verdict--broken'}, 'Kedjan är bruten. Loggen kan ha ändrats. Kontakta systemförvaltningen och dataskyddsombudet.');
  } else {
    verdict = h('p', {class: 'verdict verdict--pending'}, 'Kedjan har inte kontrollerats ännu.');
  }
  const problem = chain.first_problem;
  return h('div', {class: 'chain'},
    verdict,
    chain.intact === undefined ? null : h('dl', {class: 'facts facts--wide'},
      fact('Antal poster', String(chain.records ?? '')),
      fact('Senaste post (sekvensnummer)', String(chain.head_seq ?? '')),
      fact('Senaste postens hash', h('code', {class: 'hash'}, chain.head_hash ?? '')),
      fact('Kontrollerad', chain.checked_at ? h('time', {datetime: chain.checked_at}, formatTime(chain.checked_at)) : '–'),
      problem ? fact('Första fel', `Post ${problem.seq}: ${problem.problem}${problem.detail ? ` (${problem.detail})` : ''}`) : null),
    chain.intact === undefined ? null : h('h3', {}, 'Gallring'),
    chain.intact === undefined ? null : weededView(chain.weeded),
    chain.state === 'checking' && chain.intact !== undefined
      ? h('p', {class: 'notice'}, 'En ny kontroll pågår; resultatet ovan är från den förra.') : null,
    chain.error ? h('p', {class: 'notice'}, `Senaste kontrollen kunde inte köras: ${chain.error}`) : null);
}

export async function render(main, {isCurrent}) {
  document.title = 'Kedjans status – knutpunkt';
  const problems = errorRegion();
  const status = h('section', {class: 'results', 'aria-labelledby': 'kedja-status-rubrik', 'aria-live': 'polite'});
  const again = h('button', {type: 'button', class: 'button button--secondary'}, 'Hämta status igen');

  async function load() {
    clearProblem(problems);
    again.disabled = true;
    try {
      for (let i = 0; i < POLL_LIMIT; i += 1) {
        let chain;
        try {
          chain = await getJson('/v1/audit/chain');
        } catch (error) {
          if (isCurrent() && error.status !== 401) showProblem(problems, error, {}, 'Kedjans status kunde inte hämtas');
          return;
        }
        if (!isCurrent()) return;
        clear(status);
        status.append(h('h2', {id: 'kedja-status-rubrik'}, 'Status'), statusView(chain));
        if (chain.state !== 'checking') {
          announce(chain.intact === true ? 'Kedjan är obruten.' : chain.intact === false ? 'Kedjan är bruten.' : 'Kedjan är inte kontrollerad.');
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
    } finally {
      again.disabled = false;
    }
  }
  again.addEventListener('click', load);

  main.append(h('div', {class: 'page'},
    h('h1', {tabindex: '-1'}, 'Kedjans status'),
    h('p', {class: 'lead'}, 'Varje post i granskningsloggen bär en hash av den föregående. Kontrollen räknar om hela kedjan och visar om något har ändrats, tagits bort eller lagts in i efterhand.'),
    problems, status, h('div', {class: 'actions'}, again)));
  await load();
}
