// HTTP tracker requests: hand-written query vectors (BEP 3 / 23 / 48), every failure case,
// routing of request targets, and hostile input that must never throw.
import test from 'ava';
import { BencodeError, decodeBencode } from '../../src/protocol/http/bencode.js';
import { EVENT_COMPLETED, EVENT_NONE, EVENT_STARTED, EVENT_STOPPED, MAX_BYTE_COUNT } from '../../src/protocol/http/constants.js';
import {
  HttpRoute,
  INFO_HASH_AT,
  PEER_ID_AT,
  QueryError,
  createHttpAnnounce,
  createHttpRoutes,
  createHttpScrape,
  createHttpTarget,
  parseDecimal,
  percentDecode,
  percentEncode,
  readAnnounceQuery,
  readScrapeQuery,
  routeTarget,
} from '../../src/protocol/http/query.js';

const bytes = (text: string) => Uint8Array.from(Buffer.from(text, 'latin1'));
const toHex = (value: Uint8Array) => Buffer.from(value).toString('hex');

function announce(query: string) {
  const out = createHttpAnnounce();
  const input = bytes(query);
  const error = readAnnounceQuery(input, 0, input.length, out);
  return { error, out };
}

function scrape(query: string, maxHashes = 100) {
  const out = createHttpScrape(maxHashes);
  const input = bytes(query);
  const error = readScrapeQuery(input, 0, input.length, out);
  const hashes: string[] = [];
  for (let i = 0; i < out.count; i++) hashes.push(toHex(out.infoHashes.subarray(i * 20, i * 20 + 20)));
  return { error, out, hashes };
}

// Transmission-style: upper-case escapes mixed with literal unreserved bytes.
// %12 4 V x %9A %BC %DE %F1 %23 E g %89 %AB %CD %EF %12 4 V x %9A
const TR_INFO_HASH = '%124Vx%9A%BC%DE%F1%23Eg%89%AB%CD%EF%124Vx%9A';
const TR_INFO_HASH_HEX = '123456789abcdef123456789abcdef123456789a';
const TR_PEER_ID = '-TR3000-a1b2c3d4e5f6';
const TR_QUERY =
  `info_hash=${TR_INFO_HASH}&peer_id=${TR_PEER_ID}&port=51413&uploaded=0&downloaded=0&left=100` +
  '&compact=1&event=started&numwant=80&key=abc&supportcrypto=1';

// libtorrent / qBittorrent-style: lower-case escapes (aquatic's test vector).
const QB_INFO_HASH = '%04%0bkV%3f%5cr%14%a6%b7%98%adC%c3%c9.%40%24%00%b9';
const QB_INFO_HASH_HEX = '040b6b563f5c7214a6b798ad43c3c92e402400b9';

const VALID = `info_hash=${TR_INFO_HASH}&peer_id=${TR_PEER_ID}&port=6881&left=0`;

test('Transmission-style announce: every field', (t) => {
  const { error, out } = announce(TR_QUERY);
  t.is(error, null);
  t.is(toHex(out.infoHash), TR_INFO_HASH_HEX);
  t.is(Buffer.from(out.peerId).toString('latin1'), TR_PEER_ID);
  t.is(out.port, 51413);
  t.is(out.uploaded, 0);
  t.is(out.downloaded, 0);
  t.is(out.left, 100);
  t.is(out.event, EVENT_STARTED);
  t.is(out.numWant, 80);
  t.true(out.compact);
  t.false(out.noPeerId);
});

test('the swarm layer reads info_hash and peer_id through idsView at fixed offsets', (t) => {
  const { out } = announce(TR_QUERY);
  t.is(out.idsView.getUint32(INFO_HASH_AT), 0x12345678);
  t.is(out.idsView.getUint32(INFO_HASH_AT + 16), 0x3456789a);
  t.is(out.idsView.getUint8(PEER_ID_AT), 0x2d); // "-"
  t.is(out.infoHash.buffer, out.ids.buffer);
  t.is(out.peerId.byteOffset - out.ids.byteOffset, PEER_ID_AT);
});

