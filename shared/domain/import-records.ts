/**
 * Reading a historical-answers file (CSV with a header row, or JSON lines) into records that
 * know the line they start on, and cutting it into requests that keep those lines findable.
 */
import { CsvError } from 'csv-parse';
import { parse } from 'csv-parse/sync';

export type ImportFormat = 'csv' | 'ndjson';

/** One row of the file: its first line (1-based, as an editor shows it) and its fields. */
export interface ImportRecord {
  line: number;
  fields: Record<string, unknown>;
  /** Where the row ends in the source, in bytes (after its line break). */
  end: number;
}

export interface ImportRecords {
  records: ImportRecord[];
  /** Problems with the file's structure, keyed `<line>.<field>` (`<line>.(row)` for a whole row). */
  errors: Record<string, string>;
  /** Where the CSV header ends (0 for JSON lines): every request of a CSV file repeats it. */
  headerEnd: number;
}

/** The 1-based line that the byte at `offset` is on. */
function lineCounter(source: Buffer) {
  let offset = 0;
  let line = 1;
  // Records are read in order, so one forward scan serves them all.
  return (to: number) => {
    if (to < offset) {
      offset = 0;
      line = 1;
    }
    for (; offset < to; offset++) if (source[offset] === 0x0a) line++;
    return line;
  };
}

/** Bytes of the line break that ends a record at `end`, if it has one. */
function breakLength(source: Buffer, end: number) {
  if (source[end - 1] === 0x0a) return source[end - 2] === 0x0d ? 2 : 1;
  return source[end - 1] === 0x0d ? 1 : 0;
}

/** Empty cells are absent fields; a score or an amount is a number when it reads as one. */
function csvFields(header: string[], values: string[]): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  header.forEach((name, i) => {
    const value = values[i];
    if (value === undefined || value.trim() === '') return;
    fields[name] = (name === 'score' || name === 'amount') && /^\s*-?\d+(\.\d+)?\s*$/.test(value) ? Number(value) : value;
  });
  return fields;
}

function readCsv(source: Buffer, required: readonly string[]): ImportRecords {
  let rows: { record: string[]; info: { bytes: number } }[];
  try {
    // RFC 4180: quoted fields may hold commas, line breaks and doubled quotes. Rows may end in
    // CRLF (spreadsheets) or LF (editors), even mixed. With `info` each row comes with where it
    // ends, which csv-parse's typings do not express.
    rows = parse(source, {
      info: true,
      bom: true,
      skip_empty_lines: true,
      record_delimiter: ['\r\n', '\n'],
    }) as unknown as typeof rows;
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    const line = typeof error.lines === 'number' ? error.lines : 1;
    return { records: [], errors: { [`${line}.(row)`]: error.message }, headerEnd: 0 };
  }
  const [head, ...body] = rows;
  if (!head) return { records: [], errors: { '1.(row)': 'the file is empty: a header row is needed' }, headerEnd: 0 };
  const header = head.record.map((name) => name.trim());
  const errors: Record<string, string> = {};
  const seen = new Set<string>();
  for (const name of header) {
    if (seen.has(name)) errors[`1.${name}`] = 'this column appears twice in the header';
    seen.add(name);
  }
  for (const name of required) if (!seen.has(name)) errors[`1.${name}`] = 'a required column is missing from the header';
  if (Object.keys(errors).length) return { records: [], errors, headerEnd: head.info.bytes };

  const lineAt = lineCounter(source);
  const records = body.map(({ record, info }) => {
    // A row's last line is where its content ends; quoted line breaks inside it lead back to its first.
    const lastLine = lineAt(info.bytes - breakLength(source, info.bytes));
    const inner = record.reduce((n, value) => n + (value.match(/\n/g)?.length ?? 0), 0);
    return { line: lastLine - inner, fields: csvFields(header, record), end: info.bytes };
  });
  return { records, errors: {}, headerEnd: head.info.bytes };
}

function readJsonLines(source: Buffer): ImportRecords {
  const records: ImportRecord[] = [];
  const errors: Record<string, string> = {};
  let start = source[0] === 0xef && source[1] === 0xbb && source[2] === 0xbf ? 3 : 0;
  for (let line = 1; start < source.length; line++) {
    const newline = source.indexOf(0x0a, start);
    const end = newline === -1 ? source.length : newline + 1;
    const text = source.subarray(start, end).toString('utf8').trim();
    start = end;
    if (text === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      errors[`${line}.(row)`] = 'not valid JSON';
      continue;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      errors[`${line}.(row)`] = 'a JSON object is needed on each line';
      continue;
    }
    // null means "not known", as an absent field does.
    const fields = Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null));
    records.push({ line, fields, end });
  }
  return { records, errors, headerEnd: 0 };
}

/** Reads a whole file or request body. `required` names the CSV columns the header must have. */
export function readImportRecords(source: Buffer, format: ImportFormat, required: readonly string[] = []): ImportRecords {
  return format === 'csv' ? readCsv(source, required) : readJsonLines(source);
}

export interface ImportChunk {
  /** A request body in the file's own format (a CSV chunk repeats the header). */
  body: Buffer;
  rows: number;
  /** A line of this body plus `lineOffset` is the line of the file (header lines excepted). */
  lineOffset: number;
  /** Lines of the body up to here are the repeated header. */
  headerLines: number;
}

/**
 * Cuts a file into request bodies of at most `maxRows` rows and about `maxBytes`, each one the
 * file's own bytes (a CSV chunk after its header), so nothing is re-encoded on the way.
 */
export function chunkImport(source: Buffer, read: ImportRecords, limits: { maxRows: number; maxBytes: number }): ImportChunk[] {
  const header = source.subarray(0, read.headerEnd);
  const headerLines = header.length ? header.toString('utf8').split('\n').length - 1 : 0;
  const lineAt = lineCounter(source);
  const chunks: ImportChunk[] = [];
  let start = read.headerEnd;
  let rows = 0;
  let end = start;
  const flush = () => {
    if (rows === 0) return;
    chunks.push({
      body: Buffer.concat([header, source.subarray(start, end)]),
      rows,
      lineOffset: lineAt(start) - 1 - headerLines,
      headerLines,
    });
    start = end;
    rows = 0;
  };
  for (const record of read.records) {
    if (rows > 0 && (rows >= limits.maxRows || header.length + record.end - start > limits.maxBytes)) flush();
    end = record.end;
    rows++;
  }
  flush();
  return chunks;
}

/** The file line a line of a chunk's body stands for. */
export const fileLineOf = (chunk: ImportChunk, bodyLine: number) =>
  bodyLine <= chunk.headerLines ? bodyLine : bodyLine + chunk.lineOffset;

/** `"12.score"` → line 12, field `score`: how a 400 from POST /v1/imports names each problem. */
export function splitErrorKey(key: string): { line: number; field: string } | undefined {
  const match = /^(\d+)\.(.+)$/.exec(key);
  return match ? { line: Number(match[1]), field: match[2] ?? '' } : undefined;
}
