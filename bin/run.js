// Shared launcher for the bin scripts: loads the compiled executable from dist/, or says
// how to build it when dist/ is missing (a clone where `npm install` has not run).
import { existsSync } from 'node:fs';

export async function runBin(module) {
  const url = new URL(`../dist/src/cli/${module}.js`, import.meta.url);
  if (!existsSync(url)) {
    process.stderr.write(`aquatic: ${url.pathname} is missing; run \`npm install\` (or \`npm run build\`) first\n`);
    process.exit(1);
  }
  const { run } = await import(url.href);
  run();
}
