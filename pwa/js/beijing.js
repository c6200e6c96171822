/**
 * Dates and times as Changde reads them (Asia/Shanghai, the server's day boundaries), whatever
 * zone the phone is set to: a volunteer's borrowed phone or a worker back from abroad must
 * show the same day and hour as the ledger.
 *
 *   beijingDay()              '2020-02-20'   (today; or of a Date / ISO string)
 *   beijingDayIn(3)           '2020-02-23'   (today + 3 days)
 *   beijingDayTime(iso)       '2020-02-20 10:05'
 *   beijingShort(iso)         '02-20 10:05'
 *   beijingClock(date)        '10:05:09'
 *   beijingParts(date)        {year, month, day, hour, minute, second} as 2-digit strings
 */
export const TIME_ZONE = 'Asia/Shanghai';

const FORMAT = new Intl.DateTimeFormat('en-GB', {
  timeZone: TIME_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hour12: false,
});

function toDate(value) {
  if (value === undefined) return new Date();
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

export function beijingParts(value) {
  const date = toDate(value);
  if (!date) return null;
  const parts = {};
  for (const part of FORMAT.formatToParts(date)) parts[part.type] = part.value;
  if (parts.hour === '24') parts.hour = '00'; // some engines write midnight as 24 with hour12: false
  return parts;
}

export function beijingDay(value) {
  const p = beijingParts(value);
  return p ? `${p.year}-${p.month}-${p.day}` : '';
}

export function beijingDayIn(days, now = Date.now()) {
  return beijingDay(new Date(now + days * 86400000));
}

export function beijingDayTime(value) {
  if (!value) return '';
  const p = beijingParts(value);
  return p ? `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}` : '';
}

export function beijingShort(value) {
  if (!value) return '';
  const p = beijingParts(value);
  return p ? `${p.month}-${p.day} ${p.hour}:${p.minute}` : '';
}

export function beijingClock(value) {
  const p = beijingParts(value);
  return p ? `${p.hour}:${p.minute}:${p.second}` : '';
}
