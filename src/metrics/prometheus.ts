// Metrics as Prometheus text exposition (format 0.0.4) and as JSON, from plain samples
// that each tracker gathers from its counters when scraped (nothing is paid per request).

export interface Sample {
  /** e.g. "aquatic_requests_total". */
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'gauge';
  readonly value: number;
  readonly labels?: Readonly<Record<string, string>>;
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

/** # HELP and # TYPE once per metric name, then one line per sample. */
export function renderPrometheus(samples: readonly Sample[]): string {
  const byName = new Map<string, Sample[]>();
  for (const sample of samples) {
    const list = byName.get(sample.name);
    if (list === undefined) byName.set(sample.name, [sample]);
    else list.push(sample);
  }
  const lines: string[] = [];
  for (const [name, list] of byName) {
    lines.push(`# HELP ${name} ${list[0]!.help}`, `# TYPE ${name} ${list[0]!.type}`);
    for (const sample of list) {
      const labels = Object.entries(sample.labels ?? {});
      const text = labels.length === 0 ? '' : `{${labels.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}`;
      lines.push(`${name}${text} ${Number.isFinite(sample.value) ? sample.value : 0}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** { name: value } or { name: { "label=value,…": value } } for /stats.json. */
export function renderJson(samples: readonly Sample[]): string {
  const out: Record<string, number | Record<string, number>> = {};
  for (const sample of samples) {
    const labels = Object.entries(sample.labels ?? {});
    if (labels.length === 0) {
      out[sample.name] = sample.value;
      continue;
    }
    const key = labels.map(([k, v]) => `${k}=${v}`).join(',');
    const slot = out[sample.name];
    if (typeof slot === 'object') slot[key] = sample.value;
    else out[sample.name] = { [key]: sample.value };
  }
  return `${JSON.stringify(out, null, 2)}\n`;
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A small self-refreshing HTML page of the same numbers, for people (GET /stats). */
export function renderHtml(title: string, samples: readonly Sample[]): string {
  const rows = samples
    .map((s) => {
      const labels = Object.entries(s.labels ?? {}).map(([k, v]) => `${k}=${v}`).join(', ');
      return `<tr><td>${escapeHtml(s.name)}</td><td>${escapeHtml(labels)}</td><td class="n">${s.value}</td></tr>`;
    })
    .join('\n');
  return `<!doctype html>
<html><head><meta charset="utf-8"><meta http-equiv="refresh" content="5"><title>${escapeHtml(title)}</title>
<style>body{font:14px system-ui,sans-serif;margin:2em}table{border-collapse:collapse}td,th{padding:2px 12px;border-bottom:1px solid #ddd;text-align:left}td.n{text-align:right;font-variant-numeric:tabular-nums}</style>
</head><body><h1>${escapeHtml(title)}</h1>
<table><tr><th>metric</th><th>labels</th><th>value</th></tr>
${rows}
</table><p>Also as <a href="stats.json">JSON</a> and in the Prometheus text format.</p></body></html>
`;
}
