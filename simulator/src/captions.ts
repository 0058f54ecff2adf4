// Post captions with a paid-partnership disclosure that is clear, weak or missing.
import type { Platform } from '@pulseroom/schema';
import type { Locale } from './names.js';
import type { Rng } from './random.js';

export type IntendedDisclosure = 'clear' | 'weak' | 'missing';
export const DISCLOSURE_MIX: ReadonlyArray<readonly [IntendedDisclosure, number]> = [
  ['clear', 0.78],
  ['weak', 0.14],
  ['missing', 0.08],
];

const CLEAR_LABEL: Record<Locale, string[]> = {
  en: ['#ad', 'Paid partnership with @sonoraaudio', '#sponsored', 'Ad |'],
  es: ['#publicidad', 'Publicidad |', '#ad'],
  de: ['#anzeige', '#werbung', 'Werbung |'],
  pt: ['#publi', '#publicidade', 'Publicidade |'],
  fr: ['#publicité', 'Partenariat rémunéré avec @sonoraaudio', '#sponsorisé'],
  ja: ['#PR', '#広告', '#ad'],
  ko: ['#광고', '#유료광고', '#ad'],
};

const WEAK_TAG = ['#sp', '#spon', '#partner', '#collab', 'thanks @sonoraaudio for sending these 🙏', '#gifted'];

const BODY: Record<Locale, string[]> = {
  en: [
    'The new Halo Buds Pro are finally here 🎧 Spent a week with them on the train, at the gym and on a flight — the noise cancelling is unreal.',
    'Unboxing the Halo Buds Pro 🔥 First impressions: tiny case, huge sound, 40 h battery.',
    'My honest review of the Halo Buds Pro after 7 days. Spoiler: they replaced my old ones.',
    'Launch day! 🚀 Halo Buds Pro by @sonoraaudio are live — link in bio.',
  ],
  es: [
    '¡Ya están aquí los Halo Buds Pro! 🎧 Una semana usándolos y la cancelación de ruido es brutal.',
    'Unboxing de los Halo Buds Pro 🔥 Sonido enorme en un estuche diminuto.',
  ],
  de: [
    'Die neuen Halo Buds Pro sind da 🎧 Eine Woche in Bahn und Gym getestet – das Noise Cancelling ist irre.',
    'Unboxing Halo Buds Pro 🔥 Kleines Case, riesiger Sound.',
  ],
  pt: [
    'Chegaram os Halo Buds Pro! 🎧 Uma semana usando e o cancelamento de ruído é absurdo.',
    'Unboxing dos Halo Buds Pro 🔥 Som enorme num estojo minúsculo.',
  ],
  fr: [
    'Les Halo Buds Pro sont enfin là 🎧 Une semaine dans le métro et à la salle, la réduction de bruit est bluffante.',
    'Unboxing des Halo Buds Pro 🔥 Petit boîtier, gros son.',
  ],
  ja: ['Halo Buds Pro 発売🎧 1週間使ってみた感想。ノイキャンがすごい。', '開封レビュー🔥 小さいケースで音は最高。'],
  ko: ['Halo Buds Pro 출시 🎧 일주일 써본 후기, 노이즈 캔슬링 대박.', '언박싱 🔥 작은 케이스, 엄청난 사운드.'],
};

const TAGS = '#halobudspro #sonoraaudio #earbuds #tech #launchday';
const FILLER =
  ' Full specs: 11 mm drivers, adaptive ANC, transparency mode, multipoint Bluetooth 5.4, IPX5, wireless charging, six ear-tip sizes and a case that fits the smallest pocket. I tested calls in a windy street, a week of commuting and two long runs.';

export interface Caption {
  caption: string;
  branded_content: boolean;
  intended: IntendedDisclosure;
}

/** Platforms with a paid-partnership flag the creator can switch on. */
const HAS_PAID_FLAG: ReadonlySet<Platform> = new Set(['instagram', 'tiktok', 'youtube', 'facebook']);

export function postCaption(rng: Rng, locale: Locale, platform: Platform, code: string | undefined): Caption {
  const intended = rng.weighted(DISCLOSURE_MIX);
  const body = rng.pick(BODY[locale]);
  const promo = code ? ` Code ${code} for a launch discount.` : '';
  if (intended === 'clear') {
    const useFlag = HAS_PAID_FLAG.has(platform) && rng.chance(0.35);
    const label = useFlag && rng.chance(0.5) ? '' : `${rng.pick(CLEAR_LABEL[locale])} `;
    return { caption: `${label}${body}${promo} ${TAGS}`.trim(), branded_content: useFlag, intended };
  }
  if (intended === 'weak') {
    // Either only an ambiguous tag, or a clear label buried after a long caption.
    if (rng.chance(0.5))
      return { caption: `${body}${promo} ${rng.pick(WEAK_TAG)} ${TAGS}`, branded_content: false, intended };
    return {
      caption: `${body}${FILLER}${promo} ${TAGS} ${rng.pick(CLEAR_LABEL[locale])}`,
      branded_content: false,
      intended,
    };
  }
  return { caption: `${body}${promo} ${TAGS}`, branded_content: false, intended };
}
