// WebTorrent message codec: vectors in the shape bittorrent-tracker's client sends, binary
// strings through JSON and UTF-8, hostile input, JSON read on its bytes, SDP literals relayed
// byte for byte, and a seeded random loop checked against a JSON.parse model.
import test from 'ava';
import { WsEvent, decodeInMessage, isBinaryString, type WsAnnounce, type WsAnswer } from '../../src/protocol/ws/incoming.js';
import { RelayWriter, ScrapeResponseWriter, encodeAnnounceResponse, encodeFailure, writeBinaryStringLiteral } from '../../src/protocol/ws/outgoing.js';
import { decodeAsModel, decodeModel } from '../helpers/ws-messages.js';

/** decodeInMessage on text sent as UTF-8, with SDPs parsed from the literals it points at. */
const decode = decodeAsModel;

const LIMITS = { maxOffers: 10, maxScrapeTorrents: 255 };
const hexBinary = (hex: string) => Buffer.from(hex, 'hex').toString('latin1');
// As bittorrent-tracker's client makes them: Buffer.from(hex, 'hex').toString('binary').
const INFO_HASH = hexBinary('00220a5c7f80ff22e28c0d1e5d6b8eb9d8f6f5a1'); // NUL, '"', '\n', '\\', DEL, 0x80, 0xff
const PEER_ID = hexBinary('2d5757303130302d' + '5c22090d0a7f80a0c0e0ff00'); // "-WW0100-" then '\\', '"', controls, high chars
const OFFER_ID = hexBinary('ffeeddccbbaa99887766554433221100a0b0c0d0');

/** The frame as a client's JSON.stringify writes it and the WebSocket carries it (UTF-8). */
const overTheWire = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8');

test('binary strings: exactly 20 chars, each 0–255', (t) => {
  t.true(isBinaryString(INFO_HASH));
  t.true(isBinaryString('\u0000'.repeat(20)));
  t.true(isBinaryString('\u00ff'.repeat(20)));
  t.false(isBinaryString('a'.repeat(19)));
  t.false(isBinaryString('a'.repeat(21)));
  t.false(isBinaryString(`${'a'.repeat(19)}\u0100`));
  t.false(isBinaryString('😀'.repeat(10))); // 20 UTF-16 units, but surrogates
  t.false(isBinaryString(12345));
  t.false(isBinaryString(null));
});

test('an announce with offers, as the reference client sends it', (t) => {
  const text = overTheWire({
    action: 'announce',
    info_hash: INFO_HASH,
    peer_id: PEER_ID,
    numwant: 2,
    uploaded: 0,
    downloaded: 0,
    left: 0,
    event: 'completed',
    offers: [
      { offer: { type: 'offer', sdp: 'v=0\r\no=- 1' }, offer_id: OFFER_ID },
      { offer: { type: 'offer', sdp: 'v=0\r\no=- 2' }, offer_id: INFO_HASH },
    ],
  });
  t.deepEqual(decode(text, LIMITS), {
    action: 'announce',
    infoHash: INFO_HASH,
    peerId: PEER_ID,
    event: WsEvent.COMPLETED,
    seeder: true,
    numwant: 2,
    offers: [
      { offerId: OFFER_ID, sdp: 'v=0\r\no=- 1' },
      { offerId: INFO_HASH, sdp: 'v=0\r\no=- 2' },
    ],
  });
});

