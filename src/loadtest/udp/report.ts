// The results of a run: the summary object, the table a person reads, the RESULT line a
// script parses (same keys as the bench generator udpload where they mean the same) and JSON.
import { ACTION_ANNOUNCE, ACTION_CONNECT, ACTION_SCRAPE } from '../../protocol/udp/constants.js';
import type { MeasuredWindow } from '../common/coordinator.js';
import { formatResultLine, formatRows, median, round, latencyAndCpuRows } from '../common/format.js';
import { Cell, latencySummary, sentRequests, validResponses } from './stats.js';
import type { UdpTransportKind } from './worker.js';

/** The CLI's name for writing the summary as JSON. */
export { writeJsonFile as writeJsonSummary } from '../common/format.js';

export interface LoadTestSummary {
  readonly server_address: string;
  readonly transport: UdpTransportKind;
  readonly workers: number;
  readonly sockets: number;
  readonly in_flight_per_socket: number;
  /** Seconds measured (after the warm-up). */
  readonly duration_s: number;
  readonly requests_sent: number;
  readonly valid_responses: number;
  readonly requests_per_s: number;
  /** Valid responses per second (error responses not included). */
  readonly responses_per_s: number;
  /** Median over the measured 1-second windows (less sensitive to a stall). */
  readonly median_responses_per_s: number;
  readonly connect_per_s: number;
  readonly announce_per_s: number;
  readonly scrape_per_s: number;
  readonly error_responses_per_s: number;
  readonly error_responses: number;
  readonly invalid_responses: number;
  /** Datagrams that matched no request in flight (late after a timeout, unknown, too short). */
  readonly unexpected_responses: number;
  readonly timeouts: number;
  readonly send_failures: number;
  readonly latency_p50_us: number;
  readonly latency_p99_us: number;
  readonly latency_p999_us: number;
  readonly avg_peers_per_announce: number;
  /** Process CPU (all threads) per wall second while measuring. */
  readonly generator_cpu: number;
}

export interface RunFacts {
  readonly server_address: string;
  readonly transport: UdpTransportKind;
  readonly workers: number;
  readonly sockets: number;
  readonly in_flight_per_socket: number;
}

/** From the counts of the measured window, its length and the CPU spent in it. */
export function summarize(facts: RunFacts, { stats: window, seconds, cpuSeconds, perSecond }: MeasuredWindow): LoadTestSummary {
  const rate = (count: number): number => (seconds > 0 ? count / seconds : 0);
  const valid = validResponses(window);
  const announces = window[Cell.VALID + ACTION_ANNOUNCE]!;
  return {
    ...facts,
    duration_s: round(seconds, 3),
    requests_sent: sentRequests(window),
    valid_responses: valid,
    requests_per_s: round(rate(sentRequests(window)), 0),
    responses_per_s: round(rate(valid), 0),
    median_responses_per_s: median(perSecond),
    connect_per_s: round(rate(window[Cell.VALID + ACTION_CONNECT]!), 0),
    announce_per_s: round(rate(announces), 0),
    scrape_per_s: round(rate(window[Cell.VALID + ACTION_SCRAPE]!), 0),
    error_responses_per_s: round(rate(window[Cell.ERROR_RESPONSES]!), 0),
    error_responses: window[Cell.ERROR_RESPONSES]!,
    invalid_responses: window[Cell.INVALID]!,
    unexpected_responses: window[Cell.UNEXPECTED]!,
    timeouts: window[Cell.TIMEOUTS]!,
    send_failures: window[Cell.SEND_FAILURES]!,
    ...latencySummary(window),
    avg_peers_per_announce: round(announces > 0 ? window[Cell.PEERS_RETURNED]! / announces : 0, 2),
    generator_cpu: round(seconds > 0 ? cpuSeconds / seconds : 0, 2),
  };
}

/** One progress line: the counts of the last second (or so) as rates. */
export function progressLine(label: string, window: Float64Array, seconds: number): string {
  const rate = (count: number): string => String(Math.round(count / seconds)).padStart(7);
  return (
    `${label}  requests/s ${rate(sentRequests(window))}  responses/s ${rate(validResponses(window))}` +
    `  (connect ${rate(window[Cell.VALID + ACTION_CONNECT]!).trim()}, announce ${rate(window[Cell.VALID + ACTION_ANNOUNCE]!).trim()},` +
    ` scrape ${rate(window[Cell.VALID + ACTION_SCRAPE]!).trim()}, error ${rate(window[Cell.ERROR_RESPONSES]!).trim()})` +
    `  invalid ${window[Cell.INVALID]}  timeouts ${window[Cell.TIMEOUTS]}\n`
  );
}

export function formatTable(s: LoadTestSummary): string {
  return formatRows([
    ['target', `${s.server_address} (${s.transport} transport, ${s.workers} worker(s) x ${s.sockets / s.workers} sockets x ${s.in_flight_per_socket} in flight)`],
    ['measured', `${s.duration_s.toFixed(2)} s, ${s.requests_sent} requests sent, ${s.valid_responses} valid responses`],
    ['requests/s', String(s.requests_per_s)],
    ['responses/s', `${s.responses_per_s}  (median of 1 s windows: ${s.median_responses_per_s})`],
    ['  connect/s', String(s.connect_per_s)],
    ['  announce/s', String(s.announce_per_s)],
    ['  scrape/s', String(s.scrape_per_s)],
    ['  error/s', String(s.error_responses_per_s)],
    ['error responses', String(s.error_responses)],
    ['invalid responses', `${s.invalid_responses}  (wrong action or length)`],
    ['unexpected', `${s.unexpected_responses}  (unknown or late transaction ID, runt datagrams)`],
    ['timeouts', String(s.timeouts)],
    ['send failures', String(s.send_failures)],
    ['avg peers/announce', s.avg_peers_per_announce.toFixed(2)],
    ...latencyAndCpuRows(s),
  ]);
}

/** `RESULT key=value ...`, keys as udpload's where they mean the same. */
export function resultLine(s: LoadTestSummary): string {
  return formatResultLine([
    ['rps', s.responses_per_s],
    ['median_rps', s.median_responses_per_s],
    ['announce_rps', s.announce_per_s],
    ['scrape_rps', s.scrape_per_s],
    ['connect_rps', s.connect_per_s],
    ['avg_peers', s.avg_peers_per_announce],
    ['sent_rps', s.requests_per_s],
    ['errors', s.error_responses],
    ['invalid', s.invalid_responses],
    ['late', s.unexpected_responses],
    ['timeouts', s.timeouts],
    ['p50_us', s.latency_p50_us],
    ['p99_us', s.latency_p99_us],
    ['gen_cpu', s.generator_cpu],
  ]);
}
