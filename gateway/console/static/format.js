// Swedish words for what the audit log records, and times shown in Swedish time.
// The API speaks UTC (RFC 3339); auditors think in the municipality's local time, so every time
// on screen is Europe/Stockholm, and every date a user types is a Stockholm day.

export const TIME_ZONE = 'Europe/Stockholm';

const timeFormat = new Intl.DateTimeFormat('sv-SE', {
  timeZone: TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit',
  hour: '2-digit', minute: '2-digit', second: '2-digit',
});
const dayFormat = new Intl.DateTimeFormat('sv-SE', {
  timeZone: TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit',
});

// "2026-11-20T13:03:12.123Z" -> "2026-11-20 14:03:12"
export function formatTime(iso) {
  if (!iso) return '';
  const t = Date.parse(iso);
  return Number.isNaN(t) ? String(iso) : timeFormat.format(new Date(t));
}

// The Stockholm date of an instant, "YYYY-MM-DD"; `exclusiveEnd` shows an exclusive bound (the
// next day's midnight) as the last day it covers.
export function formatDate(iso, exclusiveEnd = false) {
  if (!iso) return '';
  const t = Date.parse(iso);
  return Number.isNaN(t) ? String(iso) : dayFormat.format(new Date(exclusiveEnd ? t - 1 : t));
}

// Today's date in Stockholm, "YYYY-MM-DD", shifted by `days`.
export function stockholmDate(days = 0) {
  return dayFormat.format(new Date(Date.now() + days * 86_400_000));
}

// Minutes Stockholm is ahead of UTC at instant `ms`.
function stockholmOffsetMinutes(ms) {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-US', {
    timeZone: TIME_ZONE, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric',
    hour: 'numeric', minute: 'numeric', second: 'numeric',
  }).formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
  const asUtc = Date.UTC(+parts.year, +parts.month - 1, +parts.day, +parts.hour, +parts.minute, +parts.second);
  return Math.round((asUtc - Math.floor(ms / 1000) * 1000) / 60_000);
}

// The UTC instant (RFC 3339) when Stockholm day `date` ("YYYY-MM-DD") begins; `plusDays` moves
// to a later day (an inclusive "till och med" date becomes the next day's start, exclusive).
export function stockholmDayStart(date, plusDays = 0) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date ?? '');
  if (!m) return '';
  const midnightAsUtc = Date.UTC(+m[1], +m[2] - 1, +m[3] + plusDays);
  // Two passes: the offset at the guess may differ from the offset at the answer around DST.
  let t = midnightAsUtc - stockholmOffsetMinutes(midnightAsUtc) * 60_000;
  t = midnightAsUtc - stockholmOffsetMinutes(t) * 60_000;
  return new Date(t).toISOString().replace('.000Z', 'Z');
}

// "191212121212" -> "19121212-1212" (the form a caseworker's papers use).
export function formatPersonId(id) {
  const s = String(id ?? '');
  return /^\d{12}$/.test(s) ? `${s.slice(0, 8)}-${s.slice(8)}` : s;
}

export const OPERATIONS = [
  ['lookup', 'Uppslag (slagning)'],
  ['referral', 'Anvisning'],
  ['atersokning', 'Återsökning'],
  ['sip', 'SIP (samordnad individuell plan)'],
  ['consent', 'Samtycke'],
  ['case', 'Ärende'],
  ['notification', 'Underrättelse från partner'],
  ['delivery', 'Leverans'],
  ['manual_handling', 'Manuell hantering'],
  ['audit', 'Granskning'],
  ['auth', 'Inloggning'],
];

