import { describe, expect, it } from 'vitest';
import { firstDemoFigures, parseDemoSummary } from '../../bench/first-demo.ts';
import { firstDemoRow, firstDemoSection } from '../../bench/report.ts';

const summary = {
  rows: 16_900,
  answers: 6_900,
  imported: 16_900,
  duplicates: 0,
  importSeconds: 338,
  scoringSeconds: 22,
  settled: true,
  scored: 6_900,
  liveSeconds: 31.25,
  live: { answered: 6, opted_out: 1, suppressed: 1, waiting: 2 },
  alerts: 4,
  totalSeconds: 395.4,
};
const timing = { seconds: 401.37, stackStartSeconds: 12.3, loadAverageAtStart: [9.7], loadAverageAtEnd: [10.2] };

describe('parseDemoSummary', () => {
  it("reads the demo's --json summary", () => {
    expect(parseDemoSummary(JSON.stringify(summary))).toEqual(summary);
  });

  it('names a missing figure', () => {
    const { importSeconds: _, ...missing } = summary;
    expect(() => parseDemoSummary(JSON.stringify(missing))).toThrow(/importSeconds/);
  });
});

describe('firstDemoFigures', () => {
  it("gives rows per second of the import and answers per second from the import's start until all were scored", () => {
    const figures = firstDemoFigures(summary, timing);
    expect(figures).toMatchObject({
      seconds: 401.4,
      importSeconds: 338,
      scoringSeconds: 22,
      liveSeconds: 31.3,
      visits: 16_900,
      answers: 6_900,
      rowsPerSecond: 50,
      answersPerSecond: 19.2,
      settled: true,
    });
  });

  it('gives no answer rate when the scores never held every answer', () => {
    const figures = firstDemoFigures({ ...summary, settled: false, scored: 6_000, scoringSeconds: 900 }, timing);
    expect(figures.answersPerSecond).toBe(0);
    expect(firstDemoRow(figures)[1]).toContain('NOT settled');
  });
});

describe('firstDemoSection', () => {
  it('says the whole time, its parts and what the live conversations did', () => {
    const figures = firstDemoFigures(summary, timing);
    expect(firstDemoRow(figures)[1]).toBe('**401.4 s** (import 338 s, scores settled 22 s later)');
    const section = firstDemoSection(figures);
    expect(section).toContain('**401.4**');
    expect(section).toContain('**50 rows/s**');
    expect(section).toContain('6 answered, 1 opted_out, 1 suppressed, 2 waiting; 4 alerts');
  });
});