test('qBittorrent-style announce: lower-case escapes, stopped, compact=0, no_peer_id, ignored extras', (t) => {
  const { error, out } = announce(
    `info_hash=${QB_INFO_HASH}&peer_id=-qB4500-5ert69muw5t8&port=12345&uploaded=1&downloaded=2&left=3` +
      '&corrupt=0&redundant=0&event=stopped&compact=0&no_peer_id=1&ip=10.0.0.1&ipv6=2001%3Adb8%3A%3A1&trackerid=xyz&key=4ab4b877',
  );
  t.is(error, null);
  t.is(toHex(out.infoHash), QB_INFO_HASH_HEX);
  t.is(Buffer.from(out.peerId).toString('latin1'), '-qB4500-5ert69muw5t8');
  t.is(out.port, 12345);
  t.is(out.uploaded, 1);
  t.is(out.downloaded, 2);
  t.is(out.left, 3);
  t.is(out.event, EVENT_STOPPED);
  t.is(out.numWant, -1);
  t.false(out.compact);
  t.true(out.noPeerId);
});

test('percent escapes are case-insensitive: %ab = %AB = %aB', (t) => {
  const lower = announce(VALID.replace(TR_INFO_HASH, '%124Vx%9a%bc%de%f1%23Eg%89%ab%cd%ef%124Vx%9a'));
  const upper = announce(VALID);
  const mixed = announce(VALID.replace('%BC%DE', '%bC%De'));
  t.is(lower.error, null);
  t.is(toHex(lower.out.infoHash), TR_INFO_HASH_HEX);
  t.is(toHex(upper.out.infoHash), TR_INFO_HASH_HEX);
  t.is(toHex(mixed.out.infoHash), TR_INFO_HASH_HEX);
});

test('literal bytes: unreserved, "+" (itself, not a space), "=" inside a value, sub-delims', (t) => {
  const { error, out } = announce(`info_hash=abcdefghi+~.-_!*'()=&peer_id=${TR_PEER_ID}&port=1&left=0`);
  t.is(error, null);
  t.is(Buffer.from(out.infoHash).toString('latin1'), "abcdefghi+~.-_!*'()=");
  t.is(out.infoHash[9], 0x2b);
  // Every byte escaped also works (some clients escape everything).
  const all = announce(`info_hash=${'%41'.repeat(20)}&peer_id=${'%2D'.repeat(20)}&port=1&left=0`);
  t.is(all.error, null);
  t.is(Buffer.from(all.out.infoHash).toString('latin1'), 'A'.repeat(20));
  t.is(Buffer.from(all.out.peerId).toString('latin1'), '-'.repeat(20));
});

test('missing required fields', (t) => {
  t.is(announce('').error, QueryError.MISSING_INFO_HASH);
  t.is(announce(`peer_id=${TR_PEER_ID}&port=1&left=0`).error, QueryError.MISSING_INFO_HASH);
  t.is(announce(`info_hash=${TR_INFO_HASH}&port=1&left=0`).error, QueryError.MISSING_PEER_ID);
  t.is(announce(`info_hash=${TR_INFO_HASH}&peer_id=${TR_PEER_ID}&left=0`).error, QueryError.MISSING_PORT);
  t.is(announce(`info_hash=${TR_INFO_HASH}&peer_id=${TR_PEER_ID}&port=1`).error, QueryError.MISSING_LEFT);
  // uploaded/downloaded are optional: 0 when absent.
  const { error, out } = announce(VALID);
  t.is(error, null);
  t.is(out.uploaded, 0);
  t.is(out.downloaded, 0);
});

