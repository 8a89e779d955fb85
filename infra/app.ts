import { App } from 'aws-cdk-lib';
import { loadConfigFile } from '#shared/config/load.ts';
import { ClosedLoopStack } from './stack.ts';

const configPath = process.env.CLOSEDLOOP_CONFIG ?? 'config/local.json';

const app = new App();
new ClosedLoopStack(app, 'ClosedLoop', {
  config: loadConfigFile(configPath),
  configPath,
  description: 'ClosedLoop: post-service surveys, scores and closed-loop follow-up of detractors',
});
