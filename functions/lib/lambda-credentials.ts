/**
 * What the Lambda bundles use in place of `@aws-sdk/credential-provider-node` (the alias in
 * infra/constructs/topology-function.ts `bundling()`): Lambda hands a function its role's
 * credentials in the environment, so the default chain's other links (SSO, shared INI files,
 * credential processes, web identity, container and instance metadata, with their nested STS and
 * SSO clients: about 90 KB of every bundle) can never supply them there. Tests, scripts and the
 * local runtime run unbundled and keep the whole chain.
 */
import { fromEnv } from '@aws-sdk/credential-provider-env';

export const defaultProvider: typeof import('@aws-sdk/credential-provider-node').defaultProvider = (init = {}) => fromEnv(init);
