/**
 * Articles for the home screen, kept on the device so they stay readable offline once loaded.
 *
 * The last list (GET /articles) is kept in localStorage ('fg.articles'), tagged with the user's
 * id: another person signing in on the same phone never sees someone else's list. Articles hold
 * no personal data; their HTML was sanitised by the server (and the page's CSP runs no inline
 * script whatever it held).
 */
import { api } from '../api.js';
import * as store from '../store.js';

const KEY = 'fg.articles';

function userId() {
  const { me } = store.get();
  return me ? me.id : null;
}

export function cachedArticles() {
  try {
    const saved = JSON.parse(localStorage.getItem(KEY) || 'null');
    return saved && saved.user === userId() ? saved.items : [];
  } catch {
    return [];
  }
}

function save(items) {
  try {
    localStorage.setItem(KEY, JSON.stringify({ user: userId(), items }));
  } catch {
    /* storage full or blocked: the list just is not kept */
  }
}

/** The articles aimed at me: from the network, else (offline) the last list kept. */
export async function loadArticles() {
  try {
    const { items } = await api.get('/articles');
    save(items);
    return { items, offline: false };
  } catch (err) {
    if (err.status === 0) return { items: cachedArticles(), offline: true };
    throw err;
  }
}

/** One article: the kept copy first (works offline), else from the network. */
export async function loadArticle(id) {
  const kept = cachedArticles().find((a) => a.id === id);
  if (kept) return kept;
  return api.get(`/articles/${id}`);
}

const nodes = new Map();
/** The article's (server-sanitised) HTML as a DOM node, built once per article and version. */
export function articleBody(article) {
  const key = `${article.id}:${article.updated_at}`;
  if (!nodes.has(key)) {
    const div = document.createElement('div');
    div.className = 'pub-article__body';
    div.innerHTML = article.body_html;
    nodes.set(key, div);
  }
  return nodes.get(key);
}
