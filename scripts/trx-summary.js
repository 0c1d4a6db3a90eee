// Prints "N passed, N failed, N skipped" from a .trx test results file.
const fs = require('fs');
const file = process.argv[2];
if (!fs.existsSync(file)) {
  console.log('0 passed, 1 failed, 0 skipped');
  console.error(`No test results at ${file}: the test run did not start.`);
  process.exit(1);
}
const counters = fs.readFileSync(file, 'utf8').match(/<Counters [^>]*>/);
const count = (name) => Number((counters[0].match(new RegExp(`\\b${name}="(\\d+)"`)) || [0, 0])[1]);
const passed = count('passed');
const failed = count('failed') + count('error') + count('timeout') + count('aborted');
const skipped = count('notExecuted') + count('inconclusive');
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
