/**
 * What the command-line tools share: where the running stack is, its configuration, and
 * importing a file's rows through POST /v1/imports in chunks, with lines mapped back to the file.
 */
import { loadConfigFile } from '#shared/config/load.ts';
import type { Config } from '#shared/config/schema.ts';
import {
  chunkImport,
  fileLineOf,
  type ImportChunk,
  type ImportFormat,
  type ImportRecords,
  splitErrorKey,
} from '#shared/domain/import-records.ts';
import type { ImportSummary } from '#shared/use-cases/import-answers.ts';

/** DESIGN §6: the tools talk to the stack at CLOSEDLOOP_URL, else the local one on PORT. */
export const stackUrl = () => (process.env.CLOSEDLOOP_URL ?? `http://127.0.0.1:${process.env.PORT ?? 3000}`).replace(/\/$/, '');

/** The configuration the stack runs with (CLOSEDLOOP_CONFIG, as for `npm start`). */
export const stackConfig = (): Readonly<Config> => loadConfigFile(process.env.CLOSEDLOOP_CONFIG ?? 'config/local.json');

export const ingestToken = (config?: Readonly<Config>) =>
  process.env.CLOSEDLOOP_TOKEN ?? config?.auth.tokens.find((t) => t.role === 'ingest')?.token ?? 'dev-ingest-token';

/**
 * Requests stay well inside the server's limits (1000 rows, 1 MiB) and its time: 200 rows take
 * 2 to 4 s on a busy 2-core machine, while 500 often outlasted the import function's old 10 s.
 */
export const CHUNK_LIMITS = { maxRows: 200, maxBytes: 900 * 1024 };

const contentTypes: Record<ImportFormat, string> = { csv: 'text/csv; charset=utf-8', ndjson: 'application/x-ndjson' };

export interface RowProblem {
  line: number;
  field: string;
  message: string;
}

/** The stack refused a request; `problems` are on the file's own lines. */
export class ImportRefused extends Error {
  constructor(
    message: string,
    readonly problems: RowProblem[],
  ) {
    super(message);
    this.name = 'ImportRefused';
  }
}

export class StackUnreachable extends Error {
  override name = 'StackUnreachable';
}

/** Problems keyed `<line>.<field>`, in line order. */
export function problemsOf(fields: Record<string, string>, lineOf: (line: number) => number = (l) => l): RowProblem[] {
  return Object.entries(fields)
    .map(([key, message]) => {
      const at = splitErrorKey(key);
      return at ? { line: lineOf(at.line), field: at.field, message } : { line: 0, field: key, message };
    })
    .sort((a, b) => a.line - b.line || a.field.localeCompare(b.field));
}

export const formatProblem = (file: string, p: RowProblem) => `${file}:${p.line}: ${p.field}: ${p.message}`;

export async function fetchStack(url: string, init?: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (error) {
    throw new StackUnreachable(
      `cannot reach ClosedLoop at ${new URL(url).origin}: is \`npm start\` running? (${(error as Error).cause ?? (error as Error).message})`,
    );
  }
}

/** A request that failed on the server's side or on the way is sent again: the import is idempotent. */
const ATTEMPTS = 4;
const retryable = (status: number) => status >= 500 || status === 429;

async function postChunk(url: string, token: string, format: ImportFormat, chunk: ImportChunk): Promise<ImportSummary> {
  for (let attempt = 1; ; attempt++) {
    let response: Response;
    try {
      response = await fetchStack(`${url}/v1/imports`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': contentTypes[format] },
        body: new Uint8Array(chunk.body),
      });
    } catch (error) {
      if (attempt >= ATTEMPTS) throw error;
      await new Promise((r) => setTimeout(r, 1000 * 2 ** attempt));
      continue;
    }
    const text = await response.text();
    if (retryable(response.status) && attempt < ATTEMPTS) {
      await new Promise((r) => setTimeout(r, 1000 * 2 ** attempt));
      continue;
    }
    let body: {
      imported?: number;
      duplicates?: number;
      answered?: number;
      error?: { message?: string; fields?: Record<string, string> };
    };
    try {
      body = JSON.parse(text);
    } catch {
      throw new ImportRefused(`POST /v1/imports answered ${response.status}: ${text.slice(0, 200)}`, []);
    }
    if (!response.ok || body.error) {
      const problems = problemsOf(body.error?.fields ?? {}, (line) => fileLineOf(chunk, line));
      throw new ImportRefused(
        `POST /v1/imports answered ${response.status}: ${body.error?.message ?? text.slice(0, 200)}`,
        problems,
      );
    }
    return { imported: body.imported ?? 0, duplicates: body.duplicates ?? 0, answered: body.answered ?? 0 };
  }
}

/**
 * Posts a validated file in chunks, one after the other, calling `progress` after each; the
 * server's line numbers come back as the file's. Stops at the first refused chunk (what was
 * imported before it stays; running the import again skips it as duplicates).
 */
export async function importFile(
  source: Buffer,
  read: ImportRecords,
  format: ImportFormat,
  options: { url: string; token: string; progress?: (rows: number, summary: ImportSummary) => void },
): Promise<ImportSummary> {
  const total: ImportSummary = { imported: 0, duplicates: 0, answered: 0 };
  for (const chunk of chunkImport(source, read, CHUNK_LIMITS)) {
    const summary = await postChunk(options.url, options.token, format, chunk);
    total.imported += summary.imported;
    total.duplicates += summary.duplicates;
    total.answered += summary.answered;
    options.progress?.(chunk.rows, total);
  }
  return total;
}
