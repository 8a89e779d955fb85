/**
 * What every Lambda bundle runs before any of its own code: injected by esbuild
 * (infra/constructs/topology-function.ts `bundling()`). Tests, scripts and the local runtime run
 * unbundled and keep Node's own stack traces.
 */
import { mapStackTraces } from './source-mapped-stacks.ts';

// In a bundle every module's import.meta.url is the bundle's own.
mapStackTraces(import.meta.url);
