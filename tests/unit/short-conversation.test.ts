import { describe, expect, it } from 'vitest';
import { parseScoreAndReason } from '#shared/domain/reply-parser.ts';

const nps = { min: 0, max: 10 };

describe('parseScoreAndReason', () => {
  it('reads "9 等太久了" as score 9 and reason 等太久了', () => {
    expect(parseScoreAndReason('9 等太久了', nps)).toEqual({ score: 9, reason: '等太久了' });
  });

  it.each([
    ['9分，等太久了', 9, '等太久了'],
    ['9分等太久了', 9, '等太久了'],
    ['3分服务太差', 3, '服务太差'],
    ['八 服务很好', 8, '服务很好'],
    ['10分!师傅很专业，等了2个小时也值', 10, '师傅很专业，等了2个小时也值'],
    ['7/10 slow but friendly', 7, 'slow but friendly'],
    ['nine - friendly staff', 9, 'friendly staff'],
    ['３ 太贵', 3, '太贵'],
  ])('reads %s as %i with its reason', (text, score, reason) => {
    expect(parseScoreAndReason(text, nps)).toEqual({ score, reason });
  });

  it('takes a score alone with no reason', () => {
    expect(parseScoreAndReason(' 9! ', nps)).toEqual({ score: 9 });
    expect(parseScoreAndReason('给9分吧', nps)).toEqual({ score: 9 });
  });

  it('asks again for a score off the scale or no score', () => {
    expect(parseScoreAndReason('11 很好', nps)).toBeUndefined();
    expect(parseScoreAndReason('等太久了', nps)).toBeUndefined();
    expect(parseScoreAndReason('6 csat', { min: 1, max: 5 })).toBeUndefined();
  });

  it('does not read a reason that starts with a number as its score when the score leads', () => {
    expect(parseScoreAndReason('2 2个小时没人理', nps)).toEqual({ score: 2, reason: '2个小时没人理' });
  });
});