test('announce defaults: no left (magnet) is a leecher, no numwant means every offer, "update" and no event are plain', (t) => {
  const base = { action: 'announce', info_hash: INFO_HASH, peer_id: PEER_ID };
  t.like(decode(JSON.stringify(base), LIMITS), { seeder: false, numwant: 0, offers: [], event: WsEvent.NONE });
  t.like(decode(JSON.stringify({ ...base, left: null, event: 'update' }), LIMITS), { seeder: false, event: WsEvent.NONE });
  t.like(decode(JSON.stringify({ ...base, event: 'started' }), LIMITS), { event: WsEvent.STARTED });
  t.like(decode(JSON.stringify({ ...base, event: 'stopped' }), LIMITS), { event: WsEvent.STOPPED });
  const three = Array.from({ length: 3 }, () => ({ offer: { type: 'offer', sdp: 's' }, offer_id: OFFER_ID }));
  t.like(decode(JSON.stringify({ ...base, offers: three }), LIMITS), { numwant: 3 });
  // More offers than max_offers: the rest are ignored (not even validated).
  const many = [...Array.from({ length: 12 }, () => three[0]), null];
  const decoded = decode(JSON.stringify({ ...base, offers: many, numwant: 12.7 }), LIMITS);
  t.like(decoded, { action: 'announce', numwant: 12 });
  t.is((decoded as { offers: unknown[] }).offers.length, 10);
});

test('an answer', (t) => {
  const text = overTheWire({
    action: 'announce',
    info_hash: INFO_HASH,
    peer_id: PEER_ID,
    to_peer_id: OFFER_ID,
    offer_id: INFO_HASH,
    answer: { type: 'answer', sdp: 'v=0 a' },
  });
  t.deepEqual(decode(text, LIMITS), { action: 'answer', infoHash: INFO_HASH, peerId: PEER_ID, toPeerId: OFFER_ID, offerId: INFO_HASH, sdp: 'v=0 a' });
});

test('scrape: one hash, a list capped at max_scrape_torrents, none (full)', (t) => {
  t.deepEqual(decode(JSON.stringify({ action: 'scrape', info_hash: INFO_HASH }), LIMITS), { action: 'scrape', infoHashes: [INFO_HASH] });
  t.deepEqual(decode(JSON.stringify({ action: 'scrape', info_hash: [INFO_HASH, OFFER_ID, PEER_ID] }), { maxOffers: 10, maxScrapeTorrents: 2 }), {
    action: 'scrape',
    infoHashes: [INFO_HASH, OFFER_ID],
  });
  t.deepEqual(decode('{"action":"scrape"}', LIMITS), { action: 'scrape', infoHashes: null });
  t.deepEqual(decode('{"action":"scrape","info_hash":[]}', LIMITS), { action: 'scrape', infoHashes: [] });
});

test('hostile input: each problem is a failure value naming it', (t) => {
  const base = { action: 'announce', info_hash: INFO_HASH, peer_id: PEER_ID };
  const cases: [string, string, 'announce' | 'scrape' | null][] = [
    ['', 'Invalid JSON', null],
    ['{"action":"announce"', 'Invalid JSON', null],
    ['"announce"', 'Invalid message: expected a JSON object', null],
    ['[]', 'Invalid message: expected a JSON object', null],
    ['{"action":"connect"}', 'Unknown action', null],
    ['{"action":{"toString":1}}', 'Unknown action', null],
    ['{"action":"announce","info_hash":"abc"}', 'Invalid info_hash', 'announce'],
    [JSON.stringify({ ...base, peer_id: ['x'] }), 'Invalid peer_id', 'announce'],
    [JSON.stringify({ ...base, event: '__proto__' }), 'Invalid event', 'announce'],
    [JSON.stringify({ ...base, event: 3 }), 'Invalid event', 'announce'],
    [JSON.stringify({ ...base, left: '10' }), 'Invalid left', 'announce'],
    [JSON.stringify({ ...base, numwant: -5 }), 'Invalid numwant', 'announce'],
    [JSON.stringify({ ...base, numwant: '5' }), 'Invalid numwant', 'announce'],
    [JSON.stringify({ ...base, offers: {} }), 'Invalid offers', 'announce'],
    [JSON.stringify({ ...base, offers: [null] }), 'Invalid offer', 'announce'],
    [JSON.stringify({ ...base, offers: [{ offer_id: OFFER_ID }] }), 'Invalid offer', 'announce'],
    [JSON.stringify({ ...base, offers: [{ offer_id: 'x', offer: { type: 'offer', sdp: '' } }] }), 'Invalid offer', 'announce'],
    [JSON.stringify({ ...base, offers: [{ offer_id: OFFER_ID, offer: { type: 'offer', sdp: 5 } }] }), 'Invalid offer', 'announce'],
    [JSON.stringify({ ...base, answer: { type: 'offer', sdp: 'x' }, to_peer_id: OFFER_ID, offer_id: OFFER_ID }), 'Invalid answer', 'announce'],
    [JSON.stringify({ ...base, answer: { type: 'answer', sdp: 'x' }, offer_id: OFFER_ID }), 'Invalid to_peer_id', 'announce'],
    [JSON.stringify({ ...base, answer: { type: 'answer', sdp: 'x' }, to_peer_id: OFFER_ID }), 'Invalid offer_id', 'announce'],
    ['{"action":"scrape","info_hash":5}', 'Invalid info_hash', 'scrape'],
    [JSON.stringify({ action: 'scrape', info_hash: [INFO_HASH, null] }), 'Invalid info_hash', 'scrape'],
  ];
  for (const [text, reason, replyAction] of cases) {
    t.like(decode(text, LIMITS), { action: 'failure', reason, replyAction }, text);
  }
  // The info hash goes back with announce failures once it is known, so the client can match it.
  t.like(decode(JSON.stringify({ ...base, left: 'x' }), LIMITS), { infoHash: INFO_HASH });
});

