/**
 * Stands in for `@smithy/core/event-streams` in every bundle (the alias in
 * infra/constructs/topology-function.ts `bundling()`). The SDK's HTTP protocol imports it with
 * import() when an operation streams events, and no operation of the bundled clients does
 * (DynamoDB, SQS, Secrets Manager, SES, End User Messaging). Bundled, that one import() made
 * esbuild wrap the event-stream code and every SDK module it reaches (some 130) in lazy
 * initialisers, in every bundle. Tests, scripts and the local runtime run unbundled with the real module.
 */
const refuse = (): never => {
  throw new Error('event streams are not in this bundle: see functions/lib/no-event-streams.ts');
};

export class EventStreamSerde {
  constructor() {
    refuse();
  }
}

export const eventStreamSerdeProvider = refuse;
