#!/usr/bin/env node
// aquatic_udp_load_test: the UDP load generator. The TypeScript build lives in dist/ (npm install builds it).
import { runBin } from './run.js';

runBin('aquatic-udp-load-test');
