// Fails when binding.gyp and CMakeLists.txt do not compile the same native/src files.
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const sourcePattern = /native\/src\/[\w./-]+\.(?:cc|cpp|c)\b/g;

/** The native/src sources a build file names, comments (# lines) ignored. */
function sourcesOf(file) {
  const text = readFileSync(join(root, file), 'utf8').replace(/#.*$/gm, '');
  return new Set(text.match(sourcePattern) ?? []);
}

const gyp = sourcesOf('binding.gyp');
const cmake = sourcesOf('CMakeLists.txt');
const onDisk = new Set(
  readdirSync(join(root, 'native/src'))
    .filter((name) => /\.(?:cc|cpp|c)$/.test(name))
    .map((name) => `native/src/${name}`),
);

const problems = [];
const missing = (from, to) => [...from].filter((file) => !to.has(file));
for (const file of missing(gyp, cmake)) problems.push(`${file} is in binding.gyp but not in CMakeLists.txt`);
for (const file of missing(cmake, gyp)) problems.push(`${file} is in CMakeLists.txt but not in binding.gyp`);
for (const file of missing(onDisk, gyp)) problems.push(`${file} exists but neither build file compiles it`);
for (const file of missing(gyp, onDisk)) problems.push(`${file} is listed but does not exist`);

if (problems.length > 0) {
  console.error(`check-native-sources: ${problems.join('; ')}`);
  process.exit(1);
}
console.log(`check-native-sources: ok (${gyp.size} files)`);
