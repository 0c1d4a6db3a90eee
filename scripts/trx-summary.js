// Prints one line, "N passed, N failed, N skipped", adding up the counters of every .trx results file given.
const fs = require('fs');
const files = process.argv.slice(2);
let passed = 0;
let failed = 0;
let skipped = 0;
for (const file of files) {
  if (!fs.existsSync(file)) {
    console.error(`No test results at ${file}: that test run did not start.`);
    failed += 1;
    continue;
  }
  const counters = fs.readFileSync(file, 'utf8').match(/<Counters [^>]*>/);
  const count = (name) => Number((counters[0].match(new RegExp(`\\b${name}="(\\d+)"`)) || [0, 0])[1]);
  passed += count('passed');
  failed += count('failed') + count('error') + count('timeout') + count('aborted');
  skipped += count('notExecuted') + count('inconclusive');
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
