/**
 * UI strings: one catalogue per language in /locales/<locale>.json, keys like "tab.home".
 *
 * Simplified Chinese is the default; English is second. The choice is kept in localStorage
 * ('fg.locale'); app.js also saves it on the server (PATCH /api/v1/me) for signed-in users.
 */
import * as store from './store.js';

export const LOCALES = ['zh-CN', 'en'];
export const DEFAULT_LOCALE = 'zh-CN';
const STORAGE_KEY = 'fg.locale';

let catalogue = {};

/** The locale stored on this device, or null if the user never chose one here. */
export function savedLocale() {
  try {
    const value = localStorage.getItem(STORAGE_KEY);
    return LOCALES.includes(value) ? value : null;
  } catch {
    return null;
  }
}

/** The current UI locale. */
export function getLocale() {
  return store.get().locale;
}

/**
 * Translate `key`, replacing `{name}` placeholders from `params`.
 * A missing key shows the key itself, so it is easy to spot.
 */
export function t(key, params) {
  const text = key in catalogue ? catalogue[key] : key;
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (m, name) => (name in params ? String(params[name]) : m));
}

/** Load the catalogue for `locale`, make it current, update <html lang> and notify the views. */
export async function setLocale(locale, { remember = true } = {}) {
  if (!LOCALES.includes(locale)) locale = DEFAULT_LOCALE;
  const response = await fetch(`/locales/${locale}.json`);
  if (!response.ok) throw new Error(`locale ${locale}: HTTP ${response.status}`);
  catalogue = await response.json();
  document.documentElement.lang = locale;
  if (remember) {
    try {
      localStorage.setItem(STORAGE_KEY, locale);
    } catch {
      /* not persisted: fine */
    }
  }
  store.set({ locale });
}

/** Load the saved (or default) locale at start-up. */
export function initLocale() {
  return setLocale(savedLocale() || DEFAULT_LOCALE, { remember: false });
}

/** The region's name in the current language (Me.region has name_zh and name_en). */
export function regionName(region) {
  if (!region) return '';
  return getLocale() === 'en' ? region.name_en || region.name_zh : region.name_zh || region.name_en;
}
