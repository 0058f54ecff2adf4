// Paid-disclosure check of a post caption: is the advertising label one a viewer sees before the
// feed's "more" cut, as a label of its own, in words people understand?
//
// Rules, from the FTC Endorsement Guides and "Disclosures 101" (US), the ASA/CAP "Influencers' guide
// to making clear that ads are ads" and the CMA's guidance (UK), the Landesmedienanstalten's
// Leitfaden (DE), ARPP (FR), Autocontrol/IAB (ES), CONAR (BR), IAP (IT), Konsumentverket (SE):
// - clear: the platform's paid-partnership flag, or an unambiguous label (#ad, "paid partnership",
//   #werbung, "Anzeige", #publicidad, "partenariat rémunéré", #publi, #reklam, …) that stands before
//   the feed cut and on its own — not one of several hashtags piled after the text ("don't mix it
//   into a group of hashtags"), and not inside another word (#adventure, #adidas, made, bad).
// - weak: only ambiguous wording — #sp, #spon, #sponsor, #partner, #collab, #ambassador, #brand_partner,
//   "thanks @brand", "in collaboration with", #affiliate, and #gifted (acceptable for a true gift with
//   no brand control per ASA/CMA, but not for the paid deals this dashboard tracks); or a clear label
//   that is hidden after the cut or piled into hashtags; or "unbezahlte Werbung" (it marks the post
//   as advertising but claims it is unpaid, which a campaign post is not).
// - missing: nothing, or a denial ("not sponsored", "keine Werbung").
//
// The feed cut: Instagram shows about the first 125 characters of a caption, and at most two lines,
// before "… more"; TikTok and Facebook cut at about the same length. We take whichever comes first:
// 125 characters (Unicode code points) or the end of the second line. YouTube's "first three
// hashtags above the title" is not modelled: its description cut is longer than this one.

export type DisclosureStatus = 'clear' | 'weak' | 'missing';
export interface DisclosureResult {
  status: DisclosureStatus;
  reason: string;
}

/** Characters a feed shows before its "more" cut. */
export const FEED_CUT_CHARS = 125;
/** Lines a feed shows before its "more" cut. */
export const FEED_CUT_LINES = 2;
/**
 * What each platform shows before its "more" cut (approximate, from each app's feed and the FTC/ASA advice to put the
 * label there): Instagram (and any platform not listed) 125 characters or two lines; TikTok a shorter line over the
 * video; Facebook and LinkedIn a longer preview; X and Threads show the whole post. YouTube also shows the
 * description's first three hashtags above the title (see checkDisclosure).
 */
export const PLATFORM_CUTS: Readonly<Record<string, { chars: number; lines: number }>> = {
  instagram: { chars: FEED_CUT_CHARS, lines: FEED_CUT_LINES },
  tiktok: { chars: 100, lines: 2 },
  youtube: { chars: FEED_CUT_CHARS, lines: 2 },
  facebook: { chars: 250, lines: 4 },
  linkedin: { chars: 210, lines: 3 },
  pinterest: { chars: 100, lines: 2 },
  x: { chars: 280, lines: 99 },
  threads: { chars: 500, lines: 99 },
};
/** YouTube shows the first three hashtags of a description above the video's title. */
const YOUTUBE_TITLE_TAGS = 3;
/** Consecutive hashtags from which a label counts as piled in with them. */
const PILE = 3;

const WORD = '[\\p{L}\\p{N}_]';
/** Joined by a hyphen, slash or apostrophe to letters, a label is part of another word: "ad-free", "AD/HD". */
const JOINED_BEFORE = "\\p{L}[-/'’]";
const JOINED_AFTER = "[-/'’]\\p{L}";

