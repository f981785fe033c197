// Prints vitest's JSON results as one plain closing line: "label: N passed, N failed, N skipped".
import { readFileSync } from 'node:fs';

const [file, label = 'tests'] = process.argv.slice(2);
const r = JSON.parse(readFileSync(file, 'utf8'));
console.log(`${label.replace(/[^a-z0-9.]+/gi, '-')}: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`);
process.exit(r.numFailedTests > 0 || r.numTotalTests === 0 ? 1 : 0);
