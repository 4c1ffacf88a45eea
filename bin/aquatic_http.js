#!/usr/bin/env node
// aquatic_http: the HTTP/HTTPS tracker. The TypeScript build lives in dist/ (npm install builds it).
import { runBin } from './run.js';

runBin('aquatic-http');
