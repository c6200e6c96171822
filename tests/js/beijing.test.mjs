// Every date and time on our screens is Beijing's, whatever zone the phone (or Node) is in.
import assert from 'node:assert/strict';
import test from 'node:test';

import { beijingClock, beijingDay, beijingDayIn, beijingDayTime, beijingParts, beijingShort } from '../../pwa/js/beijing.js';

// 2020-02-19T16:30:05Z is 00:30:05 on the 20th in Changde: the day differs from UTC's.
const LATE_UTC = '2020-02-19T16:30:05Z';

test('an instant past 16:00 UTC is already the next day in Beijing', () => {
  assert.equal(beijingDay(LATE_UTC), '2020-02-20');
  assert.equal(beijingDayTime(LATE_UTC), '2020-02-20 00:30');
  assert.equal(beijingShort(new Date(LATE_UTC)), '02-20 00:30');
  assert.equal(beijingClock(new Date(LATE_UTC)), '00:30:05');
  assert.equal(beijingParts(LATE_UTC).hour, '00');
});

test('days ahead count from the Beijing day', () => {
  const now = Date.parse(LATE_UTC);
  assert.equal(beijingDayIn(0, now), '2020-02-20');
  assert.equal(beijingDayIn(30, now), '2020-03-21');
});

test('missing or broken input gives an empty text, not "NaN"', () => {
  assert.equal(beijingDayTime(null), '');
  assert.equal(beijingShort(''), '');
  assert.equal(beijingDay('not a date'), '');
});
