// aquatic_http: the HTTP/HTTPS tracker executable (BEP 3, 7, 23, 48).
import { httpConfigSchema } from '../config/http.js';
import { startHttpTracker } from '../server/http/tracker.js';
import { type ExecutableSpec, main } from './program.js';

export const aquaticHttp: ExecutableSpec<typeof httpConfigSchema> = {
  name: 'aquatic_http',
  description: 'BitTorrent HTTP/HTTPS tracker (BEP 3, 7, 23, 48), IPv4 and IPv6.',
  schema: httpConfigSchema,
  start: startHttpTracker,
};

export function run(): void {
  main(aquaticHttp);
}
