// peer_id -> client (BEP 20): the conventions' own examples, what real clients send, and a
// fixed set of answers whatever bytes a peer picks.
import test from 'ava';
import fc from 'fast-check';
import { PEER_CLIENTS, PEER_CLIENT_OTHER, classifyPeerId } from '../../src/protocol/peer-client.js';

/** The client name for a peer_id given as its printable prefix (padded to 20 bytes with 'x'). */
function clientOf(prefix: string, at = 0): string {
  const bytes = new Uint8Array(at + 20).fill(0x78);
  bytes.set(Buffer.from(prefix, 'latin1'), at);
  return PEER_CLIENTS[classifyPeerId(bytes, at)]!;
}

test('Azureus style: a known two-character code names the client, whatever the version characters', (t) => {
  t.is(clientOf('-AZ2060-'), 'Vuze'); // BEP 20's example
  t.is(clientOf('-qB4650-'), 'qBittorrent');
  t.is(clientOf('-TR4060-'), 'Transmission');
  t.is(clientOf('-UT355W-'), 'uTorrent');
  t.is(clientOf('-lt0D80-'), 'rTorrent');
  t.is(clientOf('-LT2090-'), 'libtorrent (Rasterbar)');
  t.is(clientOf('-WW0100-'), 'WebTorrent');
  t.is(clientOf('-A~0100-'), 'Ares');
  t.is(clientOf('-qB4650-', 7), 'qBittorrent', 'read at an offset');
});

test('Mainline, aria2 and Shad0w style', (t) => {
  t.is(clientOf('M4-3-6--'), 'Mainline'); // BEP 20's examples
  t.is(clientOf('M4-20-8-'), 'Mainline');
  t.is(clientOf('A2-1-36-0-'), 'aria2');
  t.is(clientOf('T03I-----'), 'BitTornado');
  t.is(clientOf('S58B-----'), "Shad0w's client");
  t.is(clientOf('T03A0-000'), 'BitTornado', 'a multi-torrent client counts its downloads in the last three');
});

test('everything else is "other"', (t) => {
  t.is(clientOf('-ZZ1234-'), 'other', 'an unknown code');
  t.is(clientOf('-qB46!0-'), 'other', 'a version that is not alphanumeric');
  t.is(clientOf('-qB4650x'), 'other', 'no closing dash');
  t.is(clientOf('M4-3-6-x'), 'other');
  t.is(clientOf('Mx-3-6--'), 'other');
  t.is(clientOf('T-3I-----'), 'other', 'Shad0w style needs a version digit first');
  t.is(clientOf('T03I!----'), 'other');
  t.is(clientOf('Z03I-----'), 'other', 'an unknown Shad0w code');
  t.is(clientOf('\x00'.repeat(20)), 'other');
  t.is(PEER_CLIENTS[PEER_CLIENT_OTHER], 'other');
});

test('any 20 bytes map into the fixed list, so peers cannot add names', (t) => {
  const names = new Set(PEER_CLIENTS);
  t.is(names.size, PEER_CLIENTS.length, 'no name twice');
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 20, maxLength: 20 }), fc.constantFrom('-', 'M', 'T', 'A2-', ''), (bytes, lead) => {
      bytes.set(Buffer.from(lead, 'latin1'));
      const index = classifyPeerId(bytes, 0);
      return Number.isInteger(index) && index >= 0 && index < PEER_CLIENTS.length;
    }),
    { numRuns: 5000 },
  );
  t.pass();
});
