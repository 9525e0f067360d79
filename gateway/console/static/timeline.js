// A timeline: how many records, over what span, and the record table oldest first.
import {h} from './dom.js';
import {formatTime} from './format.js';
import {recordTable} from './records.js';

const MAX_TIMELINE = 2000;  // the API's cap (the audit timelines)

export function timeline(records, caption, truncated) {
  if (!records.length) return h('p', {class: 'result-summary', role: 'status'}, 'Det finns inga poster.');
  const span = `${records.length} poster, från ${formatTime(records[0].recorded_at)} till ${formatTime(records.at(-1).recorded_at)}.`;
  return h('div', {class: 'timeline'},
    h('p', {class: 'result-summary', role: 'status'}, span),
    truncated || records.length >= MAX_TIMELINE
      ? h('p', {class: 'notice'}, `Bara de första ${MAX_TIMELINE} posterna visas. Avgränsa med en period under Sök för att se resten.`)
      : null,
    recordTable(records, caption));
}
