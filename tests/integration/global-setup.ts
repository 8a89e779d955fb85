/**
 * Starts the real local stack (`local/start.ts`: DynamoDB Local, fauxqs, the API emulator,
 * pollers, sweeper) once for the integration suite, in its own process, on a fresh data dir
 * and a test config derived from config/local.json.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

export const TWILIO_TEST_TOKEN = 'test-twilio-auth-token';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export function testConfig(port: number) {
  const config = JSON.parse(readFileSync('config/local.json', 'utf8'));
  config.quietHours = { start: '00:00', end: '00:00' };
  config.reasonWaitMinutes = 0.05; // 3 s: the unanswered why-question path runs within a test
  for (const plan of config.surveyPlans) plan.delayMinutes = 0;
  for (const department of config.departments) {
    for (const channel of department.channels) channel.url = `http://127.0.0.1:${port}/dev/webhooks/${department.id}`;
  }
  // The parts department's receiver refuses everything: its alerts end in the dead-letter queue.
  const parts = config.departments.find((d: { id: string }) => d.id === 'parts');
  parts.channels = [{ type: 'webhook', url: `http://127.0.0.1:${port}/dev/webhooks/nowhere`, secret: parts.channels[0].secret }];
  // Customer care's SLA is seconds long, so escalation happens within a test.
  config.departments.find((d: { id: string }) => d.id === 'customer-care').slaHours = 0.001;
  config.auth.tokens.push({ token: 'dev-parts-token', role: 'department', departmentId: 'parts' });
  return config;
}

let child: ChildProcess | undefined;
let dataDir: string | undefined;

export default async function setup(project: TestProject) {
  const port = await freePort();
  dataDir = mkdtempSync(join(tmpdir(), 'closedloop-it-'));
  const configPath = join(dataDir, 'config.json');
  writeFileSync(configPath, JSON.stringify(testConfig(port), null, 2));
  const url = `http://127.0.0.1:${port}`;
  child = spawn(process.execPath, ['--import', 'tsx', 'local/start.ts'], {
    env: {
      ...process.env,
      PORT: String(port),
      DATA_DIR: join(dataDir, 'data'),
      CLOSEDLOOP_CONFIG: configPath,
      PUBLIC_BASE_URL: 'https://closedloop.example.com',
      TWILIO_AUTH_TOKEN: TWILIO_TEST_TOKEN,
      LOCAL_VISIBILITY_TIMEOUT_SECONDS: '1',
      LOCAL_SCHEDULE_INTERVAL_MS: '300',
      LOG_LEVEL: process.env.IT_LOG_LEVEL ?? 'SILENT',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    output += d.toString();
    if (process.env.IT_LOG_LEVEL) process.stderr.write(d);
  });
  const deadline = Date.now() + 60_000;
  while (!/DynamoDB Local (\S+), SQS \(fauxqs\) (\S+)/.test(output)) {
    if (child.exitCode !== null) throw new Error(`the local stack exited:\n${output}`);
    if (Date.now() > deadline) throw new Error(`the local stack did not start in 60 s:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const [, dynamodb, sqs] = /DynamoDB Local (\S+), SQS \(fauxqs\) (\S+)/.exec(output) ?? [];
  project.provide('stack', { url, dynamodb: dynamodb ?? '', sqs: sqs ?? '', configPath, dataDir: join(dataDir, 'data') });

  return async () => {
    child?.kill('SIGTERM');
    await new Promise((r) => {
      if (!child || child.exitCode !== null) return r(undefined);
      child.once('exit', r);
      setTimeout(r, 10_000);
    });
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    stack: { url: string; dynamodb: string; sqs: string; configPath: string; dataDir: string };
  }
}