const KINDS = {
  'lookup': 'Uppslag',
  'lookup.refused': 'Uppslag nekat',
  'case.registered': 'Ärende registrerat',
  'case.updated': 'Ärende uppdaterat',
  'case.read': 'Ärende läst',
  'case.refused': 'Ärendeanrop nekat',
  'consent.recorded': 'Samtycke registrerat',
  'consent.withdrawn': 'Samtycke återkallat',
  'consent.read': 'Samtycken lästa',
  'consent.refused': 'Samtyckesanrop nekat',
  'referral.requested': 'Anvisning begärd',
  'referral.sent': 'Anvisning skickad',
  'referral.accepted': 'Anvisning mottagen',
  'referral.refused': 'Anvisning nekad',
  'referral.read': 'Anvisning läst',
  'referral.read_refused': 'Läsning av anvisning nekad',
  'referral.report_received': 'Rapport från partner',
  'referral.report_refused': 'Rapport från partner nekad',
  'referral.report_duplicate': 'Rapport från partner (dubblett)',
  'referral.report_failed': 'Rapport från partner kunde inte tas emot',
  'atersokning.requested': 'Återsökning begärd',
  'atersokning.sent': 'Återsökning skickad',
  'atersokning.refused': 'Återsökning nekad',
  'sip.initiated': 'SIP påbörjad',
  'sip.invited': 'SIP: deltagare kallad',
  'sip.participant_removed': 'SIP: deltagare borttagen',
  'sip.reply_received': 'SIP: svar på kallelse',
  'sip.participant_message_received': 'SIP: meddelande från deltagare',
  'sip.participant_message_refused': 'SIP: meddelande från deltagare nekat',
  'sip.meeting_scheduled': 'SIP: möte bokat',
  'sip.plan_established': 'SIP: plan upprättad',
  'sip.plan_revised': 'SIP: plan reviderad',
  'sip.followed_up': 'SIP: plan följd upp',
  'sip.consent_withdrawn': 'SIP: samtycke återkallat',
  'sip.closed': 'SIP avslutad',
  'sip.meeting_overdue': 'SIP: möte ej hållet i tid',
  'sip.followup_due': 'SIP: uppföljning förfallen',
  'sip.read': 'SIP läst',
  'sip.refused': 'SIP-anrop nekat',
  'partner.notification_received': 'Underrättelse från partner',
  'partner.notification_duplicate': 'Underrättelse från partner (dubblett)',
  'partner.notification_refused': 'Underrättelse från partner nekad',
  'partner.notification_failed': 'Underrättelse från partner kunde inte tas emot',
  'delivery.attempt': 'Leveransförsök',
  'delivery.delivered': 'Levererat',
  'delivery.failed': 'Leverans misslyckad',
  'delivery.dead_lettered': 'Leverans avbruten (död post)',
  'delivery.replayed': 'Leverans körd om',
  'delivery.withheld': 'Leverans stoppad (samtycke återkallat)',
  'manual_handling.read': 'Kö för manuell hantering läst',
  'manual_handling.resolved': 'Manuell hantering avslutad',
  'manual_handling.resolve_refused': 'Avslut av manuell hantering nekat',
  'event_feed.read': 'Händelseflöde läst',
  'event_feed.refused': 'Läsning av händelseflöde nekad',
  'auth.signed_in': 'Inloggning',
  'auth.signed_out': 'Utloggning',
  'auth.refused': 'Inloggning nekad',
  'auth.locked': 'Inloggning spärrad',
  'auth.unlocked': 'Inloggningsspärr hävd',
  'audit.searched': 'Sökning i granskningsloggen',
  'audit.timeline_read': 'Tidslinje visad',
  'audit.report_run': 'Loggkontroll körd',
  'audit.chain_read': 'Kedjans status visad',
  'audit.exported': 'Export skapad',
  'audit.export_failed': 'Export misslyckad',
  'audit.export_downloaded': 'Export hämtad',
  'audit.access_refused': 'Åtkomst till granskning nekad',
  'audit.retention_requested': 'Gallring begärd',
  'audit.retention_approved': 'Gallring godkänd av en andra administratör',
  'audit.retention_applied': 'Gallring genomförd',
  'audit.retention_refused': 'Gallring nekad',
};

export function kindLabel(kind) {
  return KINDS[kind] ?? kind ?? '';
}

// Outcomes as the audit index records them: a lookup's complete/partial, a refusal, or the
// event's own verb (case.registered -> registered).
const OUTCOMES = {
  complete: 'fullständigt svar',
  partial: 'delvis svar',
  refused: 'nekat',
  accepted: 'mottaget',
  delivered: 'levererat',
  failed: 'misslyckat',
  sent: 'skickat',
  requested: 'begärt',
  registered: 'registrerat',
  updated: 'uppdaterat',
  recorded: 'registrerat',
  withdrawn: 'återkallat',
  read: 'läst',
  received: 'mottaget',
  report_received: 'rapport mottagen',
  report_duplicate: 'dubblett',
  duplicate: 'dubblett',
  attempt: 'försök',
  replayed: 'körd om',
  resolved: 'avslutat',
  dead_lettered: 'död post',
  held_for_manual_handling: 'till manuell hantering',
  signed_in: 'inloggad',
  signed_out: 'utloggad',
  searched: 'sökt',
  report_run: 'körd',
  chain_read: 'visad',
  exported: 'exporterat',
  export_downloaded: 'hämtad',
  timeline_read: 'visad',
  retention_requested: 'gallring begärd',
  retention_approved: 'gallring godkänd',
  retention_applied: 'gallrat',
  ok: 'ok',
};

export function outcomeLabel(outcome) {
  return OUTCOMES[outcome] ?? outcome ?? '';
}

export const OUTCOME_SUGGESTIONS = Object.keys(OUTCOMES);

// Refusal codes the policy step and the registries give (the reason column).
const REASONS = {
  no_open_case: 'inget öppet ärende',
  case_closed: 'ärendet är stängt',
  not_in_household: 'personen ingår inte i ärendets hushåll',
  no_consent: 'samtycke saknas',
  consent_out_of_scope: 'samtycket täcker inte detta',
  consent_not_yet_valid: 'samtycket gäller inte än',
  consent_expired: 'samtycket har gått ut',
  consent_withdrawn: 'samtycket är återkallat',
  purpose_not_allowed: 'syftet är inte tillåtet',
  operation_not_allowed: 'åtgärden är inte tillåten för klienten',
  period_too_long: 'perioden är för lång',
  invalid_request: 'ogiltig begäran',
  invalid_credentials: 'fel användarnamn eller lösenord',
  role_not_allowed: 'rollen saknar behörighet',
  unauthenticated: 'inte inloggad',
  after_retention_floor: 'brytdatumet är senare än lagringstiden tillåter',
  kept_for_ever: 'loggen sparas utan gallring',
  four_eyes: 'en annan administratör måste godkänna',
  expired: 'begäran har gått ut',
  already_approved: 'begäran är redan godkänd',
};

export function reasonLabel(reason) {
  return REASONS[reason] ?? reason ?? '';
}

const LEGAL_GROUNDS = {
  law: 'uppgiftsskyldighet enligt lag',
  consent: 'samtycke',
};

export function legalGroundLabel(ground) {
  return LEGAL_GROUNDS[ground] ?? ground ?? '';
}
