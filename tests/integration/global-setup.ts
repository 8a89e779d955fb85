/**
 * Starts the real local stack (`local/start.ts`: DynamoDB Local, fauxqs, the API emulator,
 * pollers, sweeper) once for the integration suite, in its own process, on a fresh data dir
 * and a test config derived from config/local.json. Its output (INFO logs unless
 * IT_LOG_LEVEL says otherwise) is kept in `<dataDir>/stack.log`, for the privacy test.
 */
import type { TestProject } from 'vitest/node';
import { baseTestConfig, type StackProcess, startStackProcess } from '#local/stack-process.ts';

export function testConfig(port: number) {
  const config = baseTestConfig(port);
  config.reasonWaitMinutes = 0.05; // 3 s: the unanswered why-question path runs within a test
  // The parts department's receiver refuses everything: its alerts end in the dead-letter queue.
  const parts = config.departments.find((d: { id: string }) => d.id === 'parts');
  parts.channels = [{ type: 'webhook', url: '/dev/webhooks/nowhere', secret: parts.channels[0].secret }];
  // Customer care's SLA is seconds long, so escalation happens within a test.
  config.departments.find((d: { id: string }) => d.id === 'customer-care').slaHours = 0.001;
  // The tests answer web surveys from this machine: for the link-mode store it is the store's network.
  config.stores.find((s: { id: string }) => s.id === 'sz-futian').networks = ['127.0.0.0/8', '::1/128'];
  config.integrity = { staffPhones: ['13700000001'] };
  // Minhang reaches by WeChat first (a visit with an openid), then by SMS: tests/integration/wechat.test.ts.
  config.stores.find((s: { id: string }) => s.id === 'sh-minhang').reach = ['wechat', 'sms'];
  // Jurong reaches its customers by call-back only (the call-back team is customer care): tests/e2e/callbacks.test.ts.
  config.stores.find((s: { id: string }) => s.id === 'sg-jurong').reach = ['call'];
  return config;
}

let stack: StackProcess | undefined;

export default async function setup(project: TestProject) {
  stack = await startStackProcess({
    config: testConfig,
    logLevel: process.env.IT_LOG_LEVEL ?? 'INFO',
    echoStderr: process.env.IT_LOG_LEVEL !== undefined,
  });
  project.provide('stack', {
    url: stack.url,
    dynamodb: stack.dynamodb,
    sqs: stack.sqs,
    configPath: stack.configPath,
    dataDir: stack.dataDir,
  });

  return async () => {
    await stack?.dispose();
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    stack: { url: string; dynamodb: string; sqs: string; configPath: string; dataDir: string };
  }
}