test('info_hash and peer_id of the wrong length', (t) => {
  const hash19 = '%AA'.repeat(19);
  const hash21 = '%AA'.repeat(21);
  t.is(announce(VALID.replace(TR_INFO_HASH, hash19)).error, QueryError.BAD_INFO_HASH);
  t.is(announce(VALID.replace(TR_INFO_HASH, hash21)).error, QueryError.BAD_INFO_HASH);
  t.is(announce(VALID.replace(TR_INFO_HASH, '')).error, QueryError.BAD_INFO_HASH);
  t.is(announce(VALID.replace('info_hash=' + TR_INFO_HASH, 'info_hash')).error, QueryError.BAD_INFO_HASH);
  t.is(announce(VALID.replace(TR_PEER_ID, TR_PEER_ID.slice(1))).error, QueryError.BAD_PEER_ID);
  t.is(announce(VALID.replace(TR_PEER_ID, TR_PEER_ID + 'x')).error, QueryError.BAD_PEER_ID);
  // A 20-character hash whose escapes make it 40 bytes of text: decoded length is what counts.
  t.is(announce(VALID.replace(TR_INFO_HASH, 'a'.repeat(40))).error, QueryError.BAD_INFO_HASH);
});

test('bad percent-encoding: %zz, a lone %, a trailing %4, a half-hex escape', (t) => {
  const base = '%AA'.repeat(19);
  for (const bad of [`${base}%zz`, `%${base}`, `${base}%`, `${'%AA'.repeat(18)}A%4`, `${base}%4g`, `${base}%g4`]) {
    t.is(announce(VALID.replace(TR_INFO_HASH, bad)).error, QueryError.BAD_PERCENT_ENCODING, bad);
  }
  t.is(announce(VALID.replace(TR_PEER_ID, '-TR3000-a1b2c3d4e5%Z')).error, QueryError.BAD_PERCENT_ENCODING);
});

test('port: 1..65535 decimal only', (t) => {
  const withPort = (port: string) => announce(VALID.replace('port=6881', `port=${port}`)).out;
  t.is(withPort('1').port, 1);
  t.is(withPort('65535').port, 65535);
  t.is(withPort('00080').port, 80);
  t.is(announce(VALID.replace('port=6881', 'port=0')).error, QueryError.PORT_ZERO);
  t.is(announce(VALID.replace('port=6881', 'port=000')).error, QueryError.PORT_ZERO);
  for (const bad of ['70000', '65536', '-1', '+80', '', '80a', '8 0', '0x50', '%38%30', '99999999999999999999']) {
    t.is(announce(VALID.replace('port=6881', `port=${bad}`)).error, QueryError.BAD_PORT, bad);
  }
});

test('byte counts: non-negative decimals up to 2^53', (t) => {
  t.is(announce(VALID.replace('left=0', `left=${MAX_BYTE_COUNT}`)).out.left, 2 ** 53);
  t.is(announce(`${VALID}&uploaded=9007199254740991&downloaded=123`).out.uploaded, 2 ** 53 - 1);
  t.is(announce(`${VALID}&downloaded=123`).out.downloaded, 123);
  t.is(announce(VALID.replace('left=0', 'left=9007199254740993')).error, QueryError.BAD_LEFT);
  t.is(announce(VALID.replace('left=0', 'left=9007199254740999')).error, QueryError.BAD_LEFT);
  t.is(announce(VALID.replace('left=0', 'left=18446744073709551615')).error, QueryError.BAD_LEFT);
  t.is(announce(VALID.replace('left=0', 'left=-1')).error, QueryError.BAD_LEFT);
  t.is(announce(VALID.replace('left=0', 'left=')).error, QueryError.BAD_LEFT);
  t.is(announce(VALID.replace('left=0', 'left=1e3')).error, QueryError.BAD_LEFT);
  t.is(announce(`${VALID}&uploaded=+1`).error, QueryError.BAD_UPLOADED);
  t.is(announce(`${VALID}&uploaded=1.5`).error, QueryError.BAD_UPLOADED);
  t.is(announce(`${VALID}&downloaded=%31`).error, QueryError.BAD_DOWNLOADED);
  t.is(announce(`${VALID}&downloaded= 1`).error, QueryError.BAD_DOWNLOADED);
});

test('parseDecimal: the 2^53 boundary is exact', (t) => {
  const parse = (text: string) => parseDecimal(bytes(text), 0, text.length);
  t.is(parse('9007199254740992'), 2 ** 53);
  t.is(parse('9007199254740993'), -1);
  t.is(parse('0009007199254740992'), 2 ** 53);
  t.is(parse('0'), 0);
  t.is(parse(''), -1);
  t.is(parse('/'), -1);
  t.is(parse(':'), -1);
});

