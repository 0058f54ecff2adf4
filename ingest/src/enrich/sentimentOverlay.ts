// The hand-maintained overlay that the shipped lexicons lack: newer emoji, comment-culture words, complaint, price,
// sarcasm, spam and question patterns per language, contrast words, and cue words that tell languages apart. Slang
// lives in data/slang.json. Every entry should be general (a word or an idiom, never one sentence of the labelled
// sets). Values are in [-1, 1]; 0 means "known, carries no sentiment" (the word is consumed so the library lexicon
// cannot mis-score it, e.g. wink scores "waiting" +0.5).

import { readFileSync } from 'node:fs';

export type ScoredLang = 'en' | 'es' | 'de' | 'pt' | 'fr';
export const SCORED_LANGS: readonly ScoredLang[] = ['en', 'es', 'de', 'pt', 'fr'];

/** Emoji after variation selectors, ZWJ and skin tones are stripped. Overrides wink's emoji table. */
export const EMOJI: Readonly<Record<string, number>> = {
  // newer than wink's table, positive
  '🥰': 0.8, '🥹': 0.6, '🤩': 0.8, '🫶': 0.8, '🥳': 0.7, '🤌': 0.6, '🐐': 0.8, '🩷': 0.8, '🩵': 0.8,
  '🧡': 0.8, '🖤': 0.7, '🤍': 0.8, '🤤': 0.5, '🥵': 0.4, '🤯': 0.3, '🫡': 0.3, '🥺': 0.3, '🥲': 0.1,
  // stronger than wink says
  '😍': 0.8, '🔥': 0.7, '💯': 0.6, '😂': 0.3, '🤣': 0.4, '😻': 0.7, '💅': 0.5, '👑': 0.7, '⭐': 0.5,
  '🤗': 0.5, '😏': 0.1, '😬': -0.3, '💸': 0, '😱': 0, '😮': 0, '🤑': 0, '✅': 0.2,
  // negative
  '🙄': -0.6, '🤮': -0.9, '🤢': -0.8, '🤡': -0.6, '💔': -0.6, '🤬': -0.9, '😡': -0.8, '😠': -0.7,
  '😤': -0.4, '😒': -0.5, '😑': -0.3, '😐': -0.2, '🙃': -0.2, '😢': -0.5, '😥': -0.4, '😞': -0.5,
  '😔': -0.4, '😩': -0.4, '😫': -0.4, '👎': -0.7, '🚮': -0.6, '💩': -0.7, '🤥': -0.5, '😴': -0.4,
  '🥱': -0.5, '😕': -0.4, '🙁': -0.5, '☹': -0.6, '😟': -0.4, '🫤': -0.3, '🤨': -0.3, '🧢': -0.4,
  '🗑': -0.6, '❌': -0.3, '😪': -0.3,
  // ambiguous in comment culture ("I'm dead 💀", "so cute 😭"): known, but let the words decide
  '💀': 0, '😭': 0, '🫠': 0, '👀': 0, '🤔': 0, '🤷': 0, '😳': 0, '📦': 0, '⏳': 0, '⌛': 0, '🙂': 0,
};

/**
 * Words and phrases per language, written as they are typed (lower case). For es/de/pt/fr they are
 * matched after the same folding as the text (accents stripped; German umlauts as ae/oe/ue so that
 * "schön" ≠ "schon"). A negator up to three words before flips an entry.
 */
