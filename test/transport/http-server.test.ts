// The lean HTTP/1.x transport through real sockets: keep-alive, pipelining, HTTP/1.0,
// limits, timeouts, TLS with certificate reload. The handler echoes the request target.
import { readFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import test from 'ava';
import { type HttpServerOptions, HttpServer } from '../../src/transport/http/server.js';

function ok(body: string, keepAlive: boolean): Buffer {
  return Buffer.from(`HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\n${keepAlive ? '' : 'Connection: close\r\n'}\r\n${body}`);
}

const fixtures = new URL('../../../test/fixtures/tls/', import.meta.url);
const pem = (name: string) => readFileSync(new URL(name, fixtures));

const defaults: HttpServerOptions = {
  host: '127.0.0.1',
  port: 0,
  keepAlive: true,
  maxRequestHeadBytes: 4096,
  idleTimeoutSeconds: 30,
  requestTimeoutSeconds: 1,
  maxConnections: 100,
  forwardedHeader: 'x-forwarded-for',
};

async function start(t: import('ava').ExecutionContext, options: Partial<HttpServerOptions> = {}) {
  const server = new HttpServer({ ...defaults, ...options }, (request) => {
    const target = request.bytes.toString('latin1', request.targetStart, request.targetEnd);
    if (target === '/boom') throw new Error('handler bug');
    return ok(`${target}|${request.forwarded ?? '-'}|${request.remoteAddress}`, request.keepAlive);
  });
  const port = await server.listen();
  t.teardown(() => server.close());
  return { server, port };
}

/** Sends raw bytes, collects everything until the server closes or `until` matches. */
function exchange(port: number, payload: string | string[], until?: RegExp, ca?: Buffer): Promise<string> {
  const secure = ca !== undefined;
  return new Promise((resolve, reject) => {
    const socket: net.Socket = secure
      ? tls.connect({ host: '127.0.0.1', port, ca, servername: 'localhost' })
      : net.connect({ host: '127.0.0.1', port });
    let text = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no end within 10 s; got ${JSON.stringify(text)}`));
    }, 10_000);
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(text);
    };
    socket.on(secure ? 'secureConnect' : 'connect', () => {
      for (const part of Array.isArray(payload) ? payload : [payload]) socket.write(part);
    });
    socket.on('data', (chunk) => {
      text += chunk.toString('latin1');
      if (until?.test(text)) finish();
    });
    socket.on('end', finish);
    socket.on('close', finish);
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

const GET = (target: string, extra = '') => `GET ${target} HTTP/1.1\r\nHost: x\r\n${extra}\r\n`;

test('answers GET with the target and keeps the connection alive', async (t) => {
  const { port } = await start(t);
  const text = await exchange(port, GET('/announce?a=1'), /\|127\.0\.0\.1$/);
  t.regex(text, /^HTTP\/1\.1 200 OK\r\n/);
  t.regex(text, /Content-Length: 25\r\n/);
  t.notRegex(text, /Connection: close/);
  t.true(text.endsWith('\r\n\r\n/announce?a=1|-|127.0.0.1'));
});

test('pipelined requests are answered in order, even split across packets', async (t) => {
  const { port } = await start(t);
  const all = GET('/1') + GET('/2') + GET('/3', 'Connection: close\r\n');
  const text = await exchange(port, [all.slice(0, 10), all.slice(10, 37), all.slice(37)]);
  const bodies = [...text.matchAll(/\r\n\r\n(\/\d)\|/g)].map((m) => m[1]);
  t.deepEqual(bodies, ['/1', '/2', '/3']);
  t.regex(text, /Connection: close\r\n\r\n\/3/);
});

test('HTTP/1.0 closes unless it asks for keep-alive; keep_alive = false always closes', async (t) => {
  const { port } = await start(t);
  t.regex(await exchange(port, 'GET /x HTTP/1.0\r\n\r\n'), /Connection: close/);
  t.notRegex(await exchange(port, 'GET /x HTTP/1.0\r\nConnection: keep-alive\r\n\r\n', /\|127\.0\.0\.1$/), /Connection: close/);
  const off = await start(t, { keepAlive: false });
  t.regex(await exchange(off.port, GET('/x')), /Connection: close/);
});

test('the configured forwarded header reaches the handler, repeated ones joined', async (t) => {
  const { port } = await start(t);
  const text = await exchange(port, GET('/f', 'X-Forwarded-For: 10.0.0.1\r\nx-forwarded-for: 10.0.0.2\r\n'), /127\.0\.0\.1$/);
  t.true(text.endsWith('/f|10.0.0.1, 10.0.0.2|127.0.0.1'));
});

test('malformed requests get a short 4xx/5xx and the connection closes', async (t) => {
  const { server, port } = await start(t);
  t.regex(await exchange(port, 'garbage\r\n\r\n'), /^HTTP\/1\.1 400 /);
  t.regex(await exchange(port, 'GET / HTTP/2.0\r\n\r\n'), /^HTTP\/1\.1 505 /);
  t.regex(await exchange(port, 'GET / HTTP/1.1\r\nno colon here\r\n\r\n'), /^HTTP\/1\.1 400 /);
  t.regex(await exchange(port, 'GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n'), /^HTTP\/1\.1 400 /);
  t.regex(await exchange(port, `GET /${'a'.repeat(5000)} HTTP/1.1\r\n\r\n`), /^HTTP\/1\.1 431 /);
  t.regex(await exchange(port, `GET / HTTP/1.1\r\nX-Big: ${'b'.repeat(5000)}`), /^HTTP\/1\.1 431 /);
  t.regex(await exchange(port, GET('/boom')), /^HTTP\/1\.1 500 /);
  t.true(server.counters.rejected >= 6);
});

test('other methods get 405 and the connection carries on; bodies are skipped', async (t) => {
  const { port } = await start(t);
  const text = await exchange(port, 'POST /announce HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello' + GET('/after'), /\/after\|/);
  t.regex(text, /^HTTP\/1\.1 405 Method Not Allowed\r\n[\s\S]*Allow: GET\r\n/);
  t.regex(text, /200 OK[\s\S]*\/after\|/);
});

test('a client that never finishes its request is cut off (slowloris)', async (t) => {
  const { server, port } = await start(t, { requestTimeoutSeconds: 1 });
  const text = await exchange(port, 'GET /slow HTTP/1.1\r\nHost: x\r\n');
  t.regex(text, /^HTTP\/1\.1 408 /);
  t.is(server.counters.timeouts, 1);
});

test('TLS: serves over HTTPS and reloads the certificate without dropping the listener', async (t) => {
  const { server, port } = await start(t, { tls: { key: pem('key.pem'), cert: pem('cert.pem') } });
  t.regex(await exchange(port, GET('/secure', 'Connection: close\r\n'), undefined, pem('cert.pem')), /\r\n\r\n\/secure\|/);
  server.setSecureContext({ key: pem('key2.pem'), cert: pem('cert2.pem') });
  const peer = await new Promise<tls.PeerCertificate>((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
      resolve(socket.getPeerCertificate());
      socket.destroy();
    });
    socket.on('error', reject);
  });
  t.is(peer.subject.CN, 'localhost-2');
  // A plain-text client on the TLS port does not disturb the server.
  await exchange(port, GET('/plain')).catch(() => '');
  t.regex(await exchange(port, GET('/again', 'Connection: close\r\n'), undefined, pem('cert2.pem')), /\/again\|/);
});

test('maxConnections bounds concurrent connections', async (t) => {
  const { server, port } = await start(t, { maxConnections: 2 });
  const open = await Promise.all(
    [0, 1].map(
      () =>
        new Promise<net.Socket>((resolve) => {
          const s = net.connect({ host: '127.0.0.1', port }, () => resolve(s));
        }),
    ),
  );
  t.teardown(() => open.forEach((s) => s.destroy()));
  const third = await exchange(port, GET('/third')).catch((error: NodeJS.ErrnoException) => error.code);
  t.true(third === '' || third === 'ECONNRESET', `the third connection is closed at once (${third})`);
  t.is(server.connectionCount, 2);
});

test('deferred replies still go out in request order', async (t) => {
  const server = new HttpServer(defaults, (request, later) => {
    const target = request.bytes.toString('latin1', request.targetStart, request.targetEnd);
    const reply = ok(target, request.keepAlive);
    // /1 and /3 answer later, /3 before /1: the client must still see /1, /2, /3.
    if (target === '/1') setTimeout(() => later.send(reply), 20).unref();
    else if (target === '/3') setImmediate(() => later.send(reply));
    else return reply;
    return null;
  });
  const port = await server.listen();
  t.teardown(() => server.close());
  const text = await exchange(port, GET('/1') + GET('/2') + GET('/3', 'Connection: close\r\n'));
  t.deepEqual([...text.matchAll(/\r\n\r\n(\/\d)/g)].map((m) => m[1]), ['/1', '/2', '/3']);
});

test('a listener made elsewhere can be served by fd', async (t) => {
  const { loadNativeBinding } = await import('../../src/transport/udp/binding.js');
  const { binding } = loadNativeBinding();
  if (binding === null) {
    t.pass('needs the native addon');
    return;
  }
  const fd = binding.tcpListen('127.0.0.1', 0, binding.FLAG_REUSEPORT, 128);
  const server = new HttpServer({ ...defaults, fd }, (request) => ok('by fd', request.keepAlive));
  const port = await server.listen();
  t.teardown(() => server.close());
  t.regex(await exchange(port, GET('/', 'Connection: close\r\n')), /by fd$/);
});

test('a client that pipelines without reading its replies is paused, not buffered without bound', async (t) => {
  let handled = 0;
  const server = new HttpServer(defaults, (request) => {
    handled++;
    return ok('x'.repeat(200), request.keepAlive);
  });
  const port = await server.listen();
  t.teardown(() => server.close());
  const socket = net.connect({ host: '127.0.0.1', port });
  t.teardown(() => socket.destroy());
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  socket.pause(); // never read
  const requests = GET('/a').repeat(200_000); // 200k requests, ~5 MB
  socket.write(requests);
  const deadline = Date.now() + 10_000;
  while (server.counters.paused === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  t.is(server.counters.paused, 1);
  const atPause = handled;
  t.true(atPause < 200_000, `handled ${atPause} of 200000 while the client read nothing`);
  // Reading resumes the parsing: every request is answered in the end.
  let received = 0;
  socket.on('data', (chunk: Buffer) => (received += chunk.length));
  socket.resume();
  while (handled < 200_000 && Date.now() < deadline + 20_000) await new Promise((resolve) => setTimeout(resolve, 20));
  t.is(handled, 200_000);
});
