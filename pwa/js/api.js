/**
 * The one fetch wrapper for /api/v1: JSON in and out, same-origin cookies, CSRF header on
 * unsafe methods, Accept-Language of the UI, and problem+json errors turned into ApiError.
 *
 *   import { api } from './api.js';
 *   const me = await api.get('/me');
 *   await api.post('/auth/otp', { phone });
 *
 * On a 401 from anything but /auth/* (where 401 means "wrong password"), the handler set with
 * onUnauthorized() runs; the router uses it to go to #/login. The error is thrown all the same.
 */
import { getLocale, t } from './i18n.js';

export const API_BASE = '/api/v1';
const CSRF_COOKIE = 'fg_csrf';
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** An API failure: HTTP `status` (0 = network), stable `code`, readable `detail`, field `errors`. */
export class ApiError extends Error {
  constructor({ status, code, detail, errors = [], title, problem = {} }) {
    super(detail || title || code);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.detail = detail || title || code;
    this.errors = errors;
    this.problem = problem; // the whole problem+json body (e.g. retry_after)
  }

  /** The message for `field` from `errors`, if any. */
  fieldError(field) {
    const error = this.errors.find((e) => e.field === field);
    return error ? error.message : undefined;
  }
}

let unauthorizedHandler = () => {};

/** Set what happens on a 401 outside /auth/* (the app goes to the login screen). */
export function onUnauthorized(fn) {
  unauthorizedHandler = fn;
}

function readCookie(name) {
  const prefix = `${name}=`;
  for (const part of document.cookie.split(';')) {
    const item = part.trim();
    if (item.startsWith(prefix)) return decodeURIComponent(item.slice(prefix.length));
  }
  return null;
}

let csrfPromise = null;

/** The CSRF token: from the fg_csrf cookie, else fetched once from /auth/csrf. */
async function csrfToken({ refresh = false } = {}) {
  const cookie = refresh ? null : readCookie(CSRF_COOKIE);
  if (cookie) return cookie;
  if (!csrfPromise) {
    // One request even if several calls need the token at once.
    csrfPromise = request('GET', '/auth/csrf')
      .then((body) => body.csrf_token)
      .finally(() => {
        csrfPromise = null;
      });
  }
  return csrfPromise;
}

async function toError(response) {
  let body = {};
  const type = response.headers.get('Content-Type') || '';
  if (type.includes('json')) {
    try {
      body = await response.json();
    } catch {
      body = {};
    }
  }
  return new ApiError({
    status: response.status,
    code: body.code || `http_${response.status}`,
    detail: body.detail || t(response.status >= 500 ? 'error.server' : 'error.unknown'),
    errors: Array.isArray(body.errors) ? body.errors : [],
    title: body.title,
    problem: body,
  });
}

async function request(method, path, body, { retryCsrf = true } = {}) {
  const headers = { Accept: 'application/json, application/problem+json', 'Accept-Language': getLocale() };
  // A Blob (a file the user picked) goes as it is; the server reads its type from its bytes.
  const raw = typeof Blob !== 'undefined' && body instanceof Blob;
  if (body !== undefined) headers['Content-Type'] = raw ? body.type || 'application/octet-stream' : 'application/json';
  if (UNSAFE.has(method)) headers['X-CSRF-Token'] = await csrfToken();

  let response;
  try {
    response = await fetch(API_BASE + path, {
      method,
      headers,
      body: body === undefined || raw ? body : JSON.stringify(body),
      credentials: 'same-origin',
    });
  } catch (cause) {
    throw new ApiError({ status: 0, code: 'network_error', detail: t('error.network'), problem: { cause } });
  }

  if (response.ok) {
    if (response.status === 204) return null;
    const type = response.headers.get('Content-Type') || '';
    return type.includes('json') ? response.json() : response.text();
  }

  const error = await toError(response);
  // A stale or missing CSRF cookie (e.g. the session expired): fetch a new token, retry once.
  if (response.status === 403 && retryCsrf && UNSAFE.has(method) && /csrf/i.test(error.code)) {
    await csrfToken({ refresh: true });
    return request(method, path, body, { retryCsrf: false });
  }
  if (response.status === 401 && !path.startsWith('/auth/')) unauthorizedHandler(error);
  throw error;
}

export const api = {
  get: (path) => request('GET', path),
  post: (path, body = {}) => request('POST', path, body),
  put: (path, body = {}) => request('PUT', path, body),
  patch: (path, body = {}) => request('PATCH', path, body),
  delete: (path) => request('DELETE', path),
  /** PUT a file as the raw body (e.g. an invoice): `api.upload('/subsidies/batches/1/invoice', file)`. */
  upload: (path, blob) => request('PUT', path, blob),
};