test('JSON is read on its bytes: whitespace, escaped and repeated keys, as JSON.parse reads it', (t) => {
  const announce = (members: string) => decode(`{"action":"announce","info_hash":${JSON.stringify(INFO_HASH)},"peer_id":${JSON.stringify(PEER_ID)}${members}}`, LIMITS);
  t.like(decode(` \t\r\n{ "action" : "scrape" , "info_hash" : [ ${JSON.stringify(INFO_HASH)} ] }\n`, LIMITS), { action: 'scrape', infoHashes: [INFO_HASH] });
  t.like(decode('{"\\u0061ction":"scr\\u0061pe"}', LIMITS), { action: 'scrape', infoHashes: null });
  // The last of a repeated key counts, as with JSON.parse.
  t.like(announce(',"left":5,"left":0'), { seeder: true });
  t.like(announce(',"left":0,"left":null'), { seeder: false });
  t.like(announce(',"offers":5,"offers":[]'), { action: 'announce', offers: [] });
  t.like(announce(`,"offers":[{"offer_id":${JSON.stringify(OFFER_ID)},"offer":{"type":"offer","sdp":"a"},"offer":7}]`), { reason: 'Invalid offer' });
  t.like(announce(`,"offers":[{"offer_id":${JSON.stringify(OFFER_ID)},"offer":{"type":"offer","sdp":1,"sdp":"b"}}]`), { offers: [{ offerId: OFFER_ID, sdp: 'b' }] });
  // Keys of the same names inside other members' values are theirs, not the offer's or the answer's.
  const offerId = JSON.stringify(OFFER_ID);
  t.like(announce(`,"offers":[{"offer_id":${offerId},"x":{"offer_id":1},"offer":{"type":"offer","sdp":"c","x":[{"sdp":1,"type":2}]}}]`), { offers: [{ offerId: OFFER_ID, sdp: 'c' }] });
  t.like(announce(`,"to_peer_id":${offerId},"offer_id":${offerId},"answer":{"sdp":"d","type":"answer","x":{"type":"offer"}}`), { action: 'answer', sdp: 'd' });
  // Binary strings escaped every way JSON allows.
  const escaped = '"' + [...INFO_HASH].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('') + '"';
  t.like(decode(`{"action":"scrape","info_hash":${escaped}}`, LIMITS), { infoHashes: [INFO_HASH] });
  t.like(decode(`{"action":"scrape","info_hash":"${'\\/'.repeat(20)}"}`, LIMITS), { infoHashes: ['/'.repeat(20)] });
  t.like(decode(`{"action":"scrape","info_hash":"${'é'.repeat(19)}ā"}`, LIMITS), { reason: 'Invalid info_hash' });
  // Numbers: every form JSON has, read as JSON.parse reads them.
  for (const [left, seeder] of [['0', true], ['-0', true], ['0.0e5', true], ['0E-2', true], ['1e-400', true], ['1', false], ['-1.5E+3', false], ['1e400', false]] as const) {
    t.like(announce(`,"left":${left}`), { seeder }, left);
  }
  t.like(announce(',"numwant":1e400'), { numwant: Infinity });
});

