/**
 * The project's zod: `zod/mini`, the functional API that bundles only what a schema uses (the
 * classic API's methods pull in every schema type and the JSON Schema converter, about 55 KB of
 * every Lambda bundle and 25 ms of its cold load), with English messages, which the classic API
 * set on import and mini leaves to the caller. Import it as `import * as z from '#shared/zod.ts'`.
 */
import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';

z.config(en());

export * from 'zod/mini';
