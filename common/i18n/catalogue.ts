// The catalogues' shape, and translation: one catalogue per language, written by hand, with
// plurals, numbers, sizes and times from Intl. Page and worker share it (the worker's sentences
// reach the page as notices, { key, params }, and are translated where they are shown).
import { en } from './en.js';
import { es } from './es.js';
import { ja } from './ja.js';
import { ru } from './ru.js';
import { uk } from './uk.js';

export type Key = keyof typeof en;
/** Intl.PluralRules categories a language uses; `other` always. */
export type Plural = Partial<Record<Intl.LDMLPluralRule, string>> & { other: string };
export type Catalogue = { [K in Key]: (typeof en)[K] extends string ? string : Plural };
/** A parameter: text as it is, a number in the language's digits, or a size in its units. */
export type Param = string | number | { bytes: number };
export type Params = Record<string, Param>;

export const LANGUAGES = { en, ru, uk, es, ja } as const satisfies Record<string, Catalogue>;
export type Language = keyof typeof LANGUAGES;
/** Each language by its own name, for the switcher. */
export const LANGUAGE_NAMES: Record<Language, string> = { en: 'English', ru: 'Русский', uk: 'Українська', es: 'Español', ja: '日本語' };

/** A sentence from the worker, translated where it is shown. */
export interface Notice {
  key: Key;
  params?: Params;
}

/** The first of the reader's languages we speak, else English. */
export function pickLanguage(preferred: readonly string[]): Language {
  for (const tag of preferred) {
    const primary = tag.toLowerCase().split('-', 1)[0]!;
    if (primary in LANGUAGES) return primary as Language;
  }
  return 'en';
}

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && value in LANGUAGES;
}

/** A worker's notice as a sentence: a finished upload's says what was caught on the way, too. */
export function describe(language: Language, notice: Notice): string {
  const text = translate(language, notice.key, notice.params);
  if (notice.key !== 'notice.verified' && notice.key !== 'notice.uploaded') return text;
  const damaged = Number(notice.params?.damaged ?? 0);
  const startedOver = Number(notice.params?.startedOver ?? 0);
  return [
    text,
    ...(damaged > 0 ? [translate(language, 'notice.damaged', { count: damaged })] : []),
    ...(startedOver > 0 ? [translate(language, 'notice.forgotten', { count: startedOver })] : []),
  ].join(' ');
}

/** `key` in `language` with its parameters; a plural picks its form by `params.count`. A missing key shows as ⟦key⟧. */
export function translate(language: Language, key: Key, params: Params = {}): string {
  const entry = (LANGUAGES[language] as Catalogue)[key] as string | Plural | undefined;
  if (entry === undefined) return `⟦${key}⟧`;
  const text = typeof entry === 'string' ? entry : (entry[pluralRules(language).select(Number(params.count ?? 0))] ?? entry.other);
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? formatParam(language, params[name]!) : whole));
}

function formatParam(language: Language, value: Param): string {
  if (typeof value === 'object') return formatSize(language, value.bytes);
  return typeof value === 'number' ? numberFormat(language).format(value) : value;
}

// Intl objects are costly to make and cheap to use: a batch of 300 rows made thousands a second.
const numberFormats = new Map<string, Intl.NumberFormat>();
const pluralRulesByLanguage = new Map<Language, Intl.PluralRules>();

function numberFormat(language: Language, options: Intl.NumberFormatOptions = {}): Intl.NumberFormat {
  const key = `${language} ${JSON.stringify(options)}`;
  let format = numberFormats.get(key);
  if (!format) numberFormats.set(key, (format = new Intl.NumberFormat(language, options)));
  return format;
}

function pluralRules(language: Language): Intl.PluralRules {
  let rules = pluralRulesByLanguage.get(language);
  if (!rules) pluralRulesByLanguage.set(language, (rules = new Intl.PluralRules(language)));
  return rules;
}

const UNITS = ['byte', 'kilobyte', 'megabyte', 'gigabyte', 'terabyte'] as const;

/** Sizes as people read them, decimal as file managers and phones show them: "12.4 MB", "12,4 МБ". */
export function formatSize(language: Language, bytes: number, perSecond = false): string {
  let value = bytes;
  let unit = 0;
  const digits = (v: number) => (unit === 0 || v >= 100 ? 0 : 1);
  // Compare what will be shown, not the raw value: 999.96 kB reads "1.0 MB", never "1000 kB".
  while (unit < UNITS.length - 1 && Number(value.toFixed(digits(value))) >= 1000) {
    value /= 1000;
    unit += 1;
  }
  const shown = digits(value);
  return numberFormat(language, {
    style: 'unit',
    unit: perSecond ? `${UNITS[unit]}-per-second` : UNITS[unit],
    // "999 bytes", "999 байт": the short form of a byte reads "999 byte" in English.
    unitDisplay: unit === 0 ? 'long' : 'short',
    minimumFractionDigits: shown,
    maximumFractionDigits: shown,
  }).format(value);
}

/** A duration such as "20 s", "4 min", "1 h 5 min". */
export function formatDuration(language: Language, seconds: number): string {
  const unit = (value: number, name: 'second' | 'minute' | 'hour') => numberFormat(language, { style: 'unit', unit: name, unitDisplay: 'short' }).format(value);
  if (seconds < 60) return unit(Math.max(1, Math.round(seconds)), 'second');
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return unit(minutes, 'minute');
  return `${unit(Math.floor(minutes / 60), 'hour')} ${unit(minutes % 60, 'minute')}`;
}

/** "5 minutes ago", "yesterday". */
export function formatRelative(language: Language, then: number, now: number): string {
  const format = new Intl.RelativeTimeFormat(language, { numeric: 'auto' });
  const steps: Array<[Intl.RelativeTimeFormatUnit, number]> = [['second', 60], ['minute', 60], ['hour', 24], ['day', 7], ['week', 4.35], ['month', 12]];
  let value = (then - now) / 1000;
  for (const [unit, size] of steps) {
    if (Math.abs(value) < size) return format.format(Math.round(value), unit);
    value /= size;
  }
  return format.format(Math.round(value), 'year');
}