test('escaped keys are decoded once each, so that a frame of them costs what its length says', (t) => {
  // A hostile frame of escaped keys: at the top level, in an offer and in its {type, sdp}.
  const keys = 1000;
  const many = '"\\u0061":0,'.repeat(keys);
  const text = `{${many}"offers":[{${many}"offer":{${many}"sdp":"x"}}],"\\u0061ction":"scrape"}`;
  const parse = JSON.parse;
  let decodes = 0;
  JSON.parse = (...args: Parameters<typeof JSON.parse>) => (decodes++, parse(...args));
  let message;
  try {
    message = decodeInMessage(Buffer.from(text), 0, text.length, LIMITS);
  } finally {
    JSON.parse = parse;
  }
  t.like(message, { action: 'scrape' });
  t.true(decodes <= 3 * keys + 1, `${decodes} decodes for ${3 * keys + 1} escaped keys`);
  // Escaped names still count, and a literal too long to be a name escaped is none.
  const announce = `{"action":"announce","info_hash":${JSON.stringify(INFO_HASH)},"p\\u0065er_id":${JSON.stringify(PEER_ID)},"\\u006c\\u0065\\u0066\\u0074":0}`;
  t.like(decode(announce, LIMITS), { action: 'announce', peerId: PEER_ID, seeder: true });
  t.like(decode(`{"action":"announce","info_hash":${JSON.stringify(INFO_HASH)},"peer_id\\u0000":0}`, LIMITS), { reason: 'Invalid peer_id' });
});

test('JSON that JSON.parse refuses is refused: every kind of mistake', (t) => {
  const bad = [
    '{"action":"scrape",}',
    '{"action":"scrape" "info_hash":null}',
    '{"action" "scrape"}',
    '{action:"scrape"}',
    "{'action':'scrape'}",
    '{"action":"scrape"}}',
    '{"action":"scrape"} x',
    '{"action":"scr\nape"}', // raw control character in a string
    '{"action":"scr\\ape"}', // unknown escape
    '{"action":"scr\\u00g1pe"}',
    '{"action":"scrape\\"}',
    '{"a":01}',
    '{"a":1.}',
    '{"a":.5}',
    '{"a":-}',
    '{"a":1e}',
    '{"a":+1}',
    '{"a":0x10}',
    '{"a":NaN}',
    '{"a":tru}',
    '{"a":nul}',
    '{"a":[1,]}',
    '{"a":[1 2]}',
    '{"a":',
    '{',
    '',
    '   ',
  ];
  for (const text of bad) {
    t.throws(() => JSON.parse(text), undefined, `the model refuses ${text}`);
    t.like(decode(text, LIMITS), { action: 'failure', reason: 'Invalid JSON' }, text);
  }
  // Nesting is bounded: the scanner recurses, so depth is capped well below the stack.
  const deep = `{"action":"scrape","x":${'['.repeat(100)}${']'.repeat(100)}}`;
  t.like(decode(deep, LIMITS), { action: 'failure', reason: 'Invalid JSON: nested too deeply' });
  t.like(decode(`{"action":"scrape","x":${'['.repeat(60)}${']'.repeat(60)}}`, LIMITS), { action: 'scrape' });
});

