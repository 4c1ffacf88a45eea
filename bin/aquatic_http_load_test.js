#!/usr/bin/env node
// aquatic_http_load_test: the HTTP load generator. The TypeScript build lives in dist/ (npm install builds it).
import { runBin } from './run.js';

runBin('aquatic-http-load-test');
