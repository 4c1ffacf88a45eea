// Floods on loopback, bounded in count: spoofed-looking traffic (bad connection IDs) gets
// no reply and leaves no state; connect floods are answered without storing anything.
import test from 'ava';
import { startTestTracker } from '../helpers/tracker.js';
import { UdpTestClient, infoHash } from '../helpers/udp-client.js';

const SOCKETS = 20;
const PER_SOCKET = 500;

test('10 000 announces with bad connection IDs from 20 ports: no reply, no state', async (t) => {
  const tracker = await startTestTracker(t);
  const clients = await Promise.all(Array.from({ length: SOCKETS }, () => UdpTestClient.open('127.0.0.1', tracker.port)));
  t.teardown(() => clients.forEach((c) => c.close()));
  for (const [k, client] of clients.entries()) {
    for (let n = 0; n < PER_SOCKET; n++) {
      client.send(client.announceBytes({ infoHash: infoHash(n), port: 1000 + n, connectionId: { high: n, low: k } }, n));
    }
  }
  // A connect after the flood is answered after everything before it on that socket.
  const before = await Promise.all(clients.map((c) => c.repliesBeforeConnect(new Uint8Array(0))));
  t.true(before.every((replies) => replies.length === 0), 'no reply to any bad ID');
  t.is(tracker.store.torrentCount, 0);
  t.is(tracker.store.ipv4.peers, 0);
  const dropped = tracker.handler.counters.badConnectionId;
  t.true(dropped > 0 && dropped <= SOCKETS * PER_SOCKET, `${dropped} dropped`);
});

test('a connect flood is answered one for one and stores nothing', async (t) => {
  const tracker = await startTestTracker(t);
  const clients = await Promise.all(Array.from({ length: SOCKETS }, () => UdpTestClient.open('127.0.0.1', tracker.port)));
  t.teardown(() => clients.forEach((c) => c.close()));
  const answers = await Promise.all(
    clients.map(async (client) => {
      let answered = 0;
      for (let n = 0; n < 50; n++) {
        await client.connect();
        answered++;
      }
      return answered;
    }),
  );
  t.is(answers.reduce((a, b) => a + b, 0), SOCKETS * 50);
  t.is(tracker.store.torrentCount, 0);
  // Connection IDs are stateless: a thousand connects leave nothing to clean.
  t.is(tracker.handler.counters.connect, SOCKETS * 50);
});