test('an SDP is relayed as the literal the client sent, byte for byte', (t) => {
  // Escapes a client may choose (\/ and \u escapes JSON.stringify would not write) survive as they are.
  const sdpLiteral = '"v=0\\r\\no=- 1 \\u00e9\\/\\"x\\"\\ud83d\\ude00 é 😀"';
  const text = `{"action":"announce","info_hash":${JSON.stringify(INFO_HASH)},"peer_id":${JSON.stringify(PEER_ID)},"offers":[{"offer_id":${JSON.stringify(OFFER_ID)},"offer":{"sdp":${sdpLiteral},"type":"offer"}}]}`;
  const bytes = Buffer.concat([Buffer.from('garbage before'), Buffer.from(text), Buffer.from('after')]);
  const decoded = decodeInMessage(bytes, 14, 14 + Buffer.byteLength(text), LIMITS) as WsAnnounce;
  t.is(decoded.action, 'announce');
  const offer = decoded.offers[0]!;
  t.is(decoded.source.toString('utf8', offer.sdpStart, offer.sdpEnd), sdpLiteral);

  const relays = new RelayWriter();
  relays.beginOffers(INFO_HASH, PEER_ID);
  const relayed = relays.bytes.toString('utf8', 0, relays.offer(offer.offerId, decoded.source, offer.sdpStart, offer.sdpEnd));
  t.true(relayed.includes(`"sdp":${sdpLiteral}}`));
  t.deepEqual(JSON.parse(relayed), {
    action: 'announce',
    info_hash: INFO_HASH,
    peer_id: PEER_ID,
    offer_id: OFFER_ID,
    offer: { type: 'offer', sdp: JSON.parse(sdpLiteral) as string },
  });

  const answerText = overTheWire({ action: 'announce', info_hash: INFO_HASH, peer_id: PEER_ID, to_peer_id: OFFER_ID, offer_id: INFO_HASH, answer: { type: 'answer', sdp: 'sdp\u2028\ud800' } });
  const answer = decodeInMessage(answerText, 0, answerText.length, LIMITS) as WsAnswer;
  const answerLength = relays.answer(answer.infoHash, answer.peerId, answer.offerId, answer.source, answer.sdpStart, answer.sdpEnd);
  t.deepEqual(JSON.parse(relays.bytes.toString('utf8', 0, answerLength)), {
    action: 'announce',
    info_hash: INFO_HASH,
    peer_id: PEER_ID,
    offer_id: INFO_HASH,
    answer: { type: 'answer', sdp: 'sdp\u2028\ud800' },
  });
});

test('the relay writer grows for an SDP larger than its buffer and keeps the offers\' shared head', (t) => {
  const relays = new RelayWriter();
  relays.beginOffers(INFO_HASH, PEER_ID);
  const relayed = (literal: string) => {
    const source = Buffer.from(`xx${literal}`);
    const length = relays.offer(OFFER_ID, source, 2, source.length);
    return JSON.parse(relays.bytes.toString('utf8', 0, length)) as { info_hash: string; peer_id: string; offer: { sdp: string } };
  };
  for (const sdp of ['s'.repeat(100_000), 'ab']) {
    const parsed = relayed(JSON.stringify(sdp));
    t.is(parsed.info_hash, INFO_HASH);
    t.is(parsed.peer_id, PEER_ID);
    t.is(parsed.offer.sdp, sdp);
  }
});

test('binary string literals are written as JSON.stringify writes them, UTF-8 encoded', (t) => {
  const out = Buffer.alloc(2 + 20 * 6);
  for (let c = 0; c < 256; c += 20) {
    const text = Array.from({ length: 20 }, (_, i) => String.fromCharCode((c + i) % 256)).join('');
    const end = writeBinaryStringLiteral(out, 0, text);
    t.deepEqual(out.subarray(0, end), Buffer.from(JSON.stringify(text), 'utf8'));
  }
});

