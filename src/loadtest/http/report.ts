// The results of an HTTP load test: the summary object, the table a person reads, the RESULT
// line a script parses (keys as the UDP load tester's and the wrk script's where they mean
// the same) and JSON.
import { formatResultLine, formatRows, median, round, latencyAndCpuRows } from '../common/format.js';
import type { MeasuredWindow } from '../common/coordinator.js';
import { latencySummary } from '../udp/stats.js';
import { HttpCell, RequestKind, erroredRequests, sentRequests, validResponses } from './stats.js';

export interface RunFacts {
  readonly server_address: string;
  readonly workers: number;
  /** Over all workers. */
  readonly connections: number;
  readonly keep_alive: boolean;
  readonly tls: boolean;
}

export interface HttpLoadTestSummary extends RunFacts {
  /** Seconds measured (after the warm-up). */
  readonly duration_s: number;
  readonly requests_sent: number;
  readonly valid_responses: number;
  readonly requests_per_s: number;
  /** Valid responses per second (failures and bad responses not included). */
  readonly responses_per_s: number;
  /** Median over the measured 1-second windows (less sensitive to a stall). */
  readonly median_responses_per_s: number;
  readonly announce_per_s: number;
  readonly scrape_per_s: number;
  readonly connections_opened_per_s: number;
  /** failure_responses + bad_status + invalid_responses + connection_errors */
  readonly errors: number;
  readonly failure_responses: number;
  readonly bad_status: number;
  readonly invalid_responses: number;
  readonly connection_errors: number;
  /** Requests sent again after a reused connection closed unanswered (not in requests_sent). */
  readonly retried: number;
  readonly timeouts: number;
  readonly latency_p50_us: number;
  readonly latency_p99_us: number;
  readonly latency_p999_us: number;
  readonly avg_peers_per_announce: number;
  /** Process CPU (all threads) per wall second while measuring. */
  readonly generator_cpu: number;
}

export function summarize(facts: RunFacts, measured: MeasuredWindow): HttpLoadTestSummary {
  const { stats, seconds, cpuSeconds, perSecond } = measured;
  const rate = (count: number): number => round(seconds > 0 ? count / seconds : 0, 0);
  const announces = stats[HttpCell.VALID + RequestKind.ANNOUNCE]!;
  return {
    ...facts,
    duration_s: round(seconds, 3),
    requests_sent: sentRequests(stats),
    valid_responses: validResponses(stats),
    requests_per_s: rate(sentRequests(stats)),
    responses_per_s: rate(validResponses(stats)),
    median_responses_per_s: median(perSecond),
    announce_per_s: rate(announces),
    scrape_per_s: rate(stats[HttpCell.VALID + RequestKind.SCRAPE]!),
    connections_opened_per_s: rate(stats[HttpCell.CONNECTIONS_OPENED]!),
    errors: erroredRequests(stats),
    failure_responses: stats[HttpCell.FAILURE_RESPONSES]!,
    bad_status: stats[HttpCell.BAD_STATUS]!,
    invalid_responses: stats[HttpCell.INVALID]!,
    connection_errors: stats[HttpCell.CONNECTION_ERRORS]!,
    retried: stats[HttpCell.RETRIED]!,
    timeouts: stats[HttpCell.TIMEOUTS]!,
    ...latencySummary(stats),
    avg_peers_per_announce: round(announces > 0 ? stats[HttpCell.PEERS_RETURNED]! / announces : 0, 2),
    generator_cpu: round(seconds > 0 ? cpuSeconds / seconds : 0, 2),
  };
}

/** One progress line: the counts of the last second (or so) as rates. */
export function progressLine(label: string, window: Float64Array, seconds: number): string {
  const rate = (count: number): string => String(Math.round(count / seconds));
  return (
    `${label}  requests/s ${rate(sentRequests(window)).padStart(7)}  responses/s ${rate(validResponses(window)).padStart(7)}` +
    `  (announce ${rate(window[HttpCell.VALID + RequestKind.ANNOUNCE]!)}, scrape ${rate(window[HttpCell.VALID + RequestKind.SCRAPE]!)})` +
    `  connects/s ${rate(window[HttpCell.CONNECTIONS_OPENED]!)}  errors ${erroredRequests(window)}  timeouts ${window[HttpCell.TIMEOUTS]}\n`
  );
}

export function formatTable(s: HttpLoadTestSummary): string {
  const mode = `${s.keep_alive ? 'keep-alive' : 'new connection per request'}${s.tls ? ', TLS' : ''}`;
  return formatRows([
    ['target', `${s.server_address} (${s.workers} worker(s) x ${s.connections / s.workers} connections, ${mode})`],
    ['measured', `${s.duration_s.toFixed(2)} s, ${s.requests_sent} requests sent, ${s.valid_responses} valid responses`],
    ['requests/s', String(s.requests_per_s)],
    ['responses/s', `${s.responses_per_s}  (median of 1 s windows: ${s.median_responses_per_s})`],
    ['  announce/s', String(s.announce_per_s)],
    ['  scrape/s', String(s.scrape_per_s)],
    ['connections/s', String(s.connections_opened_per_s)],
    ['errors', `${s.errors}`],
    ['  failure reason', String(s.failure_responses)],
    ['  status not 200', String(s.bad_status)],
    ['  invalid', `${s.invalid_responses}  (unparsable head or bencoding, missing keys, unasked-for bytes)`],
    ['  connection', `${s.connection_errors}  (refused, reset or closed with a request in flight)`],
    ['retried', `${s.retried}  (reused connection closed before answering; sent again on a new one)`],
    ['timeouts', String(s.timeouts)],
    ['avg peers/announce', s.avg_peers_per_announce.toFixed(2)],
    ...latencyAndCpuRows(s),
  ]);
}

export function resultLine(s: HttpLoadTestSummary): string {
  return formatResultLine([
    ['rps', s.responses_per_s],
    ['median_rps', s.median_responses_per_s],
    ['announce_rps', s.announce_per_s],
    ['scrape_rps', s.scrape_per_s],
    ['connect_rps', s.connections_opened_per_s],
    ['avg_peers', s.avg_peers_per_announce],
    ['sent_rps', s.requests_per_s],
    ['errors', s.errors],
    ['failure_reason', s.failure_responses],
    ['bad_status', s.bad_status],
    ['invalid', s.invalid_responses],
    ['conn_errors', s.connection_errors],
    ['retried', s.retried],
    ['timeouts', s.timeouts],
    ['p50_us', s.latency_p50_us],
    ['p99_us', s.latency_p99_us],
    ['gen_cpu', s.generator_cpu],
  ]);
}
