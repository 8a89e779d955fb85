import { describe, expect, it } from 'vitest';
import type { CommentCategory } from '#shared/config/schema.ts';
import { categorize } from '#shared/domain/classifier.ts';

describe('categorize', () => {
  const comments: [string, CommentCategory[]][] = [
    // wait time
    ['等了三个小时才交车', ['wait_time']],
    ['排队排了一上午，效率太低', ['wait_time']],
    ['We waited over 3 hours for an oil change', ['wait_time']],
    ['Service was really slow', ['wait_time']],
    // price
    ['价格太贵了，比外面贵一倍', ['price']],
    ['乱收费，账单上多了两项', ['price']],
    ['Way too expensive for a basic service', ['price']],
    ['I was overcharged for the brake pads', ['price']],
    // repair quality / repeat repair
    ['车子没修好，异响问题依旧', ['repair_quality']],
    ['第二次返修了', ['repair_quality']],
    ['The rattle came back after a week', ['repair_quality']],
    ['Same problem as before, not fixed', ['repair_quality']],
    // staff attitude
    ['服务顾问态度很差，很不耐烦', ['staff_attitude']],
    ['The advisor was rude and dismissive', ['staff_attitude']],
    // parts
    ['配件缺货', ['parts']],
    ['The part was on backorder for weeks', ['parts']],
    // cleanliness / damage
    ['车被刮花了，内饰很脏', ['cleanliness_damage']],
    ['They left a scratch on the door and greasy handprints', ['cleanliness_damage']],
    // appointment
    ['预约了还要改期', ['appointment']],
    ['Could not get an appointment for two weeks', ['appointment']],
    // communication
    ['没通知我车已经修好了', ['communication']],
    ['Nobody told me the car was ready', ['communication']],
    ['They never explained the extra work', ['communication']],
    // several at once, in the configured order
    ['等了两个小时，价格也太贵', ['wait_time', 'price']],
    ['Rude staff and an expensive bill', ['price', 'staff_attitude']],
    ['配件没货，等了两周', ['wait_time', 'parts']],
  ];

  it.each(comments)('files %j under %j', (comment, expected) => {
    expect(categorize(comment)).toEqual(expected);
  });

  it.each(['服务很好，非常满意', 'Great service, friendly people', 'the staff were kind'])(
    'finds no category in praise: %j',
    (comment) => {
      expect(categorize(comment)).toEqual([]);
    },
  );

  it('finds no category in a missing or empty comment', () => {
    expect(categorize(undefined)).toEqual([]);
    expect(categorize('')).toEqual([]);
  });

  it('ignores case and full-width letters', () => {
    expect(categorize('RUDE ADVISOR')).toEqual(['staff_attitude']);
    expect(categorize('ｒｕｄｅ')).toEqual(['staff_attitude']);
  });

  it('matches English keywords at the start of a word only', () => {
    expect(categorize('The brake pads were fine')).toEqual([]); // "pads" is not "parts"; "fine" holds no keyword
    expect(categorize('Absolutely unrudely handled')).toEqual([]); // "rude" inside a word
  });
});
