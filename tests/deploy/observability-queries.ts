import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

/** What the dashboard and the rules of deploy/observability query, for the tests that check them. */
const observability = fileURLToPath(new URL('../../deploy/observability/', import.meta.url));

interface RuleGroups {
  groups: { rules: Record<string, string & Record<string, string>>[] }[];
}

function rulesOf(file: string) {
  return (parse(readFileSync(`${observability}rules/${file}`, 'utf8')) as RuleGroups).groups.flatMap(
    (group) => group.rules,
  );
}

export const recordingRules = () => rulesOf('recording.yml') as unknown as { record: string; expr: string }[];

export const alertRules = () =>
  rulesOf('alerts.yml') as unknown as {
    alert: string;
    expr: string;
    labels: Record<string, string>;
    annotations: Record<string, string>;
  }[];

/** Every PromQL expression of every panel of every dashboard in deploy/observability/grafana. */
export function dashboardQueries(): string[] {
  const queries: string[] = [];
  const visit = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (node && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if (key === 'expr' && typeof value === 'string') queries.push(value);
        else visit(value);
      }
    }
  };
  for (const file of readdirSync(`${observability}grafana`).filter((name) => name.endsWith('.json')))
    visit(JSON.parse(readFileSync(`${observability}grafana/${file}`, 'utf8')));
  return queries;
}

const keywords = new Set([
  'by',
  'without',
  'and',
  'or',
  'unless',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'offset',
  'bool',
  'inf',
  'nan',
]);

/** The metric (or recorded series) names a PromQL expression reads. */
export function metricNamesIn(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\$\w+/g, ' ');
  const names: string[] = [];
  for (const match of stripped.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    const after = stripped.slice((match.index ?? 0) + match[0].length).trimStart();
    if (after.startsWith('(')) continue;
    if (keywords.has(match[0].toLowerCase())) continue;
    // Units of a number such as 1e3, or part of a duration, never start a name here.
    const before = stripped[(match.index ?? 1) - 1];
    if (before !== undefined && /[0-9.]/.test(before)) continue;
    names.push(match[0]);
  }
  return names;
}
