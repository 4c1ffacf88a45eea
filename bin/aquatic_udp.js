#!/usr/bin/env node
// aquatic_udp: the UDP tracker. The TypeScript build lives in dist/ (npm install builds it).
import { runBin } from './run.js';

runBin('aquatic-udp');
