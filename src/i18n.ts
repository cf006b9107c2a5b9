// The screen's language: from the reader's navigator.languages unless they chose one (kept in
// localStorage) or the host set one (<ferry-uploads lang>), applied to every element marked data-i18n.
import { describe, formatRelative, formatSize, isLanguage, pickLanguage, translate, type Key, type Language, type Notice, type Params } from '../common/i18n/catalogue.js';

const KEPT = 'ferry:language';
const listeners = new Set<() => void>();
let current: Language = chosen();

function chosen(): Language {
  const kept = localStorage.getItem(KEPT);
  return isLanguage(kept) ? kept : pickLanguage(navigator.languages);
}

export function language(): Language {
  return current;
}

export function t(key: Key, params?: Params): string {
  return translate(current, key, params);
}

export const noticeText = (notice: Notice): string => describe(current, notice);
export const size = (bytes: number): string => formatSize(current, bytes);
export const relative = (then: number): string => formatRelative(current, then, Date.now());

/** Switch to `next` (`keep`: the reader chose it, so it is remembered), and redraw everything that speaks. */
export function setLanguage(next: Language, keep = true): void {
  if (keep) localStorage.setItem(KEPT, next);
  if (next === current) return;
  current = next;
  for (const listener of listeners) listener();
}

/** Call `listener` after every change of language; returns the function that stops it. */
export function onLanguageChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Every `data-i18n` element's text in `root` (or, with data-i18n-attr, that attribute). */
export function applyLanguage(root: ParentNode = document): void {
  for (const element of root.querySelectorAll<HTMLElement>('[data-i18n]')) {
    const text = t(element.dataset.i18n as Key);
    if (element.dataset.i18nAttr) element.setAttribute(element.dataset.i18nAttr, text);
    else element.textContent = text;
  }
}
