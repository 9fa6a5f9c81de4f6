import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';

/**
 * Places the panels left to right in the order they were added, wrapping at Grafana's 24 columns;
 * a row starts a new line. The builders give each panel its size only.
 */
export function layout(dashboard: Dashboard): Dashboard {
  let x = 0;
  let y = 0;
  let lineHeight = 0;
  let id = 1;
  for (const panel of dashboard.panels ?? []) {
    const p = panel as { type?: string; id?: number; gridPos?: { w: number; h: number; x: number; y: number } };
    p.id = id++;
    const w = p.type === 'row' ? 24 : (p.gridPos?.w ?? 12);
    const h = p.type === 'row' ? 1 : (p.gridPos?.h ?? 8);
    if (p.type === 'row' || x + w > 24) {
      y += lineHeight;
      x = 0;
      lineHeight = 0;
    }
    p.gridPos = { w, h, x, y };
    x += w;
    lineHeight = Math.max(lineHeight, h);
    if (p.type === 'row') {
      y += h;
      x = 0;
      lineHeight = 0;
    }
  }
  return dashboard;
}
