// The embedding API as the README shows it.
import test from 'ava';
import { createHttpTracker, createUdpTracker, createWsTracker, isAquaticError } from '../src/index.js';
import { get } from './helpers/http-client.js';
import { UdpTestClient, infoHash } from './helpers/udp-client.js';

test('README example: start the three trackers from objects, use them, close them', async (t) => {
  const udp = await createUdpTracker({ log_level: 'off', network: { address: '127.0.0.1:0' } });
  const http = await createHttpTracker({ log_level: 'off', network: { address: '127.0.0.1:0' }, protocol: { max_peers: 30 } });
  const ws = await createWsTracker({ log_level: 'off', network: { address: '127.0.0.1:0' } });
  t.teardown(() => Promise.all([udp.close(), http.close(), ws.close()]));

  const client = await UdpTestClient.open('127.0.0.1', udp.port);
  t.teardown(() => client.close());
  await client.connect();
  t.is((await client.announce({ infoHash: infoHash(1), port: 1 })).action, 1);
  t.regex((await get(`http://127.0.0.1:${http.port}/`)).body.toString(), /BitTorrent tracker/);
  t.is((await get(`http://127.0.0.1:${ws.port}/health`)).status, 200);
});

test('a bad key in the object is the same error as in a file', async (t) => {
  const error = await t.throwsAsync(createUdpTracker({ protocol: { max_response_peers: 5000 } }));
  t.true(isAquaticError(error));
  t.regex(error!.message, /`protocol\.max_response_peers`: must be from 1 to 200/);
});
