/**
 * Injected ahead of everything else in every Lambda bundle (infra/constructs/topology-function.ts
 * `bundling()`), so it runs before any schema is built: zod then checks objects by walking their
 * shapes instead of compiling a checker per object schema with `new Function`. Compiling pays off
 * over many parses of one schema; a function instance parses its config and a handful of requests
 * per cold start, and without the compiling a cold module load is about 10 ms shorter
 * (`npm run bench`). zod reads the setting when a schema is built, which is why it cannot live
 * beside the schemas. Tests, scripts and the local runtime run unbundled and keep the compiled
 * checkers; a check's result is the same either way.
 */
import * as z from 'zod';

z.config({ jitless: true });