const BASE_TERMS: Readonly<Record<ScoredLang, Readonly<Record<string, number>>>> = {
  en: {
    'need this': 0.5, 'need it': 0.5, 'need one': 0.5, 'want this': 0.4, 'in love': 0.7, 'killing it': 0.7,
    'killed it': 0.7, 'nailed it': 0.7, 'so good': 0.7, love: 0.7, loved: 0.7, loving: 0.7, luv: 0.6, adore: 0.7,
    insane: 0.3, 'the best': 0.7, perfection: 0.8, stunning: 0.8, gorgeous: 0.8, cute: 0.6, cutest: 0.7, pretty: 0.5,
    prettiest: 0.7, 'must have': 0.6, 'is everything': 0.6, 'never looked better': 0.7, 'never felt better': 0.7,
    'never had a better': 0.7, 'never been better': 0.7, "couldn't be happier": 0.8, 'no complaints': 0.6,
    "can't complain": 0.5, "can't stop": 0.4, 'cant stop': 0.4, 'not disappointed': 0.6, 'worth the wait': 0.6,
    'worth it': 0.6, 'worth every penny': 0.8, 'best value': 0.7, 'value for money': 0.5, affordable: 0.5,
    'make my day': 0.7, 'makes my day': 0.7, 'made my day': 0.7, 'i like': 0.5, 'like it': 0.5, 'like this': 0.4,
    'really like': 0.6, impressed: 0.7, 'fast shipping': 0.6, 'super fast': 0.6, 'works': 0.3, 'really works': 0.6,
    // words the library gets wrong in comment culture: known, neutral
    crazy: 0, dead: 0, dying: 0.2, screaming: 0.2, crying: 0, lol: 0.2, lmao: 0.2, lmfao: 0.2, like: 0, looks: 0,
    waiting: 0, still: 0, please: 0, pls: 0, plz: 0, ok: 0.1, okay: 0.1, fine: 0.1, omg: 0, 'oh my god': 0, wow: 0.5,
    need: 0, want: 0, quality: 0, content: 0, joke: 0, working: 0, 'is it': 0, friend: 0, free: 0, discount: 0,
    apart: 0, win: 0, wait: 0, special: 0, original: 0, expensive: -0.3, pricey: -0.2, 'a bit pricey': -0.1,
    cheap: -0.3, cheaper: 0.2, color: 0, colour: 0, dress: 0, huge: 0, chief: 0, sold: 0, go: 0, work: 0, well: 0,
    right: 0, help: 0, kind: 0, kiss: 0, down: 0, saving: 0, miss: 0, genius: 0.6, garbage: -0.7, smart: 0.5,
    'want this so bad': 0.6, 'want it so bad': 0.6, 'need this so bad': 0.6, 'need it so bad': 0.6,
    'so well': 0.6, "doesn't last": -0.6, "doesn't even last": -0.6, "didn't last": -0.6, 'would buy again': 0.6,
    'buy again': 0.5, 'gets it': 0.5, 'lasts forever': 0.6, 'lasts all day': 0.6, 'long lasting': 0.5,
    // negative
    overrated: -0.5, overpriced: -0.7, gross: -0.6, shady: -0.5, fake: -0.5, 'waste of money': -0.8,
    'waste of time': -0.7, disappointing: -0.7, disappointed: -0.7, 'rip off': -0.8, ripoff: -0.8, 'never again': -0.7,
    'not worth': -0.6, worst: -0.8, terrible: -0.8, awful: -0.8, horrible: -0.8, useless: -0.7, broke: -0.6,
    broken: -0.6, '0/10': -0.8, rubbish: -0.7, junk: -0.7, pathetic: -0.8, ugly: -0.7, ugliest: -0.8,
    disgusting: -0.8, liar: -0.8, liars: -0.8, unwearable: -0.7, 'fell apart': -0.7, 'falls apart': -0.7,
    burnt: -0.5, leaked: -0.6, leaks: -0.6, leaking: -0.6, scratchy: -0.5, flimsy: -0.6, patchy: -0.5, pilled: -0.5,
    peeling: -0.5, rash: -0.6, 'broke out': -0.6, 'breaking out': -0.6, headache: -0.5, 'poor quality': -0.7,
    'low quality': -0.7, 'nothing special': -0.4, 'no thanks': -0.5, "doesn't work": -0.7, 'doesnt work': -0.7,
    'does not work': -0.7, "didn't work": -0.7, "don't buy": -0.7, 'dont buy': -0.7, 'do not buy': -0.7,
    avoid: -0.5, 'in the bin': -0.7, 'in the trash': -0.7, robbery: -0.8, 'rip-off': -0.8, ridiculous: -0.6,
    'thanks for nothing': -0.8, 'wanted to like': -0.5, 'wanted to love': -0.5, 'returned it': -0.5,
    'sent it back': -0.5, 'sending it back': -0.5, nightmare: -0.8, cracked: -0.6, snapped: -0.6, ripped: -0.5,
    torn: -0.5, stained: -0.5, faded: -0.4, melted: -0.5, scratched: -0.5, shattered: -0.6, 'chemical smell': -0.6,
    'all my life': 0.6,
    // "like", "well" and "help" are neutral alone (wink scores "like" in "looks like"), so their negations are phrases
    "don't like": -0.6, 'dont like': -0.6, 'do not like': -0.6, "didn't like": -0.6, 'didnt like': -0.6,
    'did not like': -0.6, "doesn't like": -0.5, 'not a fan': -0.5, "didn't love": -0.4, "don't love": -0.4,
    'well made': 0.6, 'not well made': -0.5, "didn't help": -0.5, "doesn't help": -0.5, 'did not help': -0.5, 'not impressed': -0.6, 'a joke': -0.6, sorry: 0, died: -0.5,
  },
  es: {
    'me encanta': 0.8, 'me encantan': 0.8, encanta: 0.7, encanto: 0.7, precioso: 0.7, preciosa: 0.7,
    hermoso: 0.7, hermosa: 0.7, guapa: 0.7, guapo: 0.7, guapisima: 0.8, lindo: 0.6, linda: 0.6,
    bonito: 0.6, bonita: 0.6, genial: 0.7, increible: 0.7, perfecto: 0.7, perfecta: 0.7,
    divina: 0.7, divino: 0.7, espectacular: 0.7, maravilloso: 0.7, maravillosa: 0.7,
    'lo necesito': 0.5, 'lo quiero': 0.5, 'la quiero': 0.5, 'que bonito': 0.7, 'que bonita': 0.7,
    'no esta mal': 0.4, amo: 0.8, 'te amo': 0.8, 'lo recomiendo': 0.7, 'buen precio': 0.5, 'no me arrepiento': 0.6,
    'que asco': -0.8, asqueroso: -0.8, asquerosa: -0.8, asco: -0.7, horrible: -0.8, pesimo: -0.8, pesima: -0.8,
    malisimo: -0.8,
    fatal: -0.6, decepcion: -0.7, decepcionado: -0.7, decepcionada: -0.7,
    'no lo recomiendo': -0.7, caro: -0.3, carisimo: -0.7, carisima: -0.7, 'demasiado caro': -0.7, 'un robo': -0.7,
    'no vale la pena': -0.6, feo: -0.6, fea: -0.6, aburrido: -0.5, 'no funciona': -0.7, 'no sirve': -0.7,
    verguenza: -0.6, 'que verguenza': -0.7, mal: -0.5, malo: -0.6, mala: -0.6, roto: -0.6, rota: -0.6,
    'lo devolvi': -0.5, enorme: 0, puedo: 0,
    'no dura': -0.6, 'se rompio': -0.6, 'se rompe': -0.6, 'me arrepiento': -0.6, 'no vale nada': -0.7,
    maravilla: 0.7, 'esperaba mas': -0.5, calidad: 0,
    gracias: 0.3, espero: 0, esperando: 0, donde: 0, que: 0, para: 0, es: 0,
  },
  de: {
    liebe: 0.7, toll: 0.7, traumhaft: 0.8, wunderschoen: 0.8, schoen: 0.6, super: 0.6, klasse: 0.6, genial: 0.7,
    perfekt: 0.7, suess: 0.6, empfehlenswert: 0.6, empfehlung: 0.5, 'nicht schlecht': 0.4, 'will ich haben': 0.5,
    'brauche ich': 0.5, danke: 0.3, begeistert: 0.7, grossartig: 0.8, zufrieden: 0.6, 'lohnt sich': 0.5,
    'jeden cent wert': 0.8, gefaellt: 0.5, 'preis leistung': 0.2,
    schrecklich: -0.8, furchtbar: -0.8, scheisse: -0.8, mist: -0.6, enttaeuscht: -0.7,
    enttaeuschend: -0.7, betrug: -0.8, teuer: -0.3, 'zu teuer': -0.7, ueberteuert: -0.7, 'lohnt sich nicht': -0.6,
    langweilig: -0.5, haesslich: -0.7, peinlich: -0.6, nervig: -0.5, schlecht: -0.7, katastrophe: -0.8,
    'nie wieder': -0.7, kaputt: -0.6, billig: -0.4, 'funktioniert nicht': -0.7, 'nicht funktioniert': -0.7,
    'haelt keine': -0.6, 'haelt nicht': -0.6, komisch: -0.3,
    chemisch: -0.5, muffig: -0.6, eklig: -0.8, zurueckgeschickt: -0.5, falsche: -0.4, falsch: -0.4, warte: 0, qualitaet: 0,
  },
  pt: {
    amei: 0.8, amo: 0.8, adorei: 0.7, lindo: 0.7, linda: 0.7, lindos: 0.7, lindas: 0.7,
    maravilhoso: 0.8, maravilhosa: 0.8, perfeito: 0.8, perfeita: 0.8, incrivel: 0.7,
    maravilha: 0.7, sensacional: 0.7, gata: 0.5, quero: 0.3, otimo: 0.7, otima: 0.7, bom: 0.5, boa: 0.4,
    'muito bom': 0.7, 'preciso disso': 0.5, linduu: 0.7, obrigada: 0.3, obrigado: 0.3, parabens: 0.5,
    'nao me arrependo': 0.6,
    pessimo: -0.8, pessima: -0.8, horrivel: -0.8, ruim: -0.6, golpe: -0.8, decepcionado: -0.7,
    decepcionada: -0.7, decepcao: -0.7, 'nao recomendo': -0.7, caro: -0.3, 'caro demais': -0.7, 'muito caro': -0.6,
    carissimo: -0.7, carissima: -0.7, devolvi: -0.5,
    absurdo: -0.6, nojento: -0.8, nojenta: -0.8, roubo: -0.7, 'nao vale': -0.6, feio: -0.6, feia: -0.6,
    quebrou: -0.6, quebrado: -0.6,
    quebrada: -0.6, defeito: -0.6, arrependi: -0.6, 'me arrependi': -0.7, 'nao funciona': -0.7, piorar: -0.5,
    piorou: -0.5, descascou: -0.5, vergonha: -0.6, esperando: 0, 'esperava mais': -0.5, qualidade: 0, para: 0, que: 0,
    pra: 0, 'nao dura': -0.6,
  },
  fr: {
    adore: 0.7, "j'adore": 0.8, 'trop beau': 0.7, 'trop belle': 0.7, magnifique: 0.8, sublime: 0.8,
    genial: 0.7, parfait: 0.8, parfaite: 0.8, incroyable: 0.7, superbe: 0.8, fan: 0.5, sympa: 0.5,
    jolie: 0.6, joli: 0.6, belle: 0.6, beau: 0.6, love: 0.6, 'pas mal': 0.4, merci: 0.3, contente: 0.6,
    content: 0.5, recommande: 0.6, 'je recommande': 0.7, bravo: 0.5, meilleure: 0.7, meilleur: 0.7,
    'trop bien': 0.7, bien: 0.4, aime: 0.6, 'je veux': 0.3, 'pas decue': 0.6, 'pas decu': 0.6,
    decu: -0.7, decue: -0.7, decevant: -0.7, horrible: -0.8, casse: -0.6, boutons: -0.4,
    moche: -0.6, 'trop cher': -0.7, cher: -0.3, 'hors de prix': -0.7, 'du vol': -0.7, abuse: -0.5, honte: -0.6,
    'pas terrible': -0.5, 'a fuir': -0.8, 'ne marche pas': -0.7, 'marche pas': -0.7, 'ne fonctionne pas': -0.7,
    renvoye: -0.5, regrette: -0.5, 'ne regrette pas': 0.6, 'regrette pas': 0.6, tout: 0, 'aucun effet': -0.6, 'ne tient pas': -0.6,
    'tient pas': -0.6, qualite: 0, trop: 0,
  },
};

