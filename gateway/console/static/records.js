// The table of audit records shared by the search and the timelines: one row per record, the
// columns an auditor scans (tid, händelse, utfall, handläggare, klient, ärende, partner), and a
// detail row per record with the facts that answer "why" (syfte, lagtext, rättslig grund) and
// the whole audit body as it was recorded.
import {h, uniqueId} from './dom.js';
import {formatPersonId, formatTime, kindLabel, legalGroundLabel, outcomeLabel, reasonLabel} from './format.js';
import {showPerson} from './state.js';

export function caseHref(caseId, client) {
  const query = client ? `?klient=${encodeURIComponent(client)}` : '';
  return `#/arende/${encodeURIComponent(caseId)}${query}`;
}

function isProtected(record) {
  const body = record.body ?? {};
  return body.protected_identity === true || body.protected === true;
}

// Outcomes an auditor should notice at a glance.
const WARN_OUTCOMES = new Set(['refused', 'failed', 'partial', 'dead_lettered', 'held_for_manual_handling']);

function outcomeCell(record) {
  const outcome = record.outcome ?? '';
  const refused = WARN_OUTCOMES.has(outcome) || Boolean(record.reason);
  return h('td', {},
    outcome ? h('span', {class: refused ? 'badge badge--warn' : 'badge'}, outcomeLabel(outcome)) : '',
    record.reason ? h('span', {class: 'reason'}, ' ', reasonLabel(record.reason)) : null);
}

function personButtons(persons) {
  if (!persons?.length) return '–';
  return h('ul', {class: 'inline-list'}, persons.map((p) => h('li', {},
    h('span', {class: 'pnr'}, formatPersonId(p)), ' ',
    h('button', {type: 'button', class: 'button button--link', onclick: () => showPerson(p)},
      'Visa personens tidslinje', h('span', {class: 'visually-hidden'}, ` för ${formatPersonId(p)}`)))));
}

function fact(term, value) {
  if (value === undefined || value === null || value === '') return null;
  return [h('dt', {}, term), h('dd', {}, value)];
}

function detail(record) {
  const body = record.body ?? {};
  const period = body.period && (body.period.from || body.period.to)
    ? `${body.period.from ?? ''} – ${body.period.to ?? ''}` : null;
  const caseworker = body.caseworker && typeof body.caseworker === 'object'
    ? [body.caseworker.id, body.caseworker.unit].filter(Boolean).join(', ') : null;
  return h('div', {class: 'record-detail'},
    h('dl', {class: 'facts'},
      fact('Post (sekvensnummer)', String(record.seq)),
      fact('Registrerad', formatTime(record.recorded_at)),
      fact('Händelsetyp', h('code', {}, record.kind)),
      fact('Personer', personButtons(record.persons)),
      fact('Handläggare och enhet', caseworker),
      fact('Syfte', body.purpose),
      fact('Lagtext', body.legal_basis),
      fact('Rättslig grund', body.legal_ground ? legalGroundLabel(body.legal_ground) : null),
      fact('Period', period),
      fact('Skyddad identitet', isProtected(record) ? 'Ja – adress- och platsuppgifter lämnades inte ut' : null),
      fact('Skäl', record.reason ? `${reasonLabel(record.reason)} (${record.reason})` : null)),
    h('h4', {class: 'record-detail__title'}, 'Hela posten i granskningsloggen'),
    h('pre', {class: 'record-body', tabindex: '0', 'aria-label': `Post ${record.seq} i sin helhet`},
      JSON.stringify(body, null, 2)));
}

// `caption` names the table for screen readers and on screen.
export function recordTable(records, caption) {
  const table = h('table', {class: 'records'},
    h('caption', {}, caption),
    h('thead', {}, h('tr', {},
      ['Tid', 'Händelse', 'Utfall', 'Handläggare', 'Klient', 'Ärende', 'Partner', 'Detaljer']
        .map((title) => h('th', {scope: 'col'}, title)))));
  const tbody = h('tbody');
  for (const record of records) {
    const detailId = uniqueId('post');
    const toggle = h('button', {
      type: 'button', class: 'button button--small', 'aria-expanded': 'false', 'aria-controls': detailId,
    }, 'Visa', h('span', {class: 'visually-hidden'}, ` post ${record.seq}`));
    const detailRow = h('tr', {class: 'records__detail', id: detailId, hidden: true},
      h('td', {colspan: '8'}, detail(record)));
    toggle.addEventListener('click', () => {
      const open = toggle.getAttribute('aria-expanded') !== 'true';
      toggle.setAttribute('aria-expanded', String(open));
      toggle.firstChild.textContent = open ? 'Dölj' : 'Visa';
      detailRow.hidden = !open;
    });
    tbody.append(
      h('tr', {class: 'records__row', dataset: {seq: String(record.seq)}},
        h('th', {scope: 'row', class: 'nowrap'}, h('time', {datetime: record.recorded_at}, formatTime(record.recorded_at))),
        h('td', {}, h('span', {title: record.kind}, kindLabel(record.kind)),
          isProtected(record) ? [' ', h('span', {class: 'badge badge--protected'}, 'Skyddad identitet')] : null),
        outcomeCell(record),
        h('td', {}, record.caseworker || '–'),
        h('td', {class: 'nowrap'}, record.client || '–'),
        h('td', {class: 'nowrap'}, record.case_id ? h('a', {href: caseHref(record.case_id, record.client)}, record.case_id) : '–'),
        h('td', {}, record.partner || '–'),
        h('td', {}, toggle)),
      detailRow);
  }
  table.append(tbody);
  return h('div', {class: 'table-scroll', role: 'region', 'aria-label': caption, tabindex: '0'}, table);
}
