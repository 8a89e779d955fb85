import { describe, expect, it } from 'vitest';
import { firstChannel, nextChannel, reachOf } from '#shared/domain/reach.ts';

const everything = { phone: true, textable: true, wechatOpenId: true, callTeam: true };

describe('reachOf', () => {
  it('takes the store’s reach, else the one channel its smsMode names', () => {
    expect(reachOf({ reach: ['wechat', 'sms'] }, { smsMode: 'two-way' })).toEqual(['wechat', 'sms']);
    expect(reachOf({}, { smsMode: 'two-way' })).toEqual(['sms']);
    expect(reachOf({ smsMode: 'link' }, { smsMode: 'two-way' })).toEqual(['link']);
    expect(reachOf({}, { smsMode: 'link' })).toEqual(['link']);
  });
});

describe('firstChannel', () => {
  it('sends a visit to the first channel it can use', () => {
    expect(firstChannel(['wechat', 'sms', 'call'], everything)).toBe('wechat');
    expect(firstChannel(['wechat', 'sms', 'call'], { ...everything, wechatOpenId: false })).toBe('sms');
  });

  it('calls only a customer with a phone when a call-back team exists', () => {
    expect(firstChannel(['call', 'sms'], { ...everything, callTeam: false })).toBe('sms');
    expect(
      firstChannel(['wechat', 'call'], { phone: false, textable: false, wechatOpenId: false, callTeam: true }),
    ).toBeUndefined();
  });

  it('texts no landline: a call reaches it, or nothing does', () => {
    const landline = { ...everything, textable: false, wechatOpenId: false };
    expect(firstChannel(['sms', 'call'], landline)).toBe('call');
    expect(firstChannel(['wechat', 'link', 'call'], landline)).toBe('call');
    expect(firstChannel(['sms', 'link'], landline)).toBeUndefined();
  });
});

describe('nextChannel', () => {
  it('moves an unanswered survey to the next usable channel', () => {
    expect(nextChannel(['sms', 'wechat', 'call'], { reach: 'sms' }, { ...everything, wechatOpenId: false })).toBe('call');
  });

  it('moves a survey once: one that has moved goes nowhere else', () => {
    expect(nextChannel(['sms', 'link', 'call'], { reach: 'link', movedFrom: 'sms' }, everything)).toBeUndefined();
  });

  it('has nowhere to go from the last channel', () => {
    expect(nextChannel(['wechat', 'sms'], { reach: 'sms' }, everything)).toBeUndefined();
    expect(nextChannel(['sms'], { reach: 'sms' }, everything)).toBeUndefined();
  });

  it('never moves a survey to the channel it is on, even when the store’s list changed', () => {
    expect(nextChannel(['sms'], { reach: 'link' }, everything)).toBe('sms');
    expect(nextChannel(['link'], { reach: 'link' }, everything)).toBeUndefined();
  });
});
