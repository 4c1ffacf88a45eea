#!/usr/bin/env node
// aquatic_ws_load_test: the WebTorrent (WebSocket) load generator. The TypeScript build lives in dist/ (npm install builds it).
import { runBin } from './run.js';

runBin('aquatic-ws-load-test');
