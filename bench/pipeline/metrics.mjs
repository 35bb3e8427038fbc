// The few series of a process's /metrics the pipeline benchmark reads.

const wanted = new Set([
  'db_statements_total',
  'events_published_total',
  'events_consumed_total',
  'invoice_processing_outcomes_total',
]);

/** Samples of the wanted counters: `{ name, labels, value }`. */
export function parseMetrics(text) {
  const samples = [];
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!match || !wanted.has(match[1])) continue;
    const labels = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[key] = value;
    samples.push({ name: match[1], labels, value: Number(match[3]) });
  }
  return samples;
}

/**
 * Only the wanted series, by name: a full scrape would make each process collect every gauge, the
 * outbox backlog among them (a count of unpublished rows per shard), once a second, and charge that
 * to the platform; Prometheus scrapes every 15 s or more.
 */
export async function scrape(adminUrl) {
  const names = [...wanted].map((name) => `name=${name}`).join('&');
  const response = await fetch(`${adminUrl}/metrics?${names}`);
  if (!response.ok) throw new Error(`${adminUrl}/metrics answered ${response.status}`);
  return parseMetrics(await response.text());
}

/** Sum of a counter over the samples whose labels pass `filter`, grouped by `key(labels)`. */
export function tally(samples, name, key = () => 'all', filter = () => true) {
  const totals = {};
  for (const sample of samples) {
    if (sample.name !== name || !filter(sample.labels)) continue;
    const group = key(sample.labels);
    totals[group] = (totals[group] ?? 0) + sample.value;
  }
  return totals;
}

/** `after - before` for every key of `after` (counters only grow; a key absent before counts from 0). */
export function difference(after, before) {
  return Object.fromEntries(Object.entries(after).map(([key, value]) => [key, value - (before[key] ?? 0)]));
}