/** Unambiguous hashtags, any common language (lower case; accents optional where people drop them). */
const CLEAR_TAGS = [
  'ad',
  'ads',
  'advert',
  'advertisement',
  'advertising',
  'sponsored',
  'paidpartnership',
  'paidad',
  'paidpost',
  'sponsoredpost',
  'anzeige',
  'werbung',
  'werbepartnerschaft',
  'bezahltepartnerschaft',
  'publicidad',
  'publi',
  'pub',
  'publicité',
  'publicite',
  'sponsorisé',
  'sponsorise',
  'collaborationcommerciale',
  'partenariatrémunéré',
  'partenariatremunere',
  'patrocinado',
  'patrocinada',
  'publicidade',
  'parceriapaga',
  'publipost',
  'colaboracionpagada',
  'reklame',
  'advertentie',
  'gesponsord',
  'gesponsorde',
  'reklam',
  'annons',
  'annonce',
  'sponsorizzato',
  'sponsorizzata',
  'pubblicità',
  'pubblicita',
  'adv',
  'reklama',
  'współpracareklamowa',
  'wspolpracareklamowa',
  'mainos',
  'kaupallinenyhteistyö',
  'kaupallinenyhteistyo',
  // Japan (Consumer Affairs Agency, stealth-marketing rules of 2023), Korea (KFTC endorsement guidelines), China
  '広告',
  '宣伝',
  'プロモーション',
  '광고',
  '유료광고',
  '广告',
  '廣告',
];
/** Unambiguous phrases, matched as whole words anywhere. */
const CLEAR_PHRASES = [
  'paid partnership',
  'paid partnership with',
  'sponsored by',
  'sponsored post',
  'paid promotion',
  'paid ad',
  'bezahlte partnerschaft',
  'bezahlte werbung',
  'in bezahlter partnerschaft',
  'werbung für',
  'werbung fuer',
  'partenariat rémunéré',
  'partenariat remunere',
  'collaboration commerciale',
  'publicité pour',
  'colaboración pagada',
  'colaboracion pagada',
  'patrocinado por',
  'patrocinada por',
  'parceria paga',
  'publicidade paga',
  'sponsorizzato da',
  'promosso da',
  'betalt samarbete',
  'betalt partnerskab',
  'reklam för',
  'betaald partnerschap',
  'płatna współpraca',
  'platna wspolpraca',
];
/** Unambiguous single words that count only as a label on their own: line start, brackets, "Werbung:". */
const CLEAR_WORDS = [
  'ad',
  'advert',
  'advertisement',
  'sponsored',
  'anzeige',
  'werbung',
  'publicidad',
  'publi',
  'publicité',
  'publicite',
  'sponsorisé',
  'patrocinado',
  'publicidade',
  'reklame',
  'advertentie',
  'gesponsord',
  'reklam',
  'annons',
  'annonce',
  'pubblicità',
  'pubblicita',
  'sponsorizzato',
  'adv',
  'reklama',
  'mainos',
];
/** Ambiguous tags: a hint of a relationship, not a disclosure. */
const WEAK_TAGS = [
  'sp',
  'spon',
  'sponsor',
  'sponsorship',
  'partner',
  'partnership',
  'partnered',
  'collab',
  'collaboration',
  'colab',
  'ambassador',
  'brandambassador',
  'gifted',
  'gift',
  'giftedby',
  'pr',
  'prsample',
  'prproduct',
  'prpackage',
  'affiliate',
  'affiliatelink',
  'samarbete',
  'samarbejde',
  'kooperation',
  'partenariat',
  'colaboracion',
  'colaboración',
  'parceria',
  'embajadora',
  'embaixadora',
  'ambassadrice',
  'regalo',
  'presente',
  'cadeau',
];
/** Ambiguous phrases. */
const WEAK_PHRASES = [
  'in collaboration with',
  'in partnership with',
  'partnered with',
  'gifted by',
  'gifted from',
  'affiliate link',
  'affiliate links',
  'i earn a commission',
  'in kooperation mit',
  'in zusammenarbeit mit',
  'en collaboration avec',
  'en colaboración con',
  'en colaboracion con',
  'em parceria com',
  'in collaborazione con',
  'i samarbete med',
  'pr sample',
  'pr package',
];
/** "thanks @brand" in a few languages. */
const THANKS = [
  'thanks',
  'thank you',
  'thx',
  'ty',
  'danke',
  'merci',
  'gracias',
  'obrigada',
  'obrigado',
  'grazie',
  'tack',
];
/** Labels that say the post is unpaid: a campaign post is paid, so at best weak. */
const UNPAID = [
  'unbezahlte werbung',
  'unbezahlt',
  'werbung unbezahlt',
  'werbung (unbezahlt)',
  'unpaid ad',
  'unpaid',
  'selbst gekauft',
  'selbstgekauft',
  'ohne auftrag',
  'non rémunéré',
  'non remunere',
  'no pagado',
  'não pago',
  'nao pago',
];
/** Denials. */
const DENIALS = [
  'not sponsored',
  'notsponsored',
  'not an ad',
  'notanad',
  'not paid',
  'no ad',
  'keine werbung',
  'keinewerbung',
  'non sponsorisé',
  'non sponsorise',
  'pas sponsorisé',
  'pas une pub',
  'no es publicidad',
  'no patrocinado',
  'não é publi',
  'nao e publi',
  'não é publicidade',
  'nao e publicidade',
  'nicht gesponsert',
  'unsponsored',
  'sin patrocinio',
  'não patrocinado',
  'nao patrocinado',
  'pas de partenariat',
  'no es publi',
  'pas de pub',
];
/** Labels a negation can deny: the clear words and the paid-partnership phrases ("not a paid partnership"). */
const DENIABLE = [
  ...CLEAR_WORDS,
  'paid partnership',
  'sponsored post',
  'paid promotion',
  'bezahlte werbung',
  'bezahlte partnerschaft',
  'bezahlte kooperation',
  'parceria paga',
  'publicidade paga',
  'colaboración pagada',
];

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\s+/g, '\\s+');
}
function alternation(list: readonly string[]): string {
  return [...list]
    .sort((a, b) => b.length - a.length)
    .map(escape)
    .join('|');
}

