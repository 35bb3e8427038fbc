import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { probeTool, runTool } from '../support/tools.js';
import { alertRules, dashboardQueries, metricNamesIn, recordingRules } from './observability-queries.js';

/**
 * The alert and recording rules pass `promtool check rules`, and `promtool test rules` fires each
 * alert in one case and keeps it quiet in another; every alert links a runbook that exists and
 * says what it means, how to confirm, what to do and how to recover.
 */
const observability = fileURLToPath(new URL('../../deploy/observability/', import.meta.url));
const runbooks = fileURLToPath(new URL('../../docs/runbooks/', import.meta.url));
const promtool = probeTool(
  'promtool',
  ['--version'],
  "Debian's prometheus package; .ci/engines.sh installs it",
);

describe.skipIf(!promtool)('Prometheus rules (promtool)', () => {
  it('are valid rules', () => {
    const { status, output } = runTool(
      'promtool',
      ['check', 'rules', 'rules/recording.yml', 'rules/alerts.yml'],
      {
        cwd: observability,
      },
    );
    expect(status, output).toBe(0);
  });

  it('pass their unit tests', () => {
    const { status, output } = runTool('promtool', ['test', 'rules', 'tests/alerts.test.yml'], {
      cwd: observability,
    });
    expect(status, output).toBe(0);
  });

  it("make a valid scrape configuration for Compose (Debian's promtool has no Kubernetes discovery to check the other)", () => {
    const { status, output } = runTool('promtool', ['check', 'config', '../compose/prometheus.yml'], {
      cwd: observability,
    });
    expect(status, output).toBe(0);
  });
});

describe('alerts', () => {
  const alerts = alertRules();
  const unitTests = parse(readFileSync(`${observability}tests/alerts.test.yml`, 'utf8')) as {
    tests: { alert_rule_test: { alertname: string; exp_alerts: unknown[] }[] }[];
  };
  const cases = unitTests.tests.flatMap((test) => test.alert_rule_test);

  it('cover what operators are paged about', () => {
    expect(alerts.map((alert) => alert.alert).sort()).toEqual(
      [
        'FiscalHighErrorRate',
        'FiscalHighLatency',
        'FiscalOutboxBacklogOld',
        'FiscalConsumerLag',
        'FiscalDeadLettersGrowing',
        'FiscalCircuitBreakerOpen',
        'FiscalReadinessFlapping',
        'FiscalRejectionRateSpike',
        'FiscalServiceNotScraped',
      ].sort(),
    );
  });

  it.each(alerts.map((alert) => alert.alert))(
    '%s has a unit test where it fires and one where it stays quiet',
    (name) => {
      const mine = cases.filter((each) => each.alertname === name);
      expect(mine.some((each) => each.exp_alerts.length > 0)).toBe(true);
      expect(mine.some((each) => each.exp_alerts.length === 0)).toBe(true);
    },
  );

  it.each(alerts.map((alert) => [alert.alert, alert] as const))(
    '%s links a runbook that says what it means, how to confirm, act and recover',
    (name, alert) => {
      expect(alert.annotations.runbook_url).toMatch(new RegExp(`/docs/runbooks/${name}\\.md$`));
      const file = `${runbooks}${name}.md`;
      expect(existsSync(file), `${file} exists`).toBe(true);
      const text = readFileSync(file, 'utf8');
      expect(text.startsWith(`# ${name}\n`)).toBe(true);
      for (const section of ['Meaning', 'Confirm', 'Act', 'Recover'])
        expect(text).toContain(`\n## ${section}\n`);
      expect(alert.labels.severity).toMatch(/^(page|ticket)$/);
      expect(alert.annotations.summary).toBeTruthy();
    },
  );

  it('read only series the rules record or the services export (by name, from the code)', () => {
    const recorded = new Set(recordingRules().map((rule) => rule.record));
    const queried = [
      ...recordingRules().map((rule) => rule.expr),
      ...alerts.map((alert) => alert.expr),
      ...dashboardQueries(),
    ].flatMap(metricNamesIn);
    const exportedInCode = exportedMetricNames();
    const unknown = [...new Set(queried)].filter(
      (name) => !recorded.has(name) && name !== 'up' && !exportedInCode.has(name),
    );
    expect(unknown).toEqual([]);
  });
});

/** Metric names declared in the code (`name: '…'`, `gaugeOf('…'`) plus prom-client's defaults. */
function exportedMetricNames(): Set<string> {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const { output } = runTool('grep', [
    '-rhoE',
    "(name: |gaugeOf\\()'[a-z_]+'",
    '--include=*.ts',
    '--exclude=*.test.ts',
    `${root}packages/kit/src`,
    `${root}services`,
  ]);
  const names = new Set<string>();
  for (const match of output.matchAll(/(?:name: |gaugeOf\()'([a-z_]+)'/g)) {
    const name = match[1]!;
    for (const suffix of ['', '_bucket', '_sum', '_count']) names.add(`${name}${suffix}`);
  }
  for (const name of [
    'process_cpu_seconds_total',
    'process_resident_memory_bytes',
    'nodejs_eventloop_lag_p99_seconds',
    'nodejs_heap_size_used_bytes',
  ])
    names.add(name);
  return names;
}
