/**
 * The project's zod: `zod/mini`, the functional API that bundles only what a schema uses (the
 * classic API's methods pull in every schema type and the JSON Schema converter, about 58 KB of
 * every Lambda bundle and 11 to 15 ms of its cold load, `npm run bench`), with English messages, which the classic API
 * set on import and mini leaves to the caller. Import it as `import * as z from '#shared/zod.ts'`.
 */
import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';

z.config(en());

export * from 'zod/mini';
