// Types for the parse-prometheus-text-format package (it ships none).
declare module 'parse-prometheus-text-format' {
  interface PrometheusMetric {
    readonly labels?: Record<string, string>;
    readonly value: string;
  }
  interface PrometheusFamily {
    readonly name: string;
    readonly help: string;
    readonly type: 'COUNTER' | 'GAUGE' | 'SUMMARY' | 'HISTOGRAM' | 'UNTYPED';
    readonly metrics: readonly PrometheusMetric[];
  }
  export default function parsePrometheusTextFormat(text: string): PrometheusFamily[];
}
