// Budget check: the JS a phone downloads (app + service worker), gzipped, must stay
// under 200 KB — cheap Android phones on a weak signal are the target.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const LIMIT = 200 * 1024;
const files = [];
(function walk(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (p.endsWith('.js')) files.push(p);
  }
})('dist');
let total = 0;
for (const f of files) {
  const gz = gzipSync(readFileSync(f)).length;
  total += gz;
  console.log(`${(gz / 1024).toFixed(1).padStart(7)} KB  ${f}`);
}
console.log(`${(total / 1024).toFixed(1).padStart(7)} KB  total gzipped JS (limit ${LIMIT / 1024} KB)`);
if (total > LIMIT) process.exit(1);
