// Pieces of a load tester's report that do not depend on the protocol: rounding, the median
// of the per-second rates, the two-column table, the RESULT line and the JSON file.
import { writeFileSync } from 'node:fs';

export function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/** The median, rounded to an integer (0 for no values). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return Math.round(sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2);
}

/** Name and value columns, names padded to the longest, each row indented by two spaces. */
export function formatRows(rows: readonly (readonly [string, string])[]): string {
  const width = Math.max(...rows.map(([name]) => name.length));
  return `${rows.map(([name, value]) => `  ${name.padEnd(width)}  ${value}`).join('\n')}\n`;
}

/** `RESULT key=value ...`: one line a script can parse. */
export function formatResultLine(fields: readonly (readonly [string, number])[]): string {
  return `RESULT ${fields.map(([key, value]) => `${key}=${value}`).join(' ')}\n`;
}

export function writeJsonFile(path: string, value: object): void {
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
}

/** The table rows every load test ends with: latency percentiles and the generator's own CPU. */
export function latencyAndCpuRows(s: {
  readonly latency_p50_us: number;
  readonly latency_p99_us: number;
  readonly latency_p999_us: number;
  readonly generator_cpu: number;
}): [string, string][] {
  return [
    ['latency p50', `${s.latency_p50_us} µs`],
    ['latency p99', `${s.latency_p99_us} µs  (p99.9 ${s.latency_p999_us} µs)`],
    ['generator CPU', `${s.generator_cpu.toFixed(2)}  (cores busy; near 1 per worker means the generator may be the bottleneck)`],
  ];
}