test('numwant: absent or negative is the default (-1), garbage fails', (t) => {
  t.is(announce(VALID).out.numWant, -1);
  t.is(announce(`${VALID}&numwant=0`).out.numWant, 0);
  t.is(announce(`${VALID}&numwant=200`).out.numWant, 200);
  t.is(announce(`${VALID}&numwant=-1`).out.numWant, -1);
  t.is(announce(`${VALID}&numwant=-50`).out.numWant, -1);
  t.is(announce(`${VALID}&numwant=-0`).out.numWant, 0);
  for (const bad of ['abc', '', '-', '--1', '1.5', '+5', '12x', '99999999999999999999']) {
    t.is(announce(`${VALID}&numwant=${bad}`).error, QueryError.BAD_NUMWANT, bad);
  }
});

test('event: started/completed/stopped; empty, paused, blank and unknown are regular updates', (t) => {
  const eventOf = (value: string) => announce(`${VALID}&event=${value}`).out.event;
  t.is(announce(VALID).out.event, EVENT_NONE);
  t.is(eventOf('started'), EVENT_STARTED);
  t.is(eventOf('completed'), EVENT_COMPLETED);
  t.is(eventOf('stopped'), EVENT_STOPPED);
  t.is(eventOf('empty'), EVENT_NONE);
  t.is(eventOf('paused'), EVENT_NONE);
  t.is(eventOf(''), EVENT_NONE);
  t.is(eventOf('Started'), EVENT_NONE);
  t.is(eventOf('exploded'), EVENT_NONE);
  t.is(announce(`${VALID}&event=bogus`).error, null);
});

test('compact and no_peer_id: only "0" turns them off', (t) => {
  t.true(announce(VALID).out.compact);
  t.true(announce(`${VALID}&compact=1`).out.compact);
  t.true(announce(`${VALID}&compact`).out.compact);
  t.false(announce(`${VALID}&compact=0`).out.compact);
  t.false(announce(VALID).out.noPeerId);
  t.true(announce(`${VALID}&no_peer_id=1`).out.noPeerId);
  t.true(announce(`${VALID}&no_peer_id`).out.noPeerId);
  t.false(announce(`${VALID}&no_peer_id=0`).out.noPeerId);
});

test('duplicate keys: the last one wins', (t) => {
  const { error, out } = announce(
    `info_hash=${'%AA'.repeat(20)}&${VALID}&port=1&port=2&event=started&event=stopped&numwant=5&numwant=-1&compact=0&compact=1`,
  );
  t.is(error, null);
  t.is(toHex(out.infoHash), TR_INFO_HASH_HEX);
  t.is(out.port, 2);
  t.is(out.event, EVENT_STOPPED);
  t.is(out.numWant, -1);
  t.true(out.compact);
  // A bad value fails even if a good one follows or precedes.
  t.is(announce(`${VALID}&port=70000&port=1`).error, QueryError.BAD_PORT);
});

test('empty pairs, keys without "=", unknown and look-alike keys are ignored', (t) => {
  const { error, out } = announce(`&&${VALID}&&=&=x&info_hashes=1&ports=9&left_=x&info=1&p=1&event_=stopped&&`);
  t.is(error, null);
  t.is(out.port, 6881);
  t.is(out.event, EVENT_NONE);
});

test('a result object is reset between queries', (t) => {
  const out = createHttpAnnounce();
  const first = bytes(`${VALID}&numwant=9&compact=0&no_peer_id=1&event=started&uploaded=5`);
  t.is(readAnnounceQuery(first, 0, first.length, out), null);
  const second = bytes(VALID);
  t.is(readAnnounceQuery(second, 0, second.length, out), null);
  t.is(out.numWant, -1);
  t.true(out.compact);
  t.false(out.noPeerId);
  t.is(out.event, EVENT_NONE);
  t.is(out.uploaded, 0);
  const missing = bytes(`peer_id=${TR_PEER_ID}&port=1&left=0`);
  t.is(readAnnounceQuery(missing, 0, missing.length, out), QueryError.MISSING_INFO_HASH);
});

