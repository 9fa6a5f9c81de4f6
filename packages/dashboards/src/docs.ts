import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { panelQueries } from './index.js';

const HEADER = `# The dashboards: what each one answers, panel by panel, with its queries

Generated from packages/dashboards by \`npm run dashboards:write\` (\`npm run check\` fails when it
is stale), like the JSON Grafana provisions from grafana/provisioning/dashboards. Grafana runs in
compose only (\`https://localhost:3000\`, folder *orderscope*). No screenshot can be taken here, since
no Grafana binary can be had. Instead \`e2e/test/visible-in-dashboards.e2e.test.ts\` runs every
query below against the real Prometheus, PostgreSQL and VictoriaLogs after a simulated run with
faults, and prints the series, row or record count of each.

Variables as Grafana fills them: \`$__rate_interval\` is the rate window, \`$service\` the services
picked, and \`\${order_id:sqlstring}\` the order id typed in, quoted and escaped; in LogsQL
\`$order_id\` is the order id as typed, inside the query's own quotes.
The SQL panels read the CRM's \`report_*\` views as the read-only role \`grafana_reader\`; the
LogsQL ones read VictoriaLogs through the log gateway with Grafana's client certificate.
`;

/** docs/dashboards.md: each dashboard's question, and each panel's description and queries. */
export function dashboardsDoc(dashboards: Array<[string, Dashboard]>): string {
  const out = [HEADER];
  for (const [name, d] of dashboards) {
    out.push(`## ${d.title} (\`${name}.json\`, uid \`${d.uid}\`)\n\n${d.description ?? ''}\n`);
    const byPanel = new Map<string, string[]>();
    for (const q of panelQueries(name, d)) byPanel.set(q.panel, [...(byPanel.get(q.panel) ?? []), `${q.kind}\n${q.query.replace(/^\s+/gm, '')}`]);
    for (const panel of d.panels ?? []) {
      const title = panel.title ?? '';
      const qs = byPanel.get(title);
      if (!qs) continue;
      const description = 'description' in panel ? ((panel as { description?: string }).description ?? '') : '';
      out.push(`### ${title}\n\n${description}\n\n${qs.map((q) => `\`\`\`${q}\n\`\`\``).join('\n\n')}\n`);
    }
  }
  return out.join('\n');
}
