/**
 * Stack traces that point into the TypeScript sources, as Node's `--enable-source-maps` gives
 * them, with the bundle's source map read on the first stack trace instead of at every cold start.
 * Node's flag reads and parses the whole map (290 to 880 KB) while the bundle loads: about 8 ms of
 * every cold start (`npm run bench`), for errors most instances never throw.
 */
import { readFileSync } from 'node:fs';
import { SourceMap, type SourceMapping } from 'node:module';
import { fileURLToPath } from 'node:url';

/** What the map says of a position; `name` is there on Node 20 and 22, though @types/node 20 leaves it out. */
type Original = Partial<SourceMapping> & { name?: string };

/** From now on, a stack frame in the bundle at `bundleUrl` shows the source file, line, column and name the map gives it. */
export function mapStackTraces(bundleUrl: string): void {
  const mapUrl = `${bundleUrl}.map`;
  let map: SourceMap | null | undefined;
  const sourceMap = () => {
    if (map === undefined) {
      try {
        map = new SourceMap(JSON.parse(readFileSync(fileURLToPath(mapUrl), 'utf8')));
      } catch {
        // No map next to the bundle, or an unreadable one: the bundle's own positions, as without the flag.
        map = null;
      }
    }
    return map;
  };
  const originalOf = (frame: NodeJS.CallSite): Original | undefined => {
    const line = frame.getLineNumber();
    const column = frame.getColumnNumber();
    if (frame.getFileName() !== bundleUrl || line === null || column === null) return undefined;
    const entry = sourceMap()?.findEntry(line - 1, column - 1);
    return entry && 'originalSource' in entry ? entry : undefined;
  };

  /** One frame as V8 prints it, its position (and name) the map's; a frame the map does not know stays as it is. */
  const frameText = (frame: NodeJS.CallSite, original: Original | undefined, caller: Original | undefined): string => {
    const text = frame.toString();
    if (!original?.originalSource || original.originalLine === undefined || original.originalColumn === undefined) return text;
    const generated = `${frame.getFileName()}:${frame.getLineNumber()}:${frame.getColumnNumber()}`;
    const source = `${fileURLToPath(new URL(original.originalSource, mapUrl))}:${original.originalLine + 1}:${original.originalColumn + 1}`;
    const at = text.lastIndexOf(generated);
    let mapped = at < 0 ? text : `${text.slice(0, at)}${source}${text.slice(at + generated.length)}`;
    // A function's own name is the one its caller's call site gives it, as with Node's flag (the
    // outermost frame's caller is the Lambda runtime, so its name stays minified). V8 prints the
    // name first, after "async " or "new ", then " (" or " [as ".
    const minifiedName = frame.getFunctionName();
    const name = caller?.name;
    if (minifiedName && name) {
      const prefix = frame.isAsync() ? 'async ' : frame.isConstructor() ? 'new ' : '';
      const printed = `${prefix}${minifiedName}`;
      const rest = mapped.slice(printed.length);
      if (mapped.startsWith(printed) && (rest.startsWith(' (') || rest.startsWith(' [as '))) mapped = `${prefix}${name}${rest}`;
    }
    return mapped;
  };

  Error.prepareStackTrace = (error, frames) => {
    // Each frame's entry, looked up once: a frame's name is its caller's entry's.
    const originals = frames.map(originalOf);
    const lines = frames.map((frame, i) => {
      try {
        return `    at ${frameText(frame, originals[i], originals[i + 1])}`;
      } catch {
        // A map entry this cannot read (a source that is not a file URL, say): the frame as V8 prints it.
        return `    at ${frame}`;
      }
    });
    return [errorHeader(error), ...lines].join('\n');
  };
}

function errorHeader(error: Error): string {
  try {
    return Error.prototype.toString.call(error);
  } catch {
    return '<error>';
  }
}
