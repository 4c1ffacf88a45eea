// aquatic_ws: the WebTorrent tracker executable (WebSocket, bittorrent-tracker's protocol).
import { wsConfigSchema } from '../config/ws.js';
import { startWsTracker } from '../server/ws/tracker.js';
import { type ExecutableSpec, main } from './program.js';

export const aquaticWs: ExecutableSpec<typeof wsConfigSchema> = {
  name: 'aquatic_ws',
  description: 'WebTorrent tracker over WebSocket (ws:// and wss://): relays WebRTC offers and answers between peers.',
  schema: wsConfigSchema,
  start: startWsTracker,
};

export function run(): void {
  main(aquaticWs);
}
