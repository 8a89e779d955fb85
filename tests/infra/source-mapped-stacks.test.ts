/**
 * A bundle's stack traces point into the TypeScript sources (functions/lib/source-mapped-stacks.ts,
 * run by every bundle's prelude), and the source map is read on the first stack trace, not while
 * the bundle loads: the fixture is bundled with the stack's own options, and its map is put next to
 * it only after the import.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { esbuildOptionsOf } from '../../bench/bundles.ts';
import { localConfigPath, repoRoot } from './synthesize.ts';

const fixture = join(repoRoot, 'tests/infra/fixtures/refuse-visit.ts');
const outDir = mkdtempSync(join(tmpdir(), 'closedloop-stacks-'));
const bundle = join(outDir, 'index.mjs');
const aside = join(outDir, 'map-aside.json');

beforeAll(async () => {
  await build({ ...esbuildOptionsOf(localConfigPath), entryPoints: [fixture], outfile: bundle, absWorkingDir: repoRoot });
  renameSync(`${bundle}.map`, aside);
}, 60_000);
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

/** The stack of a fixture handler's error, from a fresh process that imports the bundle, then (if asked) puts the map in place. */
function stackOf(options: { mapAfterImport: boolean; handler?: string }): string[] {
  rmSync(`${bundle}.map`, { force: true });
  const script = `
    const fixture = await import(${JSON.stringify(pathToFileURL(bundle).href)});
    if (${options.mapAfterImport}) (await import('node:fs')).copyFileSync(${JSON.stringify(aside)}, ${JSON.stringify(`${bundle}.map`)});
    try { await fixture[${JSON.stringify(options.handler ?? 'handler')}]({ reason: 'no phone' }); } catch (error) { process.stdout.write(error.stack); }`;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: outDir,
    encoding: 'utf8',
    env: { PATH: process.env.PATH },
  });
  if (child.status !== 0) throw new Error(child.stderr);
  return child.stdout.split('\n');
}

/** A printed frame's parts: `    at [async |new ]<name> (<location>)`; undefined when it is not one. */
function frameOf(line: string | undefined) {
  const match = /^ {4}at (async |new )?(\S+) \((.+)\)$/.exec(line ?? '');
  return match ? { prefix: match[1] ?? '', name: match[2], location: match[3] } : undefined;
}

/** Line and column (1-based) of `text` in the fixture. */
function positionOf(text: string) {
  const lines = readFileSync(fixture, 'utf8').split('\n');
  const line = lines.findIndex((l) => l.includes(text));
  return `${line + 1}:${(lines[line] as string).indexOf(text) + 1}`;
}

describe('stack traces of a bundle', () => {
  it('name the source file, line and function, from a map read on the first stack trace', () => {
    const [header, thrower, caller, outermost] = stackOf({ mapAfterImport: true });
    expect(header).toBe('Error: visit refused: no phone');
    expect(thrower).toBe(`    at refuseVisit (${fixture}:${positionOf('new Error(`visit')})`);
    expect(caller).toBe(`    at checkVisit (${fixture}:${positionOf('refuseVisit(event.reason)')})`);
    // Named by its caller's call site, which is outside the bundle: the position alone is mapped, as Node's flag does.
    expect(frameOf(outermost)).toEqual({
      prefix: '',
      name: expect.any(String),
      location: `${fixture}:${positionOf('checkVisit(event)')}`,
    });
  });

  it('map constructor and async frames, and leave frames outside the bundle as they are', () => {
    const [, , , constructed] = stackOf({ mapAfterImport: true, handler: 'handlerNew' });
    expect(frameOf(constructed)).toEqual({
      prefix: 'new ',
      name: expect.any(String),
      location: `${fixture}:${positionOf('checkVisit({ ...event })')}`,
    });

    const [, thrower, , native, resumed, awaited] = stackOf({ mapAfterImport: true, handler: 'handlerAsync' });
    expect(thrower).toBe(`    at refuseVisit (${fixture}:${positionOf('new Error(`visit')})`);
    expect(native).toBe('    at Array.map (<anonymous>)');
    expect(frameOf(resumed)).toEqual({
      prefix: '',
      name: expect.any(String),
      location: `${fixture}:${positionOf('map(checkVisit)')}`,
    });
    expect(frameOf(awaited)).toEqual({
      prefix: 'async ',
      name: expect.any(String),
      location: `${fixture}:${positionOf('await checkLater(event)')}`,
    });
  });

  it('print "<error>" for an error that cannot be printed, and its frames all the same', () => {
    const [header, thrower] = stackOf({ mapAfterImport: true, handler: 'handlerNamelessError' });
    expect(header).toBe('<error>');
    expect(frameOf(thrower)).toEqual({
      prefix: '',
      name: expect.any(String),
      location: `${fixture}:${positionOf("new Error('no name")}`,
    });
  });

  it("keep the bundle's own positions when no map is next to it", () => {
    const [header, thrower] = stackOf({ mapAfterImport: false });
    expect(header).toBe('Error: visit refused: no phone');
    const location = frameOf(thrower)?.location ?? '';
    expect(location.startsWith(`${pathToFileURL(bundle).href}:`), location).toBe(true);
    expect(location.slice(pathToFileURL(bundle).href.length)).toMatch(/^:\d+:\d+$/);
  });
});
