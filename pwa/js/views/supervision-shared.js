/**
 * Shared by the supervision screens: their stylesheet, the photo upload (the file itself as
 * the request body, with the CSRF header), words for states, and the link from a dashboard
 * figure's API list to the screen that shows it.
 */
import { API_BASE, ApiError, api } from '../api.js';
import { getLocale, t } from '../i18n.js';
import { beijingShort } from '../beijing.js';

const STYLESHEET = '/css/supervision.css';

export function ensureStylesheet() {
  if (document.querySelector(`link[href="${STYLESHEET}"]`)) return;
  const link = document.createElement('link');
  link.rel = 'stylesheet';
  link.href = STYLESHEET;
  document.head.appendChild(link);
}

export function shortDateTime(value) {
  return value ? beijingShort(value) : '';
}

export const MAX_PHOTO_BYTES = 5 * 1024 * 1024;

function readCookie(name) {
  const prefix = `${name}=`;
  for (const part of document.cookie.split(';')) {
    const item = part.trim();
    if (item.startsWith(prefix)) return decodeURIComponent(item.slice(prefix.length));
  }
  return null;
}

/** Send a photo (a File or Blob) to a complaint; the server checks and re-encodes it. */
export async function uploadPhoto(complaintId, file) {
  let token = readCookie('fg_csrf');
  if (!token) token = (await api.get('/auth/csrf')).csrf_token;
  let response;
  try {
    response = await fetch(`${API_BASE}/supervision/complaints/${complaintId}/photos`, {
      method: 'POST',
      body: file,
      headers: {
        'Content-Type': file.type || 'application/octet-stream',
        'X-CSRF-Token': token,
        'Accept-Language': getLocale(),
        Accept: 'application/json, application/problem+json',
      },
      credentials: 'same-origin',
    });
  } catch (cause) {
    throw new ApiError({ status: 0, code: 'network_error', detail: t('error.network'), problem: { cause } });
  }
  let body = {};
  try {
    body = await response.json();
  } catch {
    body = {};
  }
  if (!response.ok) {
    throw new ApiError({ status: response.status, code: body.code || `http_${response.status}`, detail: body.detail || t('error.unknown'), problem: body });
  }
  return body;
}

/** The complaint's state for its worker: received / handling / closed. */
export function stateWord(state) {
  return t(`supervision.state.${state}`);
}

/** The case's state for officials: open / closed. */
export function caseStateWord(state) {
  return t(`supervision.case_state.${state}`);
}

/** The PWA screen (hash path) showing the rows an API list URL returns. */
export function screenFor(listUrl) {
  const [path, query = ''] = listUrl.replace(API_BASE, '').split('?');
  const params = new URLSearchParams(query);
  if (path === '/supervision/cases') return `/supervision/cases?${params}`;
  if (path === '/ledger/people') return `/ledger/people?${params}`;
  if (path === '/labour-demand/summary') return `/recruit/labour?${params}`;
  if (path === '/quarantine/cases') {
    const tab = params.get('filter') || 'open';
    params.delete('filter');
    params.set('tab', tab);
    return `/quarantine?${params}`;
  }
  return `/supervision/list?${new URLSearchParams({ src: `${path}?${query}` })}`;
}
