import { App, Aspects } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { loadConfigFile } from '#shared/config/load.ts';
import { ClosedLoopStack } from './stack.ts';

const configPath = process.env.CLOSEDLOOP_CONFIG ?? 'config/local.json';

const app = new App();
new ClosedLoopStack(app, 'ClosedLoop', {
  config: loadConfigFile(configPath),
  description: 'ClosedLoop: post-service surveys, scores and closed-loop follow-up of detractors',
});
// cdk-nag's AWS Solutions rules: an unacknowledged finding fails `cdk synth` and `cdk deploy`.
Aspects.of(app).add(new AwsSolutionsChecks());