const TAG_RE = new RegExp(`(?<!${WORD})#(${alternation(CLEAR_TAGS)})(?!${WORD}|${JOINED_AFTER})`, 'gu');
/**
 * #PR is the usual advertising label in Japan (the Consumer Affairs Agency lists 「PR」 with 「広告」), while in English
 * it stands for a PR sample, a gift: it counts as clear in a caption written in Japanese.
 */
const JA_PR_RE = new RegExp(`(?<!${WORD})#pr(?!${WORD}|${JOINED_AFTER})`, 'gu');
const JAPANESE = /[\p{Script=Hiragana}\p{Script=Katakana}]/u;
/** Whole tokens only: not inside a word, a hashtag, a mention, or a hyphenated or slashed compound. */
const wholeToken = (alternatives: string) =>
  new RegExp(`(?<!${WORD}|[#@]|${JOINED_BEFORE})(${alternatives})(?!${WORD}|${JOINED_AFTER})`, 'gu');
const PHRASE_RE = wholeToken(alternation(CLEAR_PHRASES));
const WORD_RE = wholeToken(alternation(CLEAR_WORDS));
const WEAK_TAG_RE = new RegExp(
  `(?<!${WORD})#(${alternation(WEAK_TAGS)}|${WORD}+?_?(?:partner|ambassador|ambassadeur|ambassadrice))(?!${WORD})`,
  'gu',
);
const WEAK_PHRASE_RE = new RegExp(`(?<!${WORD}|[#@])(${alternation(WEAK_PHRASES)})(?!${WORD})`, 'gu');
const THANKS_RE = new RegExp(
  `(?<!${WORD}|[#@])(${alternation(THANKS)})(?:\\s+(?:to|a|an|for|für|à))?\\s*@[\\w.]+`,
  'gu',
);
const UNPAID_RE = new RegExp(`(?<!${WORD})#?(${alternation(UNPAID)}|unbezahltewerbung|unpaidad)(?!${WORD})`, 'gu');
/** A negation right before a label word denies it: "not an #ad", "kein Ad", "pas de pub", "sin publicidad". */
const NEGATED_LABEL =
  '(?:not|no|never|kein|keine|nicht|pas|non|sin|não|nao|ni|niet|geen|nie)\\s+' +
  `(?:an?|une?|de|eine?|e|é|es|um|uma)?\\s*#?(?:${alternation(DENIABLE)})`;
