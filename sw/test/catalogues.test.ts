// The five catalogues: every key in every language, the same placeholders as English, and a form
// for every plural category the language's Intl.PluralRules can pick.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describe as describeNotice, LANGUAGES, pickLanguage, translate, type Key, type Plural } from '../../common/i18n/catalogue.js';

const english = LANGUAGES.en as Record<string, string | Plural>;
const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1]).sort();
const texts = (entry: string | Plural) => (typeof entry === 'string' ? [entry] : Object.values(entry));

describe('catalogues', () => {
  for (const [language, catalogue] of Object.entries(LANGUAGES) as Array<[keyof typeof LANGUAGES, Record<string, string | Plural>]>) {
    it(`${language}: every key, the same placeholders, every plural form`, () => {
      assert.deepEqual(Object.keys(catalogue).sort(), Object.keys(english).sort());
      const categories = new Intl.PluralRules(language).resolvedOptions().pluralCategories;
      for (const [key, entry] of Object.entries(catalogue)) {
        const reference = english[key]!;
        assert.equal(typeof entry, typeof reference, `${language} ${key}: plural in one language, plain in another`);
        const wanted = [...new Set(texts(reference).flatMap(placeholders).filter((name) => name !== 'count'))].sort();
        for (const text of texts(entry)) {
          assert.ok(text.trim().length > 0, `${language} ${key} is empty`);
          const used = [...new Set(placeholders(text).filter((name) => name !== 'count'))].sort();
          assert.deepEqual(used, wanted, `${language} ${key}: placeholders`);
        }
        if (typeof entry !== 'string') for (const category of categories) assert.ok(category in entry, `${language} ${key}: no "${category}" form`);
      }
      // Remove (drop a failed upload from the list) and Delete (erase a file from the server) are different acts: two words.
      assert.notEqual(catalogue['action.remove'], catalogue['completed.delete'], `${language}: Remove and Delete read the same`);
    });
  }

  it('picks the first of the reader\'s languages it speaks, else English', () => {
    assert.equal(pickLanguage(['de-DE', 'uk-UA', 'ru']), 'uk');
    assert.equal(pickLanguage(['ja']), 'ja');
    assert.equal(pickLanguage(['fr']), 'en');
  });

  it('chooses plural forms and formats parameters per language', () => {
    const said = (language: keyof typeof LANGUAGES, count: number) => translate(language, 'notice.damaged', { count });
    assert.equal(said('en', 1), '1 damaged chunk was caught and sent again.');
    assert.equal(said('ru', 3), '3 повреждённых фрагмента обнаружены и отправлены заново.');
    assert.equal(said('ru', 5), '5 повреждённых фрагментов обнаружены и отправлены заново.');
    assert.equal(said('uk', 21), '21 пошкоджений фрагмент виявлено й надіслано знову.');
    assert.equal(translate('ru', 'notice.tooLarge', { limit: { bytes: 1_500_000 } }), 'Файл слишком велик для сервера: он принимает файлы до 1,5 МБ.');
    assert.equal(translate('en', 'missing.key' as Key), '⟦missing.key⟧');
    assert.equal(describeNotice('en', { key: 'notice.verified', params: { damaged: 2, startedOver: 0 } }),
      "Verified: the server's copy matches this file byte for byte. 2 damaged chunks were caught and sent again.");
  });
});
