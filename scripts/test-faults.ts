/** `npm run test:faults -- --answers 10000`: the fault suite at a chosen size (CI runs it at 1,000 within `npm test`). */
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { answers: { type: 'string', default: '10000' } } });
const answers = Number(values.answers);
if (!Number.isInteger(answers) || answers < 1) {
  console.error(`--answers must be a positive whole number, got "${values.answers}"`);
  process.exit(2);
}
const run = spawnSync('npx', ['vitest', 'run', '--project', 'integration', 'tests/integration/faults.test.ts'], {
  stdio: 'inherit',
  env: { ...process.env, FAULT_ANSWERS: String(answers) },
});
process.exit(run.status ?? 1);