const DENIAL_RE = new RegExp(
  `(?<!${WORD})(#?(?:${alternation(DENIALS)})|${NEGATED_LABEL})(?!${WORD}|${JOINED_AFTER})`,
  'gu',
);
const HASHTAG_RE = new RegExp(`(?<!${WORD})#${WORD}+`, 'gu');

interface Hit {
  label: string;
  index: number;
  end: number;
}

function findAll(re: RegExp, text: string): Hit[] {
  return [...text.matchAll(re)].map((m) => ({ label: m[0], index: m.index ?? 0, end: (m.index ?? 0) + m[0].length }));
}

/** Code-point position (1-based) of a UTF-16 index, as a compliance reader counts characters. */
function charAt(text: string, index: number): number {
  return Array.from(text.slice(0, index)).length + 1;
}

/** UTF-16 index where the feed's "more" cut falls. */
export function feedCut(text: string, platform = ''): number {
  const { chars: maxChars, lines: maxLines } = PLATFORM_CUTS[platform] ?? PLATFORM_CUTS.instagram;
  let lines = 0;
  let chars = 0;
  for (let i = 0; i < text.length;) {
    const cp = text.codePointAt(i) ?? 0;
    if (chars >= maxChars) return i;
    if (cp === 10) {
      lines += 1;
      if (lines >= maxLines) return i;
    }
    chars += 1;
    i += cp > 0xffff ? 2 : 1;
  }
  return text.length;
}

/** A clear single word counts only where it reads as a label: line start, brackets, "Ad:", "*Werbung". */
function standsAsLabel(text: string, hit: Hit): boolean {
  const before = text.slice(0, hit.index).replace(/[ \t]+$/u, '');
  const after = text.slice(hit.end).replace(/^[ \t]+/u, '');
  const prev = before.at(-1);
  const next = after[0];
  const startsLine = prev === undefined || prev === '\n' || /\p{Extended_Pictographic}/u.test(before.slice(-2));
  const bracketed = (prev !== undefined && '[(*|/•'.includes(prev)) || (next !== undefined && ')]'.includes(next));
  const colon = next !== undefined && ':|–—-'.includes(next);
  // an upper-case "AD" at the start of a line, as in "AD Loving this…" (UK style)
  const shouted = startsLine && text.slice(hit.index, hit.end) === 'AD';
  // alone on its line, or standing as a sentence of its own anywhere ("… holidays. Werbung", "Neu. Werbung. Sie …")
  const endsLine = next === undefined || next === '\n';
  const endsSentence = endsLine || (next !== undefined && '.!'.includes(next));
  const afterSentence = prev !== undefined && '.!?'.includes(prev);
  return bracketed || colon || shouted || (endsSentence && (startsLine || afterSentence));
}

/** Groups of consecutive hashtags (separated by white space only): [first index, end, tags]. */
function hashtagRuns(text: string): { start: number; end: number; tags: Hit[] }[] {
  const runs: { start: number; end: number; tags: Hit[] }[] = [];
  for (const tag of findAll(HASHTAG_RE, text)) {
    const last = runs.at(-1);
    if (last && /^[\s.,·•|]*$/u.test(text.slice(last.end, tag.index))) {
      last.tags.push(tag);
      last.end = tag.end;
    } else {
      runs.push({ start: tag.index, end: tag.end, tags: [tag] });
    }
  }
  return runs;
}

const ORDINAL = (n: number) =>
  `${n}${n % 10 === 1 && n !== 11 ? 'st' : n % 10 === 2 && n !== 12 ? 'nd' : n % 10 === 3 && n !== 13 ? 'rd' : 'th'}`;

/**
 * Classifies a caption's paid disclosure. `brandedContent` is the platform's paid-partnership flag,
 * which shows "Paid partnership with …" above the post and so is always clear.
 */