/** Terms per language: the base list above and the slang file (data/slang.json, easy to extend), slang winning. */
const SLANG = JSON.parse(readFileSync(new URL('./data/slang.json', import.meta.url), 'utf8')) as Record<string, object>;
export const TERMS: Readonly<Record<ScoredLang, Readonly<Record<string, number>>>> = Object.fromEntries(
  SCORED_LANGS.map((lang) => [lang, { ...BASE_TERMS[lang], ...(SLANG[lang] as Record<string, number> | undefined) }]),
) as Record<ScoredLang, Record<string, number>>;

/** Words that flip the next three words of their clause (folded like the text). */
export const NEGATORS: Readonly<Record<ScoredLang, readonly string[]>> = {
  en: ['not', 'no', 'never', 'nor', "don't", 'dont', "doesn't", 'doesnt', "didn't", 'didnt', "isn't",
    'isnt', "wasn't", 'wasnt', "aren't", 'arent', "weren't", "won't", 'wont', "can't", 'cant', 'cannot',
    "ain't", 'aint', "wouldn't", "shouldn't", 'hardly', 'barely'],
  es: ['no', 'nunca', 'jamas', 'ni', 'tampoco', 'sin'],
  de: ['nicht', 'kein', 'keine', 'keinen', 'keinem', 'keiner', 'keines', 'nie', 'niemals', 'ohne'],
  pt: ['nao', 'nunca', 'jamais', 'nem', 'sem', 'nenhum', 'nenhuma'],
  fr: ['pas', 'ne', 'n', 'jamais', 'sans', 'aucun', 'aucune'],
};

