// Seeds the audit log through the gateway's real API, as a case system and the partners would:
// a case with its household, lookups (one of a person with skyddad identitet), refused lookups
// (outside the household, without an open case, over LEFI's two years), a consent, a
// consent-based lookup and a referral to Jobbtorg whose reports come back.
// Writes what it made to OUT_JSON for the browser test to look for.
//
// usage: node seed.mjs BASE_URL OUT_JSON
import {writeFileSync} from 'node:fs';

const [base, out] = process.argv.slice(2);
if (!base || !out) {
  console.error('usage: node seed.mjs BASE_URL OUT_JSON');
  process.exit(2);
}
const TOKEN = 'demo-token-stockholm-ekb';  // config/demo.json: the case system stockholm-ekb
const CASE_ID = 'EB-2026-000123';
const NO_CASE_ID = 'EB-2026-000999';       // never registered: a lookup there is refused (no_open_case)
const UNIT = 'Enskede-Årsta-Vantör, ekonomiskt bistånd';
const PERSON = '19121212-1212';            // Tolvan Tolvansson in the simulators
const PROTECTED = '19811218-9876';         // flagged skyddad by the partners
const OUTSIDE = '19701063-2391';           // a samordningsnummer outside the case's household
const CASEWORKER = {id: 'hand-0042', unit: UNIT};
const OTHER_CASEWORKER = {id: 'hand-0077', unit: UNIT};

// The UTC date `days` from today, YYYY-MM-DD. The gateway holds a consent to its own clock, so the
// seeded one is dated from the day the test runs.
function fromToday(days) {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

async function call(method, path, body, expected, headers = {}) {
  const response = await fetch(base + path, {
    method,
    headers: {Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json', ...headers},
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!expected.includes(response.status)) {
    throw new Error(`${method} ${path}: HTTP ${response.status} (expected ${expected.join(' or ')}): ${text.slice(0, 500)}`);
  }
  return {status: response.status, body: text ? JSON.parse(text) : null};
}

function lookup(person, overrides = {}) {
  return {
    person, case_id: CASE_ID, purpose: 'ekonomiskt_bistand', legal_basis: '11 kap. 11 § SoL; 6 kap. 5 § SoF',
    period: {from: '2026-08-01', to: '2026-10-31'}, sources: ['AF', 'CSN', 'FK', 'SKV'], caseworker: CASEWORKER,
    ...overrides,
  };
}

const seeded = {case_id: CASE_ID, no_case_id: NO_CASE_ID, client: 'stockholm-ekb', person: PERSON, protected_person: PROTECTED,
  outside_person: OUTSIDE, caseworker: CASEWORKER.id, other_caseworker: OTHER_CASEWORKER.id};

await call('PUT', `/v1/cases/${CASE_ID}`, {status: 'open', unit: UNIT, household: [PERSON, PROTECTED]}, [200, 201]);

const first = await call('POST', '/v1/lookups/ssbtek', lookup(PERSON), [200]);
seeded.lookup_id = first.body.lookup_id;
await call('POST', '/v1/lookups/ssbtek', lookup(PROTECTED, {caseworker: OTHER_CASEWORKER}), [200]);
// Refused by the policy step, and audited as such.
await call('POST', '/v1/lookups/ssbtek', lookup(OUTSIDE), [400, 403, 409, 422]);
await call('POST', '/v1/lookups/ssbtek', lookup(PERSON, {case_id: NO_CASE_ID, caseworker: OTHER_CASEWORKER}), [400, 403, 404, 409, 422]);
await call('POST', '/v1/lookups/forsakringskassan', lookup(PERSON, {
  legal_basis: '110 kap. 31 § SFB', period: {from: '2023-11-01', to: '2026-10-31'}, sources: ['FORMANER'],
}), [400, 403, 422]);

const consent = await call('POST', '/v1/consents', {
  person_id: PERSON, partner: 'arbetsformedlingen', information_types: ['INSKRIVNING', 'HANDLINGSPLAN'],
  given_at: fromToday(-14), expires_at: fromToday(182), document_reference: 'SAM-2026-0042', case_id: CASE_ID,
}, [201]);
seeded.consent_id = consent.body.consent_id;
await call('POST', '/v1/lookups/arbetsformedlingen', lookup(PERSON, {
  purpose: 'arbetsmarknadsinsats', legal_basis: 'samtycke (12 kap. 2 § OSL)', period: {from: '2026-05-01', to: '2026-10-31'},
  sources: ['INSKRIVNING', 'HANDLINGSPLAN'],
}), [200]);

// A referral rests on a consent the case system recorded for Jobbtorg.
const referralConsent = await call('POST', '/v1/consents', {
  person_id: PERSON, partner: 'jobbtorg', information_types: ['ANVISNING'],
  given_at: fromToday(-14), expires_at: fromToday(182), document_reference: 'SAM-2026-0042', case_id: CASE_ID,
}, [201]);
const referral = await call('POST', '/v1/referrals', {
  case_id: CASE_ID, municipality: '0180', unit: 'Skärholmen, ekonomiskt bistånd', district: 'skarholmen',
  person_id: PERSON, caseworker: {id: CASEWORKER.id, name: 'Karin Handläggare', phone: '08-508 00 000'},
  purpose: 'arbetsmarknadsinsats', target_group: 'ARBETSFOR_STOD', forsorjningshinder: 'ARBETSLOS_INGEN_ERSATTNING',
  extent_hours_per_week: 20, start_date: '2026-12-01', consent_reference: referralConsent.body.consent_id,
  ib_part1: {completed_on: '2026-11-20', summary: 'Söker arbete inom lager och logistik.'},
}, [202], {'Idempotency-Key': 'browser-test-referral-1'});
seeded.referral_id = referral.body.referral_id;

// Jobbtorg's reports come back on their own; wait (bounded) until the last one is in.
const deadline = Date.now() + 30_000;
seeded.referral_ended = false;
while (Date.now() < deadline) {
  const events = await call('GET', '/v1/events?limit=200', undefined, [200]);
  if ((events.body.events ?? []).some((e) => e.correlation_id === seeded.referral_id && e.type === 'referral.ended')) {
    seeded.referral_ended = true;
    break;
  }
  await new Promise((resolve) => setTimeout(resolve, 250));
}

writeFileSync(out, JSON.stringify(seeded, null, 2));
console.log(`seeded case ${CASE_ID}: lookups, 3 refusals, a consent, referral ${seeded.referral_id} (reports back: ${seeded.referral_ended})`);
