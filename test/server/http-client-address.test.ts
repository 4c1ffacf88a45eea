// Client addresses behind reverse proxies: rightmost entry, trusted proxies only.
import test from 'ava';
import { clientAddress } from '../../src/server/http/client-address.js';

const direct = { behindProxy: false, trustedProxies: new Set<string>() };
const proxied = { behindProxy: true, trustedProxies: new Set(['127.0.0.1', '::1']) };

test('without a proxy the connection address is used and the header ignored', (t) => {
  t.is(clientAddress(direct, '192.0.2.1', '10.0.0.1'), '192.0.2.1');
  t.is(clientAddress(direct, '::ffff:192.0.2.1', null), '192.0.2.1');
  t.is(clientAddress(direct, '2001:db8::1', null), '2001:db8::1');
});

test('behind a proxy the rightmost header entry is the client', (t) => {
  t.is(clientAddress(proxied, '127.0.0.1', '6.6.6.6, 192.0.2.7'), '192.0.2.7');
  t.is(clientAddress(proxied, '::1', '2001:db8::5'), '2001:db8::5');
  t.is(clientAddress(proxied, '::ffff:127.0.0.1', '[2001:db8::6]:4433'), '2001:db8::6');
  t.is(clientAddress(proxied, '127.0.0.1', '192.0.2.8:5000'), '192.0.2.8');
});

test('a missing or bad header, or an untrusted sender, is an error, not a crash', (t) => {
  t.deepEqual(clientAddress(proxied, '127.0.0.1', null), { error: 'missing reverse proxy client address header' });
  t.deepEqual(clientAddress(proxied, '127.0.0.1', 'unknown'), { error: 'invalid client address in the reverse proxy header' });
  t.deepEqual(clientAddress(proxied, '127.0.0.1', '1.2.3.4, '), { error: 'invalid client address in the reverse proxy header' });
  t.deepEqual(clientAddress(proxied, '192.0.2.99', '1.2.3.4'), { error: 'request did not come through a trusted reverse proxy' });
});