test('only bytes[start, end) are read', (t) => {
  const input = bytes(`GET /announce?${VALID}&port=1 HTTP/1.1`);
  const start = input.indexOf(0x3f) + 1;
  const end = input.lastIndexOf(0x20) - '&port=1'.length;
  const out = createHttpAnnounce();
  t.is(readAnnounceQuery(input, start, end, out), null);
  t.is(out.port, 6881);
  // Cut after `info_hash=%124Vx%9A%BC`: 6 bytes, not 20.
  t.is(readAnnounceQuery(input, start, start + 'info_hash=%124Vx%9A%BC'.length, out), QueryError.BAD_INFO_HASH);
  // Cut inside an escape.
  t.is(readAnnounceQuery(input, start, start + 'info_hash=%1'.length, out), QueryError.BAD_PERCENT_ENCODING);
});

test('huge queries: thousands of ignored keys, a huge value', (t) => {
  const filler = '&supportcrypto=1&redundant=0'.repeat(4000);
  const { error, out } = announce(`${filler}&${VALID}${filler}`);
  t.is(error, null);
  t.is(out.port, 6881);
  t.is(announce(VALID.replace(TR_INFO_HASH, '%41'.repeat(100_000))).error, QueryError.BAD_INFO_HASH);
  t.is(announce(VALID.replace('left=0', `left=${'9'.repeat(100_000)}`)).error, QueryError.BAD_LEFT);
});

test('percentDecode: length past max is reported, only max bytes written', (t) => {
  const out = new Uint8Array(4).fill(0xee);
  const input = bytes('ab%63%64e');
  t.is(percentDecode(input, 0, input.length, out, 1, 2), 5);
  t.is(toHex(out), 'ee6162ee');
  t.is(percentDecode(bytes('%'), 0, 1, out, 0, 4), -1);
  t.is(percentDecode(bytes('%4'), 0, 2, out, 0, 4), -1);
  t.is(percentDecode(bytes(''), 0, 0, out, 0, 4), 0);
});

test('percentEncode: unreserved stay literal, the rest become upper-case escapes; decodes back', (t) => {
  const input = Uint8Array.from([0x12, 0x34, 0x56, 0x78, 0x9a, 0x2b, 0x2e, 0x7e, 0x5f, 0x2d, 0x20, 0x00, 0xff]);
  const out = new Uint8Array(64);
  const length = percentEncode(input, 0, input.length, out, 0);
  t.is(Buffer.from(out.subarray(0, length)).toString('latin1'), '%124Vx%9A%2B.~_-%20%00%FF');
  let seed = 7;
  const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 16) & 255;
  for (let round = 0; round < 500; round++) {
    const hash = Uint8Array.from({ length: 20 }, random);
    const encoded = new Uint8Array(60);
    const encodedLength = percentEncode(hash, 0, 20, encoded, 0);
    const decoded = new Uint8Array(20);
    t.is(percentDecode(encoded, 0, encodedLength, decoded, 0, 20), 20);
    t.deepEqual(decoded, hash);
  }
});

// Scrape.

const HASH_A = '%AA'.repeat(20);
const HASH_B = '%BB'.repeat(20);
const HASH_1 = '%01'.repeat(20);
const HASH_F = '%FF'.repeat(20);

test('scrape without info_hash is a full scrape: refused', (t) => {
  t.is(scrape('').error, QueryError.FULL_SCRAPE);
  t.is(scrape('foo=bar&info_hashes=1').error, QueryError.FULL_SCRAPE);
});

test('scrape with one info_hash', (t) => {
  const { error, out, hashes } = scrape(`info_hash=${QB_INFO_HASH}`);
  t.is(error, null);
  t.is(out.count, 1);
  t.deepEqual(hashes, [QB_INFO_HASH_HEX]);
  t.is(out.infoHashesView.getUint32(0), 0x040b6b56);
});

test('scrape with many: sorted in byte order, duplicates dropped, other keys ignored', (t) => {
  const { error, out, hashes } = scrape(
    `info_hash=${HASH_B}&info_hash=${HASH_F}&x=1&info_hash=${HASH_A}&info_hash=${HASH_B}&info_hash=${HASH_1}&info_hash=${HASH_A}`,
  );
  t.is(error, null);
  t.is(out.count, 4);
  t.deepEqual(hashes, ['01'.repeat(20), 'aa'.repeat(20), 'bb'.repeat(20), 'ff'.repeat(20)]);
});

