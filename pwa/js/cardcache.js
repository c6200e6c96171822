/**
 * The last health card this device received, kept so the card screen works offline.
 *
 * One card, in localStorage ('fg.card'), tagged with the user's id: another person signing in
 * on the same phone never sees it. Only what the card screen draws is kept (the signed QR text
 * and the words printed on the card, which the QR carries anyway: masked name, last 4 of the ID,
 * colour); never a full name, ID number or phone (PIPL: the minimum on the device).
 * A cached card is only as good as its `expires_at`: `isExpired()` decides, and the card screen
 * never shows an expired card as valid.
 */

const KEY = 'fg.card';
const FIELDS = [
  'card_id',
  'card_type',
  'status',
  'status_text',
  'reasons',
  'quarantine_until',
  'name_masked',
  'id_last4',
  'issued_at',
  'expires_at',
  'revoked',
  'qr',
  'issuer',
];

/** Keep `card` (the API's CardOut) as the last card of user `userId`. */
export function saveCard(userId, card) {
  const kept = {};
  for (const field of FIELDS) if (field in card) kept[field] = card[field];
  try {
    localStorage.setItem(KEY, JSON.stringify({ user_id: userId, saved_at: new Date().toISOString(), card: kept }));
  } catch {
    /* private mode or full storage: the card screen still works online */
  }
}

/** The last card of user `userId` with the time it was saved ({card, savedAt}), or null. */
export function loadCard(userId) {
  try {
    const entry = JSON.parse(localStorage.getItem(KEY));
    if (!entry || entry.user_id !== userId || !entry.card || !entry.card.qr) return null;
    return { card: entry.card, savedAt: entry.saved_at };
  } catch {
    return null;
  }
}

/** Forget the kept card (the server says there is none, or another user signs in). */
export function forgetCard() {
  try {
    localStorage.removeItem(KEY);
  } catch {
    /* nothing kept */
  }
}

/** True if `card` is past its expiry at `now` (ms), or its expiry is unreadable. */
export function isExpired(card, now = Date.now()) {
  const expires = Date.parse(card && card.expires_at);
  return Number.isNaN(expires) || now > expires;
}
