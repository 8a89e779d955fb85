import type { ImportFormat } from '#shared/domain/import-records.ts';
import { UnsupportedMediaTypeError } from '#shared/errors.ts';
import { importAnswers, MAX_IMPORT_BYTES, readImportRequest } from '#shared/use-cases/import-answers.ts';
import { config, responseStore, visitIntake } from '../lib/compose.ts';
import { httpHandler, json, rawBody, machineCalling } from '../lib/http.ts';
import { createLogger } from '../lib/logger.ts';

const logger = createLogger();

// The scores table too: a re-sent row's answer is scored again only if it is not kept.
const deps = { ...visitIntake(), responses: responseStore() };

function formatOf(contentType: string | undefined): ImportFormat {
  if (/^text\/csv\b/i.test(contentType ?? '')) return 'csv';
  if (/^application\/(x-ndjson|jsonl|x-jsonlines)\b/i.test(contentType ?? '')) return 'ndjson';
  throw new UnsupportedMediaTypeError('send text/csv (a header row, then one row per visit) or application/x-ndjson');
}

export const handler = httpHandler(logger, async (event) => {
  machineCalling(config, event, 'ingest');
  const format = formatOf(event.headers['content-type']);
  const rows = readImportRequest(deps, Buffer.from(rawBody(event, MAX_IMPORT_BYTES)), format);
  const summary = await importAnswers(deps, rows);
  logger.info('historical answers imported', { format, rows: rows.length, ...summary });
  return json(200, summary);
});
