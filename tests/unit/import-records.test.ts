import { describe, expect, it } from 'vitest';
import { chunkImport, fileLineOf, readImportRecords, splitErrorKey } from '#shared/domain/import-records.ts';

const csv = (text: string) => Buffer.from(text, 'utf8');
const linesOf = (text: string, format: 'csv' | 'ndjson' = 'csv') =>
  readImportRecords(csv(text), format).records.map((r) => r.line);

describe('readImportRecords (CSV)', () => {
  it('reads a header row and one record per row, with empty cells left out', () => {
    const { records, errors } = readImportRecords(csv('eventId,storeId,score,comment\nRO-1,sh-pudong,9,\n'), 'csv');

    expect(errors).toEqual({});
    expect(records).toEqual([{ line: 2, fields: { eventId: 'RO-1', storeId: 'sh-pudong', score: 9 }, end: 48 }]);
  });

  it('keeps quoted commas, doubled quotes and line breaks inside a field (RFC 4180)', () => {
    const { records } = readImportRecords(
      csv('eventId,comment\nRO-1,"等了很久, 还没修好"\nRO-2,"he said ""fine"""\nRO-3,"first line\nsecond line"\n'),
      'csv',
    );

    expect(records.map((r) => r.fields.comment)).toEqual(['等了很久, 还没修好', 'he said "fine"', 'first line\nsecond line']);
  });

  it('numbers each row by the line it starts on, past multi-line fields and blank lines (header = line 1)', () => {
    expect(linesOf('eventId,comment\nA,"x\ny\nz"\n\nB,ok\r\nC,"p\r\nq"\r\nD,end')).toEqual([2, 6, 7, 9]);
  });

  it('ignores a byte-order mark', () => {
    const { records } = readImportRecords(csv('\ufeffeventId,score\nRO-1,10\n'), 'csv');

    expect(records[0]?.fields).toEqual({ eventId: 'RO-1', score: 10 });
  });

  it('leaves a score that is not a number as text, for validation to name', () => {
    const { records } = readImportRecords(csv('eventId,score\nRO-1,nine\n'), 'csv');

    expect(records[0]?.fields.score).toBe('nine');
  });

  it('names header columns that are missing or repeated, on line 1', () => {
    expect(readImportRecords(csv('eventId,score,score\nA,1,2\n'), 'csv', ['eventId', 'storeId']).errors).toEqual({
      '1.score': 'this column appears twice in the header',
      '1.storeId': 'a required column is missing from the header',
    });
  });

  it('reports a broken row by its line, with no records', () => {
    const result = readImportRecords(csv('eventId,score\nA,1\nB,2,3\n'), 'csv');

    expect(result.records).toEqual([]);
    expect(Object.keys(result.errors)).toEqual(['3.(row)']);
  });

  it('reports an empty file', () => {
    expect(readImportRecords(csv(''), 'csv').errors).toEqual({ '1.(row)': 'the file is empty: a header row is needed' });
  });
});

describe('readImportRecords (JSON lines)', () => {
  it('reads one object per line, skipping blank lines but counting them', () => {
    expect(linesOf('{"eventId":"A"}\n\n{"eventId":"B"}\r\n{"eventId":"C"}', 'ndjson')).toEqual([1, 3, 4]);
  });

  it('treats null as an absent field', () => {
    const { records } = readImportRecords(csv('{"eventId":"A","score":null,"comment":"x"}\n'), 'ndjson');

    expect(records[0]?.fields).toEqual({ eventId: 'A', comment: 'x' });
  });

  it('names lines that are not JSON objects', () => {
    expect(readImportRecords(csv('{"eventId":"A"}\nnot json\n[1,2]\n"text"\n'), 'ndjson').errors).toEqual({
      '2.(row)': 'not valid JSON',
      '3.(row)': 'a JSON object is needed on each line',
      '4.(row)': 'a JSON object is needed on each line',
    });
  });
});

describe('chunkImport', () => {
  const file = csv(
    'eventId,comment\n' + Array.from({ length: 7 }, (_, i) => `RO-${i + 1},"row ${i + 1}\nsecond line"`).join('\n'),
  );
  const read = readImportRecords(file, 'csv');

  it('cuts a file into requests of at most maxRows rows, each repeating the CSV header', () => {
    const chunks = chunkImport(file, read, { maxRows: 3, maxBytes: 1e6 });

    expect(chunks.map((c) => c.rows)).toEqual([3, 3, 1]);
    for (const chunk of chunks) expect(chunk.body.toString('utf8').startsWith('eventId,comment\n')).toBe(true);
    const eventIds = chunks.flatMap((c) => readImportRecords(c.body, 'csv').records.map((r) => r.fields.eventId));
    expect(eventIds).toEqual(read.records.map((r) => r.fields.eventId));
  });

  it("maps every line a request's body reports back to the file's line", () => {
    const chunks = chunkImport(file, read, { maxRows: 3, maxBytes: 1e6 });

    const mapped = chunks.flatMap((c) => readImportRecords(c.body, 'csv').records.map((r) => fileLineOf(c, r.line)));

    expect(mapped).toEqual(read.records.map((r) => r.line));
    expect(mapped).toEqual([2, 4, 6, 8, 10, 12, 14]);
    expect(chunks.map((c) => fileLineOf(c, 1))).toEqual([1, 1, 1]);
  });

  it('also keeps requests under maxBytes', () => {
    const chunks = chunkImport(file, read, { maxRows: 500, maxBytes: 80 });

    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) expect(chunk.rows === 1 || chunk.body.length <= 80).toBe(true);
    expect(chunks.reduce((n, c) => n + c.rows, 0)).toBe(7);
  });

  it('maps JSON lines the same way, blank lines included', () => {
    const ndjson = csv('{"eventId":"A"}\n\n{"eventId":"B"}\n{"eventId":"C"}\n\n\n{"eventId":"D"}\n');
    const records = readImportRecords(ndjson, 'ndjson');
    const chunks = chunkImport(ndjson, records, { maxRows: 2, maxBytes: 1e6 });

    const mapped = chunks.flatMap((c) => readImportRecords(c.body, 'ndjson').records.map((r) => fileLineOf(c, r.line)));

    expect(mapped).toEqual([1, 3, 4, 7]);
  });
});

describe('splitErrorKey', () => {
  it('splits "<line>.<field>"', () => {
    expect(splitErrorKey('12.score')).toEqual({ line: 12, field: 'score' });
    expect(splitErrorKey('3.(row)')).toEqual({ line: 3, field: '(row)' });
    expect(splitErrorKey('score')).toBeUndefined();
  });
});
