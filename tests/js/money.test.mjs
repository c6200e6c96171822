// Amounts typed in yuan become integer fen exactly, and fen are shown as people read yuan.
import assert from 'node:assert/strict';
import test from 'node:test';

import { parseYuan, yuan, yuanInput } from '../../pwa/js/money.js';

test('yuan typed as text become exact integer fen', () => {
  assert.equal(parseYuan('800'), 80000);
  assert.equal(parseYuan('800.5'), 80050);
  assert.equal(parseYuan('0.07'), 7);
  assert.equal(parseYuan('0.29'), 29); // 0.29 * 100 is 28.999999999999996 as a float
  assert.equal(parseYuan('1,200.05'), 120005);
  assert.equal(parseYuan(' ¥96 '), 9600);
});

test('anything else is not an amount', () => {
  for (const text of ['', '-5', '1.234', 'abc', '1e3', '12.', '.5', null, undefined, '9999999999']) {
    assert.equal(parseYuan(text), null, String(text));
  }
});

test('fen are shown in yuan with two decimals and thousands separators', () => {
  assert.equal(yuan(123450), '¥1,234.50');
  assert.equal(yuan(7), '¥0.07');
  assert.equal(yuan(0), '¥0.00');
  assert.equal(yuan(-100), '-¥1.00');
  assert.equal(yuan(null), '—');
  assert.equal(yuanInput(80000), '800.00');
  assert.equal(parseYuan(yuanInput(4321)), 4321);
});