test('scrape cap: the first maxHashes distinct hashes are kept, the rest ignored unread', (t) => {
  const { error, out, hashes } = scrape(
    `info_hash=${HASH_F}&info_hash=${HASH_F}&info_hash=${HASH_B}&info_hash=${HASH_A}&info_hash=${HASH_1}&info_hash=%zz`,
    3,
  );
  t.is(error, null);
  t.is(out.count, 3);
  t.deepEqual(hashes, ['aa'.repeat(20), 'bb'.repeat(20), 'ff'.repeat(20)]);
  t.throws(() => createHttpScrape(0), { instanceOf: RangeError });
});

test('scrape: one malformed info_hash within the cap fails the request', (t) => {
  t.is(scrape(`info_hash=${HASH_A}&info_hash=${'%AA'.repeat(19)}`).error, QueryError.BAD_INFO_HASH);
  t.is(scrape(`info_hash=${HASH_A}&info_hash=%zz${'%AA'.repeat(19)}`).error, QueryError.BAD_PERCENT_ENCODING);
  t.is(scrape('info_hash').error, QueryError.BAD_INFO_HASH);
});

test('scrape at full size: 100 distinct hashes in random order come out sorted', (t) => {
  const hexes = Array.from({ length: 100 }, (_, i) => ((i * 37) % 256).toString(16).padStart(2, '0').repeat(20));
  const query = hexes.map((hex) => `info_hash=${hex.replace(/(..)/g, '%$1')}`).join('&');
  const { error, hashes } = scrape(query, 100);
  t.is(error, null);
  t.deepEqual(hashes, [...hexes].sort());
});

// Routing.

function route(target: string, routes = createHttpRoutes()) {
  const input = bytes(target);
  const out = createHttpTarget();
  routeTarget(input, 0, input.length, routes, out);
  const text = (start: number, end: number) => target.slice(start, end);
  return {
    route: out.route,
    path: text(out.pathStart, out.pathEnd),
    suffix: text(out.suffixStart, out.suffixEnd),
    query: text(out.queryStart, out.queryEnd),
  };
}

test('routeTarget: announce and scrape, with and without a query', (t) => {
  t.deepEqual(route('/announce?info_hash=x&a=b'), { route: HttpRoute.ANNOUNCE, path: '/announce', suffix: '', query: 'info_hash=x&a=b' });
  t.deepEqual(route('/announce'), { route: HttpRoute.ANNOUNCE, path: '/announce', suffix: '', query: '' });
  t.deepEqual(route('/announce?'), { route: HttpRoute.ANNOUNCE, path: '/announce', suffix: '', query: '' });
  t.deepEqual(route('/scrape?info_hash=x'), { route: HttpRoute.SCRAPE, path: '/scrape', suffix: '', query: 'info_hash=x' });
  // Only the first "?" splits; later ones belong to the query.
  t.is(route('/announce?a=?&b').query, 'a=?&b');
});

test('routeTarget: passkey-style suffixes are recorded', (t) => {
  t.deepEqual(route('/announce/0123abcd?port=1'), { route: HttpRoute.ANNOUNCE, path: '/announce/0123abcd', suffix: '0123abcd', query: 'port=1' });
  t.deepEqual(route('/scrape/key/more'), { route: HttpRoute.SCRAPE, path: '/scrape/key/more', suffix: 'key/more', query: '' });
  t.deepEqual(route('/announce/?x'), { route: HttpRoute.ANNOUNCE, path: '/announce/', suffix: '', query: 'x' });
});

test('routeTarget: anything else is OTHER', (t) => {
  for (const target of ['/', '', '*', '/announcex', '/announce.php', '/scrapes', '/Announce', '/x/announce', 'announce?x', '//announce', '/stats?x']) {
    t.is(route(target).route, HttpRoute.OTHER, target);
  }
  t.is(route('/stats?mode=tpbs').query, 'mode=tpbs');
});

