/**
 * Small helpers shared by the checkpoint screens (scanner, check-in, officials' views):
 * their stylesheet, time words, local storage, sounds and vibration for the verdict.
 */
import { beijingClock, beijingDay, beijingShort } from '../beijing.js';
import { t, getLocale } from '../i18n.js';

const STYLESHEET = '/css/checkpoints.css';

/** Load css/checkpoints.css once (a <link>, allowed by the CSP's style-src 'self'). */
export function ensureStylesheet() {
  if (document.querySelector(`link[href="${STYLESHEET}"]`)) return;
  const link = document.createElement('link');
  link.rel = 'stylesheet';
  link.href = STYLESHEET;
  document.head.appendChild(link);
}

/** "刚刚" / "5 分钟前" / "2 小时前" / "3 天前" for an age in milliseconds. */
export function ageText(ms) {
  if (ms === null || ms === undefined) return t('checkpoints.age.never');
  const minutes = Math.floor(ms / 60000);
  if (minutes < 1) return t('checkpoints.age.now');
  if (minutes < 60) return t('checkpoints.age.minutes', { n: minutes });
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return t('checkpoints.age.hours', { n: hours });
  return t('checkpoints.age.days', { n: Math.floor(hours / 24) });
}


/** 'MM-DD HH:MM', Beijing time. */
export function shortDateTime(value) {
  return beijingShort(value);
}

/** 'HH:MM:SS', Beijing time. */
export function clockText(d) {
  return beijingClock(d);
}

/** 'YYYY-MM-DD' of a Date: its Beijing day (the server's day boundary). */
export function isoDay(d) {
  return beijingDay(d);
}

/** The status in words: 绿码 / 黄码 / 红码. */
export function statusWord(status) {
  return status ? t(`checkpoints.status.${status}`) : '';
}

/** JSON in localStorage, tolerant of private mode and bad data. */
export function readLocal(key, fallback = null) {
  try {
    const value = JSON.parse(localStorage.getItem(key));
    return value === null || value === undefined ? fallback : value;
  } catch {
    return fallback;
  }
}

export function writeLocal(key, value) {
  try {
    localStorage.setItem(key, JSON.stringify(value));
  } catch {
    /* storage full or private mode: the screen still works */
  }
}

export function isEnglish() {
  return getLocale() === 'en';
}

// -- sound and vibration --------------------------------------------------------------------

let audio = null;

/** Create/resume the AudioContext; call from a tap (browsers allow sound after a gesture). */
export function unlockAudio() {
  try {
    const Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) return;
    if (!audio) audio = new Context();
    if (audio.state === 'suspended') audio.resume();
  } catch {
    audio = null;
  }
}

function tone(freq, start, duration, type) {
  const osc = audio.createOscillator();
  const gain = audio.createGain();
  osc.type = type;
  osc.frequency.value = freq;
  gain.gain.setValueAtTime(0.0001, start);
  gain.gain.exponentialRampToValueAtTime(0.35, start + 0.01);
  gain.gain.exponentialRampToValueAtTime(0.0001, start + duration);
  osc.connect(gain).connect(audio.destination);
  osc.start(start);
  osc.stop(start + duration + 0.02);
}

/**
 * Pass: two short high beeps and one short buzz. Stop: a long low tone and three long buzzes.
 * Different enough to tell apart without looking, in a noisy queue.
 */
export function signal(kind) {
  try {
    if (audio && audio.state === 'running') {
      const now = audio.currentTime;
      if (kind === 'pass') {
        tone(1175, now, 0.09, 'sine');
        tone(1568, now + 0.13, 0.12, 'sine');
      } else {
        tone(330, now, 0.5, 'square');
      }
    }
  } catch {
    /* no sound: the screen says it all */
  }
  if (navigator.vibrate) {
    try {
      navigator.vibrate(kind === 'pass' ? [60] : [250, 120, 250, 120, 250]);
    } catch {
      /* not allowed before a tap */
    }
  }
}
