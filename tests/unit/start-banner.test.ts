import { describe, expect, it } from 'vitest';
import { COLUMN_GAP, displayWidth, formatTable, startupBanner } from '#local/banner.ts';

const longClientId = 'a-rather-long-client-identifier';
const longUsername = 'a.really.long.username.of.a.department.head';

const banner = () =>
  startupBanner({
    readySeconds: 4.25,
    url: 'http://127.0.0.1:3000',
    issuer: 'http://127.0.0.1:3001',
    dataDir: '.data',
    endpoints: { dynamodb: 'http://127.0.0.1:8000', sqs: 'http://127.0.0.1:8001' },
    auth: {
      people: [
        { username: 'li.ming', name: '李明', password: 'dev-password-workshop', role: 'department', departmentId: 'workshop' },
        { username: longUsername, name: '陈静', password: 'pw-of-the-long-one', role: 'cx' },
      ],
      clients: [
        { clientId: 'bi-reader', secret: 'dev-bi-reader-secret', role: 'cx' },
        { clientId: longClientId, secret: 'its-secret-value-0001', role: 'department', departmentId: 'workshop' },
      ],
      tokens: [
        { token: 'dev-ingest-token', role: 'ingest', name: 'dms' },
        { token: 'a-machine-key-much-longer-than-forty-characters-0001', role: 'ingest' },
      ],
    },
  });

/** The lines under a section title, up to the blank line that ends the section. */
function sectionLines(text: string, title: string): string[] {
  const lines = text.split('\n');
  const start = lines.findIndex((line) => line.includes(title));
  const end = lines.findIndex((line, i) => i > start && line === '');
  return lines.slice(start + 1, end);
}

/** Where each cell of a line starts, in terminal columns (cells are separated by at least two spaces). */
function cellStarts(line: string): number[] {
  const starts: number[] = [];
  for (const match of line.matchAll(/(?<=^|\s{2})\S/g)) starts.push(displayWidth(line.slice(0, match.index)));
  return starts;
}

describe('startupBanner', () => {
  it('keeps a long client id apart from its secret, and every secret in one column', () => {
    const clients = sectionLines(banner(), 'OAuth clients');

    expect(clients).toHaveLength(2);
    expect(clients[1]).toContain(`${longClientId}${' '.repeat(COLUMN_GAP)}its-secret-value-0001`);
    expect(clients[1]).not.toContain(`${longClientId}its-secret`);
    expect(cellStarts(clients[0] ?? '')).toEqual(cellStarts(clients[1] ?? ''));
  });

  it('keeps a long username apart from its password, with the names in one column past Chinese names', () => {
    const people = sectionLines(banner(), 'People who can sign in');

    expect(people).toHaveLength(2);
    expect(people[1]).toMatch(
      new RegExp(`${longUsername.replaceAll('.', '\\.')} {${COLUMN_GAP}}pw-of-the-long-one {3,}陈静 \\(cx\\)$`),
    );
    expect(people[0]).toMatch(/^ {4}li\.ming {3,}dev-password-workshop {3,}李明 \(head of workshop\)$/);
    expect(cellStarts(people[0] ?? '')).toEqual(cellStarts(people[1] ?? ''));
  });

  it('keeps a machine key longer than the old fixed column apart from its holder', () => {
    const keys = sectionLines(`${banner()}\n`, 'Machine keys');

    expect(keys[1]).toContain(`a-machine-key-much-longer-than-forty-characters-0001${' '.repeat(COLUMN_GAP)}ingest (POST`);
    expect(cellStarts(keys[0] ?? '')[1]).toBe(cellStarts(keys[1] ?? '')[1]);
  });

  it('prints the emulators line local/stack-process.ts waits for, and the links in one column', () => {
    const text = banner();

    expect(text).toMatch(/DynamoDB Local (\S+), SQS \(fauxqs\) (\S+)/);
    expect(text).toContain('ready in 4.3 s');
    const links = text.split('\n').filter((line) => /^ {2}(Dashboard|Inbox|Phone simulator|Sign-in \(OIDC\)|Data) /.test(line));
    expect(links).toHaveLength(5);
    // The widest label, "Phone simulator", sets where every link starts.
    expect(new Set(links.map((line) => cellStarts(line)[1]))).toEqual(new Set([2 + 'Phone simulator'.length + COLUMN_GAP]));
  });

  it('leaves no trailing spaces', () => {
    expect(
      banner()
        .split('\n')
        .filter((line) => / $/.test(line)),
    ).toEqual([]);
  });
});

describe('formatTable', () => {
  it('sizes each column to its widest cell, counting a Chinese character as two columns', () => {
    expect(
      formatTable(
        [
          ['李明', 'x'],
          ['abcde', 'y'],
        ],
        '',
      ),
    ).toBe(`李明${' '.repeat(1 + COLUMN_GAP)}x\nabcde${' '.repeat(COLUMN_GAP)}y`);
  });

  it('answers nothing for no rows', () => {
    expect(formatTable([])).toBe('');
  });
});

describe('displayWidth', () => {
  it('counts wide characters twice and the rest once', () => {
    expect(displayWidth('li.ming')).toBe(7);
    expect(displayWidth('星途【服务】')).toBe(12);
    expect(displayWidth('Ｘ')).toBe(2);
  });
});