test('routeTarget: absolute-form targets route by their path', (t) => {
  t.deepEqual(route('http://tracker.example:6969/announce?a=1'), { route: HttpRoute.ANNOUNCE, path: '/announce', suffix: '', query: 'a=1' });
  t.is(route('HTTPS://h/scrape').route, HttpRoute.SCRAPE);
  t.is(route('http://h?x').route, HttpRoute.OTHER);
  t.is(route('http://h').route, HttpRoute.OTHER);
  t.is(route('httpx://h/announce').route, HttpRoute.OTHER);
  t.is(route('http:/h/announce').route, HttpRoute.OTHER);
});

test('routeTarget: configured paths', (t) => {
  const routes = createHttpRoutes('/tracker/announce.php', '/tracker/scrape.php');
  t.is(route('/tracker/announce.php?x', routes).route, HttpRoute.ANNOUNCE);
  t.is(route('/tracker/scrape.php', routes).route, HttpRoute.SCRAPE);
  t.is(route('/announce', routes).route, HttpRoute.OTHER);
  for (const bad of ['announce', '/', '/announce/', '/a?b', '/a b', '/é', '']) {
    t.throws(() => createHttpRoutes(bad), { instanceOf: RangeError }, bad);
  }
  t.throws(() => createHttpRoutes('/same', '/same'), { instanceOf: RangeError });
});

test('routeTarget then readAnnounceQuery over one request line', (t) => {
  const line = bytes(`GET /announce/pk?${TR_QUERY} HTTP/1.1`);
  const targetStart = 4;
  const targetEnd = line.length - ' HTTP/1.1'.length;
  const target = createHttpTarget();
  t.is(routeTarget(line, targetStart, targetEnd, createHttpRoutes(), target), HttpRoute.ANNOUNCE);
  t.is(Buffer.from(line.subarray(target.suffixStart, target.suffixEnd)).toString(), 'pk');
  const out = createHttpAnnounce();
  t.is(readAnnounceQuery(line, target.queryStart, target.queryEnd, out), null);
  t.is(out.numWant, 80);
});

// Hostile input.

test('random bytes through every decoder: failures are returned, never thrown', (t) => {
  let seed = 0x5eed;
  const random = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed >>> 8;
  };
  // Half the inputs are drawn from query-ish bytes so that parsing gets deep.
  const alphabet = bytes('%&=+-0123456789abcdefABCDEF_info_hashpeer_idportleftnumwanteventcompact?/');
  const announceOut = createHttpAnnounce();
  const scrapeOut = createHttpScrape(5);
  const target = createHttpTarget();
  const routes = createHttpRoutes();
  const scratch = new Uint8Array(32);
  const valid = bytes(TR_QUERY);
  let accepted = 0;
  for (let round = 0; round < 5000; round++) {
    let input: Uint8Array;
    if (round % 3 === 2) {
      // Mutate a valid query in a few places.
      input = valid.slice();
      for (let k = random() % 4; k >= 0; k--) input[random() % input.length] = round % 2 ? alphabet[random() % alphabet.length]! : random() & 255;
    } else {
      input = new Uint8Array(random() % 300);
      for (let i = 0; i < input.length; i++) input[i] = round % 3 === 0 ? random() & 255 : alphabet[random() % alphabet.length]!;
    }
    const start = input.length === 0 ? 0 : random() % input.length;
    t.notThrows(() => {
      const error = readAnnounceQuery(input, start, input.length, announceOut);
      if (error === null) accepted++;
      else if (typeof error !== 'string' || error.length === 0) throw new Error('bad failure reason');
      readScrapeQuery(input, 0, input.length, scrapeOut);
      routeTarget(input, 0, input.length, routes, target);
      percentDecode(input, 0, input.length, scratch, 0, 20);
      parseDecimal(input, 0, input.length);
      try {
        decodeBencode(input);
      } catch (error) {
        if (!(error instanceof BencodeError)) throw error;
      }
    });
    if (scrapeOut.count > 5) t.fail('scrape cap exceeded');
  }
  t.true(accepted > 0, 'some mutated queries stay valid');
});
