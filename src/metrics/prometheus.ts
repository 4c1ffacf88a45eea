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
