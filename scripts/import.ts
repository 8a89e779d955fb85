/**
 * `npm run import -- <file>`: past visits and their answers from another tool, into the running
 * stack (CLOSEDLOOP_URL, token CLOSEDLOOP_TOKEN). The whole file is checked here first, with the
 * server's own rules and the stack's config (CLOSEDLOOP_CONFIG): any problem is printed as
 * `file:line: field: message` and nothing is sent. Running it again imports nothing twice.
 */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { Presets, SingleBar } from 'cli-progress';
import { ConfigError } from '#shared/config/load.ts';
import { type ImportFormat, readImportRecords } from '#shared/domain/import-records.ts';
import { requiredImportColumns, validateImportRows } from '#shared/use-cases/import-answers.ts';
import {
  formatProblem,
  ImportRefused,
  importFile,
  ingestToken,
  problemsOf,
  StackUnreachable,
  stackConfig,
  stackUrl,
} from './lib/closedloop.ts';

const formats: Record<string, ImportFormat> = { '.csv': 'csv', '.ndjson': 'ndjson', '.jsonl': 'ndjson' };

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

const file = process.argv[2];
if (!file || process.argv.length > 3) fail('usage: npm run import -- <file.csv | file.ndjson | file.jsonl>');
const format = formats[extname(file).toLowerCase()];
if (!format) fail(`${file}: the file must end in .csv, .ndjson or .jsonl`);

let source: Buffer;
try {
  source = readFileSync(file);
} catch (error) {
  fail(`${file}: ${(error as Error).message}`);
}

try {
  const config = stackConfig();
  const read = readImportRecords(source, format, requiredImportColumns);
  const { rows, errors } = validateImportRows(read.records, config, new Date());
  const problems = problemsOf({ ...read.errors, ...errors });
  if (problems.length > 0) {
    for (const problem of problems) console.error(formatProblem(file, problem));
    fail(`\n${problems.length} problem(s) in ${file}: nothing was imported.`);
  }
  if (rows.length === 0) fail(`${file}: no rows to import`);

  const url = stackUrl();
  console.log(`Importing ${rows.length} rows from ${file} into ${url}`);
  const bar = new SingleBar(
    { format: ' {bar} {percentage}% | {value}/{total} rows | {duration_formatted} | new {imported}, duplicates {duplicates}' },
    Presets.shades_classic,
  );
  bar.start(rows.length, 0, { imported: 0, duplicates: 0 });
  const started = Date.now();
  const summary = await importFile(source, read, format, {
    url,
    token: ingestToken(),
    progress: (done, total) => bar.increment(done, { imported: total.imported, duplicates: total.duplicates }),
  }).finally(() => bar.stop());
  const seconds = (Date.now() - started) / 1000;
  console.log(
    `Imported ${summary.imported} (${summary.answered} answered, handed to scoring), ${summary.duplicates} duplicate(s) skipped, ` +
      `in ${seconds.toFixed(1)} s (${Math.round(rows.length / seconds)} rows/s).`,
  );
  if (summary.answered > 0) console.log('The answers reach GET /v1/scores and the dashboard as the scorer works through them.');
} catch (error) {
  if (error instanceof ImportRefused) {
    for (const problem of error.problems) console.error(formatProblem(file, problem));
    fail(`${error.message}\nRows before the refused request were imported; fix the file and run the import again.`);
  }
  if (error instanceof StackUnreachable || error instanceof ConfigError) fail(error.message);
  throw error;
}
