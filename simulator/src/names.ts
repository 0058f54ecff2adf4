// Multilingual names and handles for partners, and the audience languages that go with them.
import { Rng } from './random.js';

export const LOCALES = ['en', 'es', 'de', 'pt', 'fr', 'ja', 'ko'] as const;
export type Locale = (typeof LOCALES)[number];

/** How often a partner's audience speaks each language (the launch is European-first). */
export const LOCALE_WEIGHTS: ReadonlyArray<readonly [Locale, number]> = [
  ['en', 0.34],
  ['es', 0.16],
  ['de', 0.17],
  ['pt', 0.1],
  ['fr', 0.13],
  ['ja', 0.05],
  ['ko', 0.05],
];

const FIRST_NAMES: Record<Locale, string[]> = {
  en: [
    'Mia',
    'Leo',
    'Zoe',
    'Noah',
    'Ava',
    'Liam',
    'Emma',
    'Ethan',
    'Chloe',
    'Jack',
    'Grace',
    'Owen',
    'Ruby',
    'Harper',
    'Maya',
    'Theo',
  ],
  es: [
    'Lucía',
    'Mateo',
    'Valentina',
    'Diego',
    'Sofía',
    'Javier',
    'Carmen',
    'Pablo',
    'Martina',
    'Álvaro',
    'Paula',
    'Nerea',
  ],
  de: ['Lena', 'Jonas', 'Hannah', 'Felix', 'Marie', 'Lukas', 'Jana', 'Moritz', 'Sophie', 'Jürgen', 'Clara', 'Tobias'],
  pt: ['Beatriz', 'João', 'Ana', 'Gabriel', 'Mariana', 'Tiago', 'Inês', 'Rafael', 'Larissa', 'Caio', 'Júlia', 'Bruno'],
  fr: ['Camille', 'Louis', 'Léa', 'Hugo', 'Chloé', 'Théo', 'Manon', 'Jules', 'Inès', 'Gaspard', 'Zoé', 'Élise'],
  ja: ['Yui', 'Haruto', 'Sakura', 'Ren', 'Aoi', 'Sota', 'Hina', 'Kaito'],
  ko: ['Jiwoo', 'Minjun', 'Seoyeon', 'Doyun', 'Hayoon', 'Jihoon', 'Subin', 'Eunwoo'],
};

/** Given names in their own script, in the order of FIRST_NAMES.ja / .ko. */
const NATIVE_FIRST: Record<'ja' | 'ko', string[]> = {
  ja: ['結衣', '陽翔', 'さくら', '蓮', '葵', '蒼太', 'ひな', '海斗'],
  ko: ['지우', '민준', '서연', '도윤', '하윤', '지훈', '수빈', '은우'],
};

const LAST_NAMES: Record<Locale, string[]> = {
  en: ['Carter', 'Hughes', 'Bennett', 'Walsh', 'Reid', 'Price', 'Brooks', 'Ellis', 'Fox', 'Hart'],
  es: ['García', 'Martín', 'López', 'Ruiz', 'Navarro', 'Moreno', 'Ortega', 'Castillo'],
  de: ['Müller', 'Schmidt', 'Becker', 'Wagner', 'Krüger', 'Hoffmann', 'Schäfer', 'Weiß'],
  pt: ['Silva', 'Santos', 'Oliveira', 'Costa', 'Ferreira', 'Almeida', 'Rocha', 'Gonçalves'],
  fr: ['Martin', 'Bernard', 'Dubois', 'Lefèvre', 'Moreau', 'Laurent', 'Girard', 'Rousseau'],
  ja: ['佐藤', '鈴木', '高橋', '田中', '伊藤', '渡辺'],
  ko: ['김', '이', '박', '최', '정', '강'],
};

const LATIN_FAMILY: Record<'ja' | 'ko', string[]> = {
  ja: ['sato', 'suzuki', 'takahashi', 'tanaka', 'ito', 'watanabe'],
  ko: ['kim', 'lee', 'park', 'choi', 'jung', 'kang'],
};