export function checkDisclosure(caption: string, brandedContent: boolean, platform = ''): DisclosureResult {
  if (brandedContent) return { status: 'clear', reason: "The platform's paid-partnership label is set." };
  const original = (typeof caption === 'string' ? caption : '')
    .normalize('NFKC')
    .replace(/[\uFE0E\uFE0F\u200D\u200B]/gu, '')
    .replace(/\r\n?/g, '\n')
    // links are blanked (same length, so positions hold): "shop.com/#ad" is not a label
    .replace(/\b(?:https?:\/\/|www\.)\S+/gu, (url) => ' '.repeat(url.length));
  // lower case character by character, so that indices in `text` are indices in `original`
  const text = Array.from(original, (c) => {
    const l = c.toLowerCase();
    return l.length === c.length ? l : c;
  }).join('');
  const cut = feedCut(text, platform);
  const cutAt = charAt(text, cut);
  const shown = (hit: Hit) => original.slice(hit.index, hit.end).replace(/\s+/g, ' ');

  const unpaid = findAll(UNPAID_RE, text);
  const insideUnpaid = (hit: Hit) => unpaid.some((u) => hit.index < u.end + 2 && hit.end > u.index - 22);
  const denials = findAll(DENIAL_RE, text);
  const denied = (hit: Hit) => denials.some((d) => hit.index < d.end && hit.end > d.index);
  const clear = [
    ...findAll(TAG_RE, text),
    ...(JAPANESE.test(original) ? findAll(JA_PR_RE, text) : []),
    ...findAll(PHRASE_RE, text),
    ...findAll(WORD_RE, text).filter((h) => standsAsLabel(original, h)),
  ]
    .filter((h) => !insideUnpaid(h) && !denied(h))
    .sort((a, b) => a.index - b.index);

  const runs = hashtagRuns(text);
  const pileOf = (hit: Hit) => runs.find((r) => r.tags.length >= PILE && hit.index >= r.start && hit.index < r.end);
  const captionStart = text.search(/\S/u);

  const titleTags = platform === 'youtube' ? findAll(HASHTAG_RE, text).slice(0, YOUTUBE_TITLE_TAGS) : [];
  let buried: string | undefined;
  for (const hit of clear) {
    const label = shown(hit);
    const at = charAt(text, hit.index);
    if (titleTags.some((t) => t.index === hit.index)) {
      const reason = `${label} is one of the first ${YOUTUBE_TITLE_TAGS} hashtags, shown above the title.`;
      return { status: 'clear', reason };
    }
    if (hit.index >= cut) {
      buried ??= `${label} appears at character ${at}, after the 'more' cut (character ${cutAt}); put it at the start.`;
      continue;
    }
    const pile = pileOf(hit);
    // a pile opening the caption hides a label only after its first tags ("#ad #summer …" is read first)
    if (pile && (pile.start !== captionStart || pile.tags.findIndex((t) => t.index === hit.index) >= PILE - 1)) {
      const position = pile.tags.findIndex((t) => t.index === hit.index) + 1;
      buried ??= `${label} is the ${ORDINAL(position)} of ${pile.tags.length} hashtags piled at character ${charAt(text, pile.start)}; a label must stand on its own, not among hashtags.`;
      continue;
    }
    return { status: 'clear', reason: `${label} appears at character ${at}, before the 'more' cut.` };
  }
  if (buried) return { status: 'weak', reason: buried };

  const weak = [...findAll(WEAK_TAG_RE, text), ...findAll(WEAK_PHRASE_RE, text), ...findAll(THANKS_RE, text)].sort(
    (a, b) => a.index - b.index,
  );
  const denial = denials[0];
  if (denial) {
    return {
      status: 'missing',
      reason: `"${shown(denial)}" at character ${charAt(text, denial.index)} denies a paid relationship, and there is no label or paid-partnership flag.`,
    };
  }
  if (unpaid.length > 0) {
    const u = unpaid[0];
    return {
      status: 'weak',
      reason: `"${shown(u)}" at character ${charAt(text, u.index)} says the post is unpaid; a paid partnership needs "Werbung" or "Anzeige" without it.`,
    };
  }
  if (weak.length > 0) {
    const w = weak[0];
    const list = [...new Set(weak.map(shown))].slice(0, 3).join(', ');
    return {
      status: 'weak',
      reason: `Only ambiguous wording (${list}), first at character ${charAt(text, w.index)}; use #ad or "paid partnership" at the start.`,
    };
  }
  return { status: 'missing', reason: 'No advertising label and no paid-partnership flag.' };
}
