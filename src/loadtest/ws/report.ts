// The results of a WebTorrent load test: the summary object, the table a person reads, the
// RESULT line a script parses (msgs_rps counts every valid message the tracker sent, as
// aquatic's WebTorrent benchmark and wsload.mjs's server_msgs_rps do) and JSON.
import type { MeasuredWindow } from '../common/coordinator.js';
import { formatResultLine, formatRows, median, round, latencyAndCpuRows } from '../common/format.js';
import { latencySummary } from '../udp/stats.js';
import { WsCell, errors, receivedMessages, sentMessages } from './stats.js';

export interface RunFacts {
  readonly server_address: string;
  readonly workers: number;
  /** Over all workers. */
  readonly connections: number;
  readonly tls: boolean;
  readonly offers_per_request: number;
}

export interface WsLoadTestSummary extends RunFacts {
  /** Seconds measured (after the warm-up). */
  readonly duration_s: number;
  readonly messages_sent: number;
  readonly messages_received: number;
  readonly sent_per_s: number;
  /** Valid messages from the tracker per second: announce and scrape responses, offers and answers. */
  readonly messages_per_s: number;
  /** Median over the measured 1-second windows (less sensitive to a stall). */
  readonly median_messages_per_s: number;
  readonly announce_per_s: number;
  readonly scrape_per_s: number;
  readonly offers_per_s: number;
  readonly answers_per_s: number;
  readonly answers_sent_per_s: number;
  /** failures + protocol_errors + connection_errors */
  readonly errors: number;
  readonly failures: number;
  readonly protocol_errors: number;
  readonly connection_errors: number;
  readonly timeouts: number;
  readonly connections_opened: number;
  /** From sending an announce or scrape to its reply. */
  readonly latency_p50_us: number;
  readonly latency_p99_us: number;
  readonly latency_p999_us: number;
  /** Process CPU (all threads) per wall second while measuring. */
  readonly generator_cpu: number;
}

export function summarize(facts: RunFacts, measured: MeasuredWindow): WsLoadTestSummary {
  const { stats, seconds, cpuSeconds, perSecond } = measured;
  const rate = (count: number): number => round(seconds > 0 ? count / seconds : 0, 0);
  return {
    ...facts,
    duration_s: round(seconds, 3),
    messages_sent: sentMessages(stats),
    messages_received: receivedMessages(stats),
    sent_per_s: rate(sentMessages(stats)),
    messages_per_s: rate(receivedMessages(stats)),
    median_messages_per_s: median(perSecond),
    announce_per_s: rate(stats[WsCell.ANNOUNCE_RESPONSES]!),
    scrape_per_s: rate(stats[WsCell.SCRAPE_RESPONSES]!),
    offers_per_s: rate(stats[WsCell.OFFERS_RECEIVED]!),
    answers_per_s: rate(stats[WsCell.ANSWERS_RECEIVED]!),
    answers_sent_per_s: rate(stats[WsCell.ANSWERS_SENT]!),
    errors: errors(stats),
    failures: stats[WsCell.FAILURES]!,
    protocol_errors: stats[WsCell.PROTOCOL_ERRORS]!,
    connection_errors: stats[WsCell.CONNECTION_ERRORS]!,
    timeouts: stats[WsCell.TIMEOUTS]!,
    connections_opened: stats[WsCell.CONNECTIONS_OPENED]!,
    ...latencySummary(stats),
    generator_cpu: round(seconds > 0 ? cpuSeconds / seconds : 0, 2),
  };
}

/** One progress line: the counts of the last second (or so) as rates. */
export function progressLine(label: string, window: Float64Array, seconds: number): string {
  const rate = (count: number): string => String(Math.round(count / seconds));
  return (
    `${label}  msgs in/s ${rate(receivedMessages(window)).padStart(7)}  (announce ${rate(window[WsCell.ANNOUNCE_RESPONSES]!)}, ` +
    `offer ${rate(window[WsCell.OFFERS_RECEIVED]!)}, answer ${rate(window[WsCell.ANSWERS_RECEIVED]!)}, scrape ${rate(window[WsCell.SCRAPE_RESPONSES]!)})` +
    `  out/s ${rate(sentMessages(window))}  errors ${errors(window)}  timeouts ${window[WsCell.TIMEOUTS]}\n`
  );
}

export function formatTable(s: WsLoadTestSummary): string {
  return formatRows([
    ['target', `${s.server_address} (${s.workers} worker(s) x ${s.connections / s.workers} connections, ${s.tls ? 'wss' : 'ws'}, ${s.offers_per_request} offers/announce)`],
    ['measured', `${s.duration_s.toFixed(2)} s, ${s.messages_sent} messages sent, ${s.messages_received} valid messages received`],
    ['messages in/s', `${s.messages_per_s}  (median of 1 s windows: ${s.median_messages_per_s})`],
    ['  announce/s', String(s.announce_per_s)],
    ['  offers/s', String(s.offers_per_s)],
    ['  answers/s', String(s.answers_per_s)],
    ['  scrape/s', String(s.scrape_per_s)],
    ['messages out/s', `${s.sent_per_s}  (answers ${s.answers_sent_per_s})`],
    ['errors', String(s.errors)],
    ['  failure reason', String(s.failures)],
    ['  protocol', `${s.protocol_errors}  (not JSON, bad fields, own offer back, answer to no offer of ours, unasked reply)`],
    ['  connection', `${s.connection_errors}  (refused, upgrade failed, or closed by the tracker)`],
    ['timeouts', String(s.timeouts)],
    ['connections opened', String(s.connections_opened)],
    ...latencyAndCpuRows(s),
  ]);
}

export function resultLine(s: WsLoadTestSummary): string {
  return formatResultLine([
    ['msgs_rps', s.messages_per_s],
    ['median_msgs_rps', s.median_messages_per_s],
    ['announce_rps', s.announce_per_s],
    ['offer_rps', s.offers_per_s],
    ['answer_rps', s.answers_per_s],
    ['scrape_rps', s.scrape_per_s],
    ['sent_rps', s.sent_per_s],
    ['errors', s.errors],
    ['failures', s.failures],
    ['protocol_errors', s.protocol_errors],
    ['conn_errors', s.connection_errors],
    ['timeouts', s.timeouts],
    ['p50_us', s.latency_p50_us],
    ['p99_us', s.latency_p99_us],
    ['gen_cpu', s.generator_cpu],
  ]);
}
