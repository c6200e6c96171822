/**
 * Money on screen: integer fen on the wire, yuan for people, never a float in between.
 * No DOM here, so Node's test runner checks it (tests/js/money.test.mjs).
 */

/** '¥1,234.50' for 123450 fen; '—' for none. */
export function yuan(fen) {
  if (fen === null || fen === undefined) return '—';
  const negative = fen < 0;
  const abs = Math.abs(fen);
  const whole = String(Math.floor(abs / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const part = String(abs % 100).padStart(2, '0');
  return `${negative ? '-' : ''}¥${whole}.${part}`;
}

/**
 * Integer fen from what a person typed in yuan ('800', '800.5', '1,200.05', '¥ 96'), read as
 * text digit by digit: 0.1 + 0.2 never gets a say. null for anything else.
 */
export function parseYuan(text) {
  const clean = String(text === null || text === undefined ? '' : text).replace(/[,，\s¥]/g, '');
  const match = /^(\d{1,9})(?:\.(\d{1,2}))?$/.exec(clean);
  if (!match) return null;
  return Number(match[1]) * 100 + Number((match[2] || '').padEnd(2, '0'));
}

/** The yuan text for an <input> from fen ('800.00'). */
export function yuanInput(fen) {
  return `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;
}
