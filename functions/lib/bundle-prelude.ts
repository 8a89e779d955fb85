/**
 * What every Lambda bundle runs before any of its own code: injected by esbuild
 * (infra/constructs/topology-function.ts `bundling()`). Tests, scripts and the local runtime run
 * unbundled and do without both; what a function does is the same either way.
 */
import * as z from 'zod';
import { mapStackTraces } from './source-mapped-stacks.ts';

// zod checks objects by walking their shapes instead of compiling a checker per object schema
// with `new Function`. Compiling pays off over many parses of one schema; a function instance
// parses its config and a few requests per cold start, and without it a cold module load is 8 to
// 10 ms shorter (`npm run bench`). zod reads the setting when a schema is built, hence here.
z.config({ jitless: true });

// In a bundle every module's import.meta.url is the bundle's own.
mapStackTraces(import.meta.url);