/**
 * Delivery and support complaints: the demo's shipping-delay crisis must read as negative even when
 * every word is polite ("still waiting for my order, 3 weeks, refund please"). Matched on the folded
 * text; never flipped by a negator (they are usually phrased with one: "never arrived").
 */
export const COMPLAINT_SCORE = -0.7;
export const COMPLAINTS: Readonly<Record<ScoredLang, readonly RegExp[]>> = {
  en: [
    /\b(still|been|keep) waiting\b/, /\bwaiting (for|on) (my|the|our) (order|package|parcel|delivery|refund)/,
    /\bwhere('?s| is) my (order|package|parcel|stuff|refund|money)/,
    /\b(never|still (hasn'?t|has not|not)|hasn'?t|has not|not yet|haven'?t|have not|didn'?t|did not|not) (been )?(arrived|received|came|come|shipped|delivered|got it)/,
    /\bnever (got|came|showed up)\b/, /\bstill nothing\b/, /\bno (tracking|response|reply|answer|update)s?\b/,
    /\b(nobody|no one|noone) (answers|responds|replies|is answering)/, /\bignor(ing|ed) (my|our|me)\b/,
    /\brefund\b/, /\bmoney back\b/, /\bchargeback\b/, /\b(lost|damaged) (my )?(package|parcel|order)/,
    /\bwrong (item|size|color|colour|order)\b/, /\b(stopped working|fell apart|broke after)\b/,
    /\bcancel+(ed)? my order\b/, /\btracking (hasn'?t|has not|isn'?t|is not|not|still|never)\b/,
    /\b(order(ed)?|package|parcel|delivery|shipping|shipment)\b.*\b(\d+|two|three|four|five|six|several|few) (weeks?|months?)\b/,
    /\b(\d+|two|three|four|five|six|several|few) (weeks?|months?)\b.*\b(order|package|parcel|delivery|shipping|nothing|still)\b/,
    /\b(support|customer service|customer care|helpdesk|help desk)\b.*\b(no|zero|never|hung up|ignor\w*|copy.?paste|useless|refuse\w*|nobody)\b/,
    /\b(no|zero|never an?) (answers?|replies|response|reply)\b/, /\bhung up on\b/,
    /\brefuse\w* to (refund|replace|exchange|help)/,
    /\barrived (broken|damaged|crushed|late|open(ed)?|empty|wet|leaking|dented|in pieces|smashed)/,
    /\bit'?s been (a|one|two|three|\d+) (weeks?|months?)\b/,
    /\b(soaking wet|half empty|return shipping is on me)\b/, /\btracking\b.*\b(hasn'?t|not) (updated|moved)/,
  ],
  es: [
    /\b(sigo|seguimos|todavia|aun|llevo \w+ \w+) esperando\b/,
    /\b(no|nunca|todavia no|aun no) (me )?(ha )?(llega|llego|llegado)\b/,
    /\bdonde esta mi (pedido|paquete|dinero)/, /\bno (me )?llega\b/, /\bnadie (responde|contesta)\b/,
    /\b(llego|vino) (roto|rota|danado|danada|abierto)\b/, /\breembolso\b/, /\bdevuelv\w+ (mi|el) dinero\b/,
    /\bsemanas\b.*\bpedido\b|\bpedido\b.*\bsemanas\b/,
  ],
  de: [
    /\bwarte (immer noch|seit|schon)\b/,
    /\b(nie|noch nicht|immer noch nicht|nicht) (angekommen|geliefert|da|erhalten)\b/,
    /\bwo (ist|bleibt) meine (bestellung|lieferung|paket)/, /\b(antwortet|reagiert|meldet sich) (nicht|nie|keiner)\b/,
    /\bkam (kaputt|beschaedigt|defekt)\b/, /\bkein paket\b/, /\b(umtausch|rueckgabe|reklamation)\b.*\babgelehnt\b/,
    /\bgeld zurueck\b/, /\brueckerstattung\b/,
    /\bwochen\b.*\b(bestellung|paket|lieferung)\b|\b(bestellung|paket|lieferung|bestellt)\b.*\bwochen\b/,
  ],
  pt: [
    /\b(ainda )?esperando (meu|o|minha|a) (pedido|encomenda|reembolso)/,
    /\b(nao|nunca|ainda nao) (me )?(chegou|recebi|entregaram)\b/,
    /\bcade (o )?meu (pedido|dinheiro|reembolso)/, /\bninguem (responde|atende)\b/,
    /\bchegou (quebrado|com defeito|errado)/,
    /\bnao quer(em)? trocar\b/, /\bnunca chegou\b/, /\breembolso\b/, /\bmeu dinheiro de volta\b/,
    /\bsemanas\b.*\bpedido\b|\bpedido\b.*\bsemanas\b/,
  ],
  fr: [
    /\btoujours (pas recu|en attente|rien|pas arrive)/, /\b(jamais|pas encore|toujours pas) (recu|arrive|livre)/,
    /\bou est ma commande\b/, /\b(jamais|pas) recue?s?\b/, /\baucune reponse\b/, /\b(arrive|colis) (abime|casse)/,
    /\babonnes absents\b/, /\brembours\w*/, /\bsemaines\b.*\bcommande\b|\bcommande\b.*\bsemaines\b/,
  ],
};

/** Text emoticons, matched as standalone tokens. */
export const EMOTICONS: Readonly<Record<string, number>> = {
  ':)': 0.5, ':-)': 0.5, ':D': 0.6, ':-D': 0.6, ';)': 0.3, '<3': 0.7, ':(': -0.5, ':-(': -0.5, ":'(": -0.5, ':/': -0.3,
};

/**
 * Frequent words that tell the five scored languages apart when tinyld is unsure (slang, short
 * phrases); together with the single words of TERMS and NEGATORS they are the "evidence" for a language.
 */
export const CUE_WORDS: Readonly<Record<ScoredLang, readonly string[]>> = {
  en: ['the', 'is', 'and', 'this', 'it', 'i', 'you', 'my', 'so', 'a', 'of', 'to', 'for', 'that', 'with', 'but',
    'such', 'honestly', 'just', 'what', 'your', 'be', 'are', 'was', 'ngl', 'tbh', 'fr', 'af', 'have', 'they',
    'we', 'she', 'he', 'will', 'would', 'there', 'their', 'about', 'who', 'get', 'got', 'when', 'can', 'like',
    'know', 'good', 'could', 'them', 'look', 'only', 'think', 'after', 'how', 'our', 'well', 'even', 'want',
    'because', 'best', 'yet', 'wrong', 'size', 'sent', 'twice', 'really', 'very', 'need', 'where', 'why',
    'much', 'too', 'been', 'has', 'had', 'were', 'did', 'does', 'ever', 'still', 'again', 'thank', 'thanks',
    'please', 'omg', 'lol', 'finally', 'brand', 'order', 'shipping', 'waiting'],
  es: ['el', 'los', 'las', 'muy', 'pero', 'y', 'es', 'esta', 'tu', 'mi', 'con', 'donde', 'que', 'como', 'por',
    'pero', 'una', 'un', 'del', 'se', 'me', 'te', 'este', 'eso', 'todo', 'nada', 'tan', 'porque', 'hay', 'huele', 'sabe'],
  de: ['der', 'die', 'das', 'und', 'ist', 'ich', 'du', 'sehr', 'mit', 'nicht', 'auch', 'wo', 'wie', 'es',
    'aber', 'ein', 'eine', 'nur', 'noch', 'schon', 'mir', 'mich', 'dich', 'fuer', 'auf', 'bei', 'von', 'dem',
    'war', 'hab', 'habe', 'leider', 'zu', 'viel', 'echt', 'kein', 'keine'],
  pt: ['muito', 'voce', 'meu', 'minha', 'do', 'da', 'um', 'uma', 'com', 'mas', 'ja', 'e', 'tambem', 'cade', 'pra',
  'demais',
    'nao', 'vc', 'pro', 'isso',
    'esse', 'essa', 'bem', 'foi', 'tem', 'ainda', 'nunca', 'ate', 'depois', 'comprei', 'que', 'me'],
  fr: ['le', 'les', 'est', 'et', 'je', 'tu', 'tres', 'une', 'des', 'du', 'c', 'ce', 'cette', 'ou', 'tellement',
    'pour', 'mais', 'avec', 'sur', 'dans', 'vraiment', 'ca', 'au', 'aux', 'j', 'qu', 'franchement', 'trop', 'pas'],
};

/** Case-sensitive single letters: "huge W", "massive L" (lower-case w/l are too ambiguous). */
export const CASED_EN: Readonly<Record<string, number>> = { W: 0.6, L: -0.6, Ws: 0.6, Ls: -0.6 };

/**
 * Price and value complaints, matched on the folded text of a comment: "overpriced", "a rip-off", "zu teuer", "trop
 * cher", "caro demais", "carísimo" are single terms in TERMS; these catch the phrasings a word list cannot.
 */
export const PRICE_SCORE = -0.7;
export const PRICE_COMPLAINTS: Readonly<Record<ScoredLang, readonly RegExp[]>> = {
  en: [
    /\b(price|prices|pricing|shipping|cost)\b.{0,25}\b(insane|crazy|ridiculous|absurd|a joke|criminal|outrageous|too high|steep)\b/,
    /\b(way|far|too|so|very|ridiculously|insanely|crazy|stupidly) (too )?(expensive|pricey|overpriced)\b/,
    /\bnot worth (the|its|it'?s|that|this) (money|price|cash)\b/, /\b(daylight|highway) robbery\b/,
    /\b(a|one) (third|half|fraction|tenth) of the price\b/,
    /\b(charging|charge|paid|pay|paying) \d+ ?(bucks|dollars|euros?|pounds)\b/,
    /(\$|€|£) ?\d+ for (a|an|this|that|one)\b/, /\bdoesn'?t justify\b/, /\bcan'?t afford\b/,
    /\bpay (this|that|so) much\b/, /\bcan'?t believe (people|anyone|you) (pay|buy|bought|paid)/,
    /\bprices? (doubled|tripled|went up|increased|keeps? going up)\b/,
  ],
  es: [/\b(muy|demasiado|super|bastante|tan|que) car[oa]s?\b/, /\bno vale (la pena|lo que cuesta|el precio)\b/,
  /\bprecio (abusivo|absurdo|ridiculo)\b/,
    /\b\d+ ?(euros?|pesos|dolares) por (esto|eso|una?)\b/],
  de: [/\b(viel|viel zu|zu|echt|total|sau|mega) (teuer|ueberteuert)\b/,
  /\bpreis\b.{0,25}\b(frech|unverschaemt|absurd|lachhaft|zu hoch)\b/,
    /\bbei dem preis\b/],
  pt: [/\bcar[oa]s? demais\b/, /\b(muito|super|bem|que) car[oa]s?\b/, /\bnao vale (o preco|a pena|o que custa)\b/,
  /\bpreco\b.{0,20}\b(absurdo|abusivo)\b/,
    /\babsurdo (esse|este|o) preco\b/],
  fr: [/\btrop cher\b/, /\bhors de prix\b/, /\b(c'?est )?du vol\b/,
  /\bprix\b.{0,20}\b(abuse|excessif|exorbitant|delirant)\b/],
};

const UNPLEASANT_EN = [
  'plastic', 'chemicals?', 'cardboard', 'chalk', 'sand(paper)?', 'rubber', 'feet', 'garbage', 'trash', 'vomit', 'wet dog',
  'gasoline', 'petrol', 'cigarettes?', 'smoke', 'mold', 'mould', 'soap', 'glue', 'paint', 'dirt', 'sweat', 'a knockoff',
  'a scam', 'regret', 'crap', 'shit',
].join('|');
/** Things a product should never smell, taste or feel like: "smells like plastic", "riecht nach Plastik". */
export const UNPLEASANT_LIKE: Readonly<Record<ScoredLang, RegExp>> = {
  en: new RegExp(
    `\\b(smells?|smelled|smelt|smelling|tastes?|tasted|feels?|felt|looks?) like (\\w+ ){0,2}(${UNPLEASANT_EN})\\b`),
  es: /\b(huele|sabe) (a|como) (\w+ ){0,1}(plastico|quimicos?|carton|tiza|pies|basura|vomito|jabon|pegamento)\b/,
  de: /\b(riecht|schmeckt|fuehlt sich an) (nach|wie) (\w+ ){0,1}(plastik|chemie|pappe|kreide|fuessen|muell|seife|kleber|gummi)\b/,
  pt: /\b(cheira|tem gosto|parece) (a|de|como) (\w+ ){0,1}(plastico|quimicos?|papelao|giz|chule|lixo|sabao|cola)\b/,
  fr: /\b(sent|pue|a le gout de|gout) (le |la |du |de la )?(plastique|chimique|carton|craie|pieds|poubelle|savon|colle)\b/,
};

/** The clause after these carries a comment's judgement ("pretty colour, but it broke in a week"). */
export const CONTRAST_WORDS: Readonly<Record<string, readonly string[]>> = {
  en: ['but', 'however', 'though', 'except', 'shame', 'sadly', 'unfortunately'],
  es: ['pero', 'sin embargo', 'aunque', 'lastima', 'lástima'],
  de: ['aber', 'jedoch', 'allerdings', 'leider', 'nur'],
  pt: ['mas', 'porem', 'porém', 'contudo', 'pena que', 'so que', 'só que'],
  fr: ['mais', 'cependant', 'par contre', 'sauf que', 'dommage', 'malheureusement'],
  it: ['ma', 'però'], nl: ['maar'], pl: ['ale'],
};

/** Emoji that turn praise into sarcasm ("great quality 🙄"). */
export const SARCASM_EMOJI = new Set(['🙄', '😒', '🤡', '🙃', '🥱']);
/** Applause: praise after a complaint ("thanks for nothing 👏"), otherwise ordinary praise. */
export const CLAP = '👏';

/**
 * Sarcasm cues on the folded text: a praise word then a complaint reads as a complaint ("sure, because …",
 * "can't wait to pay …", "love paying …", "na toll", "otra vez"). The praise words of such a comment count negative.
 */
export const SARCASM_CUES: Readonly<Record<ScoredLang, readonly RegExp[]>> = {
  en: [/\b(sure|yeah|yes|right),? (because|cause|cuz|coz)\b/,
  /\bcan'?t wait to (pay|get scammed|wait|be charged|spend)/,
    /\b(love|loving|enjoy|so glad i|glad i|nothing like) (paying|paid|waiting|spending|getting charged|being charged)\b/,
    /\bhow (original|creative|innovative|surprising)\b/, /\bsaid no one\b/, /\bah yes,? the\b/,
    /\bthanks for nothing\b/,
    /\b(oh|ah) (great|wow|nice|lovely|perfect|yeah|sure)\b/, /\bgenius move\b/, /\bwho thought\b.*\bgood idea\b/,
    /\bbecause everyone (has|can)\b/, /\byeah,? right\b/, /\btotally worth\b.*\b(rash|pain|wait|headache)\b/],
  es: [/\bclaro,? porque\b/, /\botra vez\b/, /\bde nuevo\b/, /\bgracias por nada\b/],
  de: [/\bna (toll|super|prima|klasse|bravo)\b/, /\bschon wieder\b/, /\bdanke fuer nichts\b/, /\bja klar\b/],
  pt: [/\bde novo\b/, /\boutra vez\b/, /\bobrigad[oa] por nada\b/, /\bconseguiram piorar\b/, /\bclaro,? porque\b/],
  fr: [/\bencore (casse|une fois|un|une)\b/, /\bmerci pour rien\b/, /\bbravo pour (le|la|les|ce|cette)\b/,
  /\bbien sur,? parce que\b/],
};

/** Words that, opening a comment as a one-word interjection ("Great, …",
"Genial, …"), are sarcastic before a complaint. */
export const PRAISE_INTERJECTIONS = new Set([
  'great', 'wow', 'nice', 'perfect', 'lovely', 'awesome', 'fantastic', 'brilliant', 'amazing', 'cool', 'congrats',
  'genial', 'perfecto', 'estupendo', 'super', 'toll', 'prima', 'klasse', 'otimo', 'perfeito', 'parabens', 'genial',
  'parfait', 'bravo', 'magnifique', 'love', 'bien', 'bem', 'gut', 'schoen', 'thanks', 'thank',
]);

/** Spam and bot comments: an opinion of nobody's product, so neutral whatever their emoji say. Lower-cased raw text. */
export const SPAM: readonly RegExp[] = [
  /\b(check|visit|see) (out )?(my|our) (new |latest )?(profile|page|bio|channel|account|video|feed|post)/,
  /\b(link|links) in (my|our) bio\b/,
  /\bin my bio\b/, /\b(dm|message|text|inbox) (us|me)\b/, /\bcheck (your |my |the )?dms?\b/, /\bdm @/, /\bdm for\b/,
  /\bfollow (for|4) follow\b/, /\bfollow (me|us) for\b/, /\bf4f\b/, /\bfollow (me )?back\b/,
  /\bfree (followers|likes|iphone|gift ?cards?|money)\b/,
  /\b(made|make|earn(ed)?|earning) \$?\d+[k,.]?\d*\b.*\b(week|day|month|home|hour)\b/,
  /\b(work(ing)?|earn|money) from home\b/,
  /\bcrypto\b|\bforex\b|\bbitcoin\b/, /\bpromote it on\b/, /\bsend (your |us )?(pics|photos)\b/,
  /\b(become|be) (an|our) (ambassador|partner)\b/, /\bwho'?s (here|watching) in 20\d\d\b/,
  /\bwe would love to (partner|collab)/,
  /\bsigueme\b|\bsígueme\b|\bte sigo\b/, /\bsigam? (meu|o meu) perfil\b/, /\b(per|par|por|via) dm\b/, /\bun dm\b/,
  /\bgana (dinero|plata)\b/, /\bganhe dinheiro\b/, /\bgeld verdienen\b/, /\bgagne[rz]? de l'argent\b/,
];

/** A clause opening with these asks something ("does it work for oily skin") even without a question mark. */
export const QUESTION_OPENERS = new Set([
  'does', 'do', 'is', 'are', 'can', 'could', 'will', 'would', 'should', 'anyone', 'has', 'have', 'did', 'was', 'were',
]);
/** Questions that carry a judgement ("why is it so expensive?", "is it just me or …"): their words count. */
export const RHETORICAL: readonly RegExp[] = [
  /^\s*¿?\s*(why|how come|warum|wieso|weshalb|por que|por qué|porque|pourquoi|perche)\b/u, /\bis it just me\b/,
  /\bwho thought\b/,
  /\bhow (are|is) (you|she|he|it|this) (so|this)\b/, /\bwho (asked|cares)\b/,
  /\bis it normal (that|for)\b/, /\bwhere (has|have) (this|these|it|you) been all my life\b/, /\bam i the only one\b/,
  /^\s*who (would|even|actually|in their right mind|is buying|buys)\b/,
];

/** Frequent words of languages the pipeline does not score: a short comment made of them is not forced into English. */
export const UNSCORED_CUES: Readonly<Record<string, readonly string[]>> = {
  it: ['che', 'non', 'molto', 'troppo', 'grazie', 'bellissimo', 'bellissima', 'bello', 'carino', 'carina', 'voglio',
    'schifo', 'questo', 'questa', 'sono', 'anche', 'perche', 'costa', 'piu', 'pessima', 'pessimo', 'ottimo', 'ottima',
    'tutto', 'mille', 'adoro', 'brava', 'stupendo', 'stupenda', 'qualita', 'mai', 'compro', 'caro', 'ancora', 'il',
    'di'],
  nl: ['het', 'een', 'niet', 'echt', 'heel', 'wat', 'mooi', 'prachtig', 'lekker', 'geen', 'niks', 'helemaal', 'leuk',
    'tof', 'duur', 'voor', 'ik', 'jij', 'dit', 'ook', 'maar', 'kopen', 'rommel', 'gemaakt', 'zo', 'te', 'aan',
    'geweldig', 'mooie', 'gaaf', 'lelijk', 'zeg', 'prachtige'],
  pl: ['nie', 'jest', 'bardzo', 'polecam', 'za', 'tak', 'jak', 'ale', 'piekny', 'piekna', 'masakra', 'drogie', 'drogo',
    'kupujcie', 'zajebiste', 'swietny', 'swietne', 'fajny', 'fajne', 'slaby', 'kolor', 'gdzie', 'kupic', 'wyglada'],
  sv: ['och', 'det', 'att', 'jag', 'inte', 'sa', 'fin', 'snygg', 'alskar', 'den', 'mycket', 'vackert', 'vacker', 'snyggt',
    'underbart', 'fint'],
  fi: ['tosi', 'kaunis', 'ihana', 'hyva', 'todella', 'mahtava', 'kiitos'],
  no: ['nydelig', 'kjempe', 'veldig', 'ikke'],
  da: ['og', 'ikke', 'virkelig', 'flot', 'meget', 'jeg', 'smuk'],
  tr: ['cok', 'guzel', 'bir', 've', 'bu', 'olmus', 'harika', 'mukemmel', 'tesekkurler'],
  id: ['banget', 'bagus', 'kak', 'sekali', 'yang', 'dan', 'ini', 'itu', 'cantik', 'keren'],
  tl: ['ang', 'naman', 'po', 'ganda', 'sobrang', 'ng', 'talaga'],
};
