// The page's language: from the reader's navigator.languages unless they chose one (kept in
// localStorage), shown in <html lang>, and applied to every element marked data-i18n.
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

/** Switch the page to `next`, keep the choice, and redraw everything that speaks. */
export function setLanguage(next: Language): void {
  current = next;
  localStorage.setItem(KEPT, next);
  applyLanguage();
  for (const listener of listeners) listener();
}

export function onLanguageChange(listener: () => void): void {
  listeners.add(listener);
}

/** `<html lang>` and every `data-i18n` element's text (or, with data-i18n-attr, that attribute). */
export function applyLanguage(): void {
  document.documentElement.lang = current;
  for (const element of document.querySelectorAll<HTMLElement>('[data-i18n]')) {
    const text = t(element.dataset.i18n as Key);
    if (element.dataset.i18nAttr) element.setAttribute(element.dataset.i18nAttr, text);
    else element.textContent = text;
  }
}
