// Connection IDs: accepted from the address they were issued to, within their age; refused
// when forged, stale, stamped in the future, or shown from another address.
import test from 'ava';
import { ConnectionIdValidator, createConnectionIdSecret } from '../../src/server/udp/connection-id.js';
import { writeIpAs16 } from '../../src/util/ip.js';

function address(text: string): Uint8Array {
  const bytes = new Uint8Array(16);
  writeIpAs16(text, bytes, 0);
  return bytes;
}

function setup(maxAge = 120) {
  const secret = createConnectionIdSecret();
  let now = secret.epochMs + 1_000_000;
  const validator = new ConnectionIdValidator(secret, maxAge, () => now);
  return {
    secret,
    validator,
    advance(seconds: number) {
      now += seconds * 1000;
      validator.tick();
    },
  };
}

test('an ID is valid for the address it was issued to', (t) => {
  const { validator } = setup();
  const a = address('192.0.2.1');
  validator.create(a, 0);
  t.true(validator.isValid(validator.high, validator.low, a, 0));
});

test('an ID is not valid from another address, IPv4 or IPv6', (t) => {
  const { validator } = setup();
  validator.create(address('192.0.2.1'), 0);
  const { high, low } = validator;
  t.false(validator.isValid(high, low, address('192.0.2.2'), 0));
  t.false(validator.isValid(high, low, address('2001:db8::1'), 0));
});

test('a forged MAC or timestamp is refused', (t) => {
  const { validator } = setup();
  const a = address('192.0.2.1');
  validator.create(a, 0);
  const { high, low } = validator;
  for (let bit = 0; bit < 32; bit++) {
    t.false(validator.isValid(high, (low ^ (1 << bit)) >>> 0, a, 0));
  }
  t.false(validator.isValid(high - 1, low, a, 0), 'another timestamp changes the MAC');
});

test('an ID expires after max_connection_age seconds, not before', (t) => {
  const { validator, advance } = setup(360);
  const a = address('2001:db8::7');
  validator.create(a, 0);
  const { high, low } = validator;
  advance(300); // uTorrent-like reuse after 5 minutes
  t.true(validator.isValid(high, low, a, 0));
  advance(60);
  t.true(validator.isValid(high, low, a, 0), 'valid at exactly max age');
  advance(1);
  t.false(validator.isValid(high, low, a, 0));
});

test('an ID stamped in the future is refused even with a correct MAC', (t) => {
  const { secret, validator } = setup();
  // A validator whose clock runs 60 s ahead signs a timestamp from our future.
  const ahead = new ConnectionIdValidator(secret, 120, () => secret.epochMs + 1_000_000 + 60_000);
  const a = address('192.0.2.9');
  ahead.create(a, 0);
  t.true(ahead.isValid(ahead.high, ahead.low, a, 0));
  t.false(validator.isValid(ahead.high, ahead.low, a, 0));
});

test('another process (another key) does not accept our IDs', (t) => {
  const { validator } = setup();
  const other = new ConnectionIdValidator(createConnectionIdSecret(), 120);
  const a = address('192.0.2.1');
  validator.create(a, 0);
  t.false(other.isValid(validator.high, validator.low, a, 0));
});

test('workers sharing a secret accept each other\'s IDs', (t) => {
  const secret = createConnectionIdSecret();
  const one = new ConnectionIdValidator(secret, 120);
  const two = new ConnectionIdValidator(secret, 120);
  const a = address('::ffff:10.1.2.3');
  one.create(a, 0);
  t.true(two.isValid(one.high, one.low, a, 0));
});

test('a wall clock stepped back before the start does not break IDs', (t) => {
  const secret = createConnectionIdSecret();
  let now = secret.epochMs + 10_000;
  const validator = new ConnectionIdValidator(secret, 120, () => now);
  const a = address('192.0.2.1');
  validator.create(a, 0);
  const { high, low } = validator;
  now = secret.epochMs - 3_600_000; // NTP steps an hour back
  validator.tick();
  t.true(validator.isValid(high, low, a, 0));
  validator.create(a, 0);
  t.true(validator.isValid(validator.high, validator.low, a, 0), 'new IDs are not stamped in the far future');
});
