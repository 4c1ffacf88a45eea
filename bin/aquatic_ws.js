#!/usr/bin/env node
// aquatic_ws: the WebTorrent (WebSocket) tracker. The TypeScript build lives in dist/ (npm install builds it).
import { runBin } from './run.js';

runBin('aquatic-ws');