/** Niche words for handles: what a creator or a site is about. */
const NICHES = [
  'beats',
  'sound',
  'tech',
  'gadgets',
  'runs',
  'fit',
  'daily',
  'vibes',
  'studio',
  'audio',
  'lab',
  'travels',
  'reviews',
  'unboxed',
  'life',
  'gaming',
  'makes',
  'tunes',
];
const SITES = [
  'soundguide',
  'techdeals',
  'audiophile-corner',
  'gadgetflow',
  'bestbuds',
  'dealhunter',
  'hifi-notes',
  'kopfhoerer-test',
  'ofertastech',
  'bonsplans-audio',
  'achados-tech',
  'earbud-lab',
  'commuter-kit',
  'gearpatrol-weekly',
];

export interface PersonName {
  display: string;
  /** ASCII base for a handle, e.g. "lucia.garcia". */
  slug: string;
}

/** Strips accents and anything that is not a-z0-9 so the result can go into handles and ids. */
export function asciiSlug(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/ß/g, 'ss')
    .replace(/[^a-z0-9]+/g, '');
}

export function personName(rng: Rng, locale: Locale): PersonName {
  const firstIndex = rng.int(0, FIRST_NAMES[locale].length - 1);
  const first = FIRST_NAMES[locale][firstIndex];
  const lastIndex = rng.int(0, LAST_NAMES[locale].length - 1);
  const last = LAST_NAMES[locale][lastIndex];
  if (locale === 'ja' || locale === 'ko') {
    // Family name first, in the native script; the handle is romanised.
    const native = NATIVE_FIRST[locale][firstIndex];
    const display = locale === 'ja' ? `${last} ${native}` : `${last}${native}`;
    return { display, slug: `${asciiSlug(first)}.${LATIN_FAMILY[locale][lastIndex]}` };
  }
  return { display: `${first} ${last}`, slug: `${asciiSlug(first)}.${asciiSlug(last)}` };
}

/** A creator handle: "@mia.beats", "@lucia_garcia.tech", "@jonas.runs23". */
export function creatorHandle(rng: Rng, name: PersonName): string {
  const first = name.slug.split('.')[0];
  const style = rng.int(0, 3);
  const niche = rng.pick(NICHES);
  if (style === 0) return `@${first}.${niche}`;
  if (style === 1) return `@${name.slug.replace('.', '_')}`;
  if (style === 2) return `@${first}${niche}${rng.int(1, 99)}`;
  return `@the${first}${niche}`;
}

/** A publisher (affiliate site, newsletter) name and its domain. */
export function siteName(rng: Rng): { display: string; domain: string } {
  const base = rng.pick(SITES);
  const tld = rng.pick(['com', 'de', 'es', 'fr', 'com.br', 'co.uk', 'io']);
  const name = base
    .split('-')
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join(' ');
  // Regional editions of a site are told apart on screen: "Techdeals DE", "Techdeals UK".
  const region =
    tld === 'com' || tld === 'io' ? '' : ` ${(tld === 'co.uk' ? 'uk' : tld === 'com.br' ? 'br' : tld).toUpperCase()}`;
  return { display: `${name}${region}`, domain: `${base}.${tld}` };
}

/** A commenter's name as a platform would show it (hashed by ingest, never stored raw). */
export function commenterName(rng: Rng, locale: Locale): string {
  const first = asciiSlug(rng.pick(FIRST_NAMES[locale])) || 'user';
  return `${first}${rng.pick(['', '_', '.', ''])}${rng.int(1, 9999)}`;
}

/**
 * The language a partner's audience mostly comments in: a function of the seed and partner id, so any launch file
 * works.
 */
export function audienceLocale(seed: number, partnerId: string): Locale {
  return Rng.of(seed, 'locale', partnerId).weighted(LOCALE_WEIGHTS);
}