test('outgoing messages parse back to the protocol shapes, binary strings intact through UTF-8', (t) => {
  const roundTrip = (text: string) => JSON.parse(Buffer.from(text, 'utf8').toString('utf8')) as unknown;
  t.deepEqual(roundTrip(encodeAnnounceResponse(INFO_HASH, 120, 3, 4)), { action: 'announce', interval: 120, info_hash: INFO_HASH, complete: 3, incomplete: 4 });
  const writer = new ScrapeResponseWriter();
  t.deepEqual(roundTrip(writer.finish()), { action: 'scrape', files: {} });
  const two = new ScrapeResponseWriter();
  two.add(INFO_HASH, 1, 2, 3);
  two.add(PEER_ID, 0, 0, 0);
  t.deepEqual(roundTrip(two.finish()), {
    action: 'scrape',
    files: { [INFO_HASH]: { complete: 1, incomplete: 2, downloaded: 3 }, [PEER_ID]: { complete: 0, incomplete: 0, downloaded: 0 } },
  });
  t.deepEqual(roundTrip(encodeFailure('Nope "really"', 'announce', INFO_HASH)), { 'failure reason': 'Nope "really"', action: 'announce', info_hash: INFO_HASH });
  t.deepEqual(roundTrip(encodeFailure('Invalid JSON', null, null)), { 'failure reason': 'Invalid JSON' });
  t.true(isBinaryString(INFO_HASH));
});

test('a seeded random loop over mutated frames: never throws, and reads each as the JSON.parse model does', (t) => {
  let seed = 20261125;
  const random = (n: number) => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 8) % n;
  };
  const valid = [
    JSON.stringify({ action: 'announce', info_hash: INFO_HASH, peer_id: PEER_ID, left: 5, offers: [{ offer_id: OFFER_ID, offer: { type: 'offer', sdp: 'x' } }] }),
    JSON.stringify({ action: 'announce', info_hash: INFO_HASH, peer_id: PEER_ID, to_peer_id: OFFER_ID, offer_id: OFFER_ID, answer: { type: 'answer', sdp: 'y' } }),
    JSON.stringify({ action: 'scrape', info_hash: [INFO_HASH, PEER_ID] }),
  ];
  const junk = ['null', '[]', '{}', '"', '\\u0000', '1e999', '-0', 'true', '{"a":', '\u0100', '[null]', '""'];
  const actions = new Map<string, number>();
  for (let i = 0; i < 20_000; i++) {
    let text = valid[random(valid.length)]!;
    const edits = 1 + random(4);
    for (let e = 0; e < edits; e++) {
      const at = random(text.length + 1);
      switch (random(4)) {
        case 0: // delete a run
          text = text.slice(0, at) + text.slice(at + 1 + random(8));
          break;
        case 1: // insert a random char
          text = text.slice(0, at) + String.fromCharCode(random(random(2) ? 128 : 0x3000)) + text.slice(at);
          break;
        case 2: // insert a JSON fragment
          text = text.slice(0, at) + junk[random(junk.length)]! + text.slice(at);
          break;
        default: // replace a char
          text = text.slice(0, at) + String.fromCharCode(32 + random(95)) + text.slice(at + 1);
      }
    }
    const limits = { maxOffers: 1 + random(10), maxScrapeTorrents: 1 + random(3) };
    const decoded = decode(text, limits);
    t.deepEqual(decoded, decodeModel(text, limits), text);
    actions.set(decoded.action, (actions.get(decoded.action) ?? 0) + 1);
  }
  t.true([...actions.keys()].every((action) => ['announce', 'answer', 'scrape', 'failure'].includes(action)));
  t.true((actions.get('failure') ?? 0) > 0);
  t.true((actions.get('announce') ?? 0) + (actions.get('scrape') ?? 0) > 0, 'some mutations stay valid');
});
