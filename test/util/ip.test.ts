// IP text <-> 16-byte form used in packet metadata.
import test from 'ava';
import { formatIp16, formatIpv6, parseIpv4, writeIpAs16 } from '../../src/util/ip.js';
import { parseSocketAddress } from '../../src/util/address.js';

const as16 = (text: string) => {
  const out = new Uint8Array(16);
  const family = writeIpAs16(text, out, 0);
  return { family, hex: Buffer.from(out).toString('hex') };
};

test('IPv4 is stored IPv4-mapped', (t) => {
  t.deepEqual(as16('192.0.2.1'), { family: 4, hex: '00000000000000000000ffffc0000201' });
  t.deepEqual(as16('::ffff:192.0.2.1'), { family: 4, hex: '00000000000000000000ffffc0000201' });
});

test('IPv6 forms, including zones and embedded IPv4', (t) => {
  t.deepEqual(as16('::1'), { family: 6, hex: '00000000000000000000000000000001' });
  t.deepEqual(as16('2001:db8::8:800:200c:417a'), { family: 6, hex: '20010db8000000000008080020 0c417a'.replace(' ', '') });
  t.deepEqual(as16('fe80::1%lo'), { family: 6, hex: 'fe800000000000000000000000000001' });
  t.deepEqual(as16('::'), { family: 6, hex: '0'.repeat(32) });
  t.deepEqual(as16('64:ff9b::192.0.2.33'), { family: 6, hex: '0064ff9b0000000000000000c0000221' });
});

test('garbage is not an address', (t) => {
  for (const text of ['', '1.2.3', '1.2.3.4.5', '256.1.1.1', '1..2.3', ':::', '1::2::3', 'g::1', '1:2:3:4:5:6:7:8:9', 'localhost']) {
    t.is(writeIpAs16(text, new Uint8Array(16), 0), 0, text);
  }
  t.is(parseIpv4('01.2.3.4'), 0x01020304);
});

test('RFC 5952 text for IPv6', (t) => {
  const bytes = Buffer.from('20010db8000000000001000000000001', 'hex');
  t.is(formatIpv6(bytes, 0), '2001:db8::1:0:0:1');
  t.is(formatIp16(Buffer.from('00000000000000000000ffff7f000001', 'hex'), 0), '127.0.0.1');
  t.is(formatIpv6(Buffer.alloc(16), 0), '::');
});

test('socket addresses as written in configuration', (t) => {
  t.deepEqual(parseSocketAddress('0.0.0.0:3000'), { host: '0.0.0.0', port: 3000, family: 4 });
  t.deepEqual(parseSocketAddress('[::]:0'), { host: '::', port: 0, family: 6 });
  for (const bad of ['::1:3000', '1.2.3.4', '1.2.3.4:70000', '[1.2.3.4]:1', 'host:1', '']) {
    t.is(typeof parseSocketAddress(bad), 'string', bad);
  }
});
