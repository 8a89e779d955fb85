/** What `npm start` prints once the stack answers: where everything is, and the local accounts and keys. */
import type { Config, PersonRole } from '#shared/config/schema.ts';

/** Spaces between two columns: a long value never runs into the next one. */
export const COLUMN_GAP = 3;

/**
 * The columns a terminal gives a string: East Asian wide characters (a Chinese name, a full-width
 * bracket) take two, so padding counts them twice to keep the next column straight.
 */
export function displayWidth(text: string): number {
  let width = 0;
  for (const character of text) {
    const code = character.codePointAt(0) ?? 0;
    const wide =
      (code >= 0x1100 && code <= 0x115f) ||
      (code >= 0x2e80 && code <= 0xa4cf && code !== 0x303f) ||
      (code >= 0xac00 && code <= 0xd7a3) ||
      (code >= 0xf900 && code <= 0xfaff) ||
      (code >= 0xfe30 && code <= 0xfe4f) ||
      (code >= 0xff00 && code <= 0xff60) ||
      (code >= 0xffe0 && code <= 0xffe6) ||
      (code >= 0x20000 && code <= 0x3fffd);
    width += wide ? 2 : 1;
  }
  return width;
}

/**
 * Rows as aligned columns, each column as wide as its widest cell plus the gap, the last one
 * unpadded (no trailing spaces); every line starts with `indent`.
 */
export function formatTable(rows: readonly (readonly string[])[], indent = '    '): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, displayWidth(cell));
    });
  }
  return rows
    .map((row) => {
      const cells = row.map((cell, i) =>
        i === row.length - 1 ? cell : cell + ' '.repeat((widths[i] ?? 0) - displayWidth(cell) + COLUMN_GAP),
      );
      return `${indent}${cells.join('')}`;
    })
    .join('\n');
}

export interface BannerInput {
  readySeconds: number;
  url: string;
  issuer: string;
  dataDir: string;
  endpoints: { dynamodb: string; sqs: string };
  auth: Pick<Config['auth'], 'people' | 'clients' | 'tokens'>;
}

const roleOf = (who: PersonRole) => (who.role === 'cx' ? 'cx' : `head of ${who.departmentId}`);

/** The banner; its `DynamoDB Local …, SQS (fauxqs) …` line is what local/stack-process.ts waits for. */
export function startupBanner({ readySeconds, url, issuer, dataDir, endpoints, auth }: BannerInput): string {
  const links = formatTable(
    [
      ['Dashboard', `${url}/`],
      ['Inbox', `${url}/inbox`],
      ['Phone simulator', `${url}/dev/phone`],
      ['API', `${url}/v1/...   (POST /v1/service-events, GET /v1/scores, GET /v1/alerts)`],
      ['SMS outbox', `${url}/dev/sms/outbox`],
      ['Sign-in (OIDC)', `${issuer}/.well-known/openid-configuration`],
      ['Data', `${dataDir}/   DynamoDB Local ${endpoints.dynamodb}, SQS (fauxqs) ${endpoints.sqs}`],
    ],
    '  ',
  );
  const people = formatTable(auth.people.map((p) => [p.username, p.password, `${p.name} (${roleOf(p)})`]));
  const clients = formatTable(auth.clients.map((c) => [c.clientId, c.secret ?? '', roleOf(c)]));
  const keys = formatTable(auth.tokens.map((t) => [t.token, `${t.name ?? t.role} (POST /v1/service-events, /v1/imports)`]));
  const section = (title: string, table: string) => `  ${title}:\n${table || '    (none)'}`;
  return `
ClosedLoop is running locally (ready in ${readySeconds.toFixed(1)} s)

${links}

${section('People who can sign in (username, password)', people)}

${section(`OAuth clients (client credentials at ${issuer}/oidc/token, HTTP Basic)`, clients)}

${section('Machine keys (Authorization: Bearer <key>)', keys)}

Press Ctrl+C to stop.`;
}
