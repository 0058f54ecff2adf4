// The small, hand-maintained overlay that the shipped lexicons lack: newer emoji, influencer slang,
// delivery complaints and a few words per language. Keep it small; every entry here should be one a
// test or a fixture comment depends on. Values are in [-1, 1]; 0 means "known, carries no sentiment"
// (the word is consumed so the library lexicon cannot mis-score it, e.g. wink scores "waiting" +0.5).

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
export const TERMS: Readonly<Record<ScoredLang, Readonly<Record<string, number>>>> = {
  en: {
    // slang, positive
    slay: 0.8, slayed: 0.8, slays: 0.8, slaying: 0.8, slayyy: 0.8, fire: 0.6, lit: 0.5, dope: 0.6,
    goated: 0.8, goat: 0.7, bussin: 0.7, slaps: 0.7, 'hits different': 0.6, iconic: 0.6,
    obsessed: 0.7, "chef's kiss": 0.8, 'chefs kiss': 0.8, queen: 0.5, legend: 0.6, legendary: 0.7,
    'need this': 0.5, 'need it': 0.5, 'need one': 0.5, 'want this': 0.4, 'take my money': 0.7,
    'in love': 0.7, 'you ate': 0.7, 'she ate': 0.7, 'ate that': 0.7, 'ate this': 0.7, 'no crumbs': 0.7,
    'killing it': 0.7, 'killed it': 0.7, 'nailed it': 0.7, 'so good': 0.7, 'sooo good': 0.7,
    love: 0.7, loved: 0.7, loving: 0.7, luv: 0.6, adore: 0.7, insane: 0.3, 'the best': 0.7,
    perfection: 0.8, stunning: 0.8, gorgeous: 0.8, cute: 0.6, cutest: 0.7, pretty: 0.5, prettiest: 0.7,
    'glow up': 0.6, vibe: 0.3, vibes: 0.3, immaculate: 0.8, elite: 0.6, '10/10': 0.8, 'must have': 0.6,
    // words the library gets wrong in comment culture: known, neutral
    crazy: 0, dead: 0, dying: 0.2, screaming: 0.2, crying: 0, lol: 0.2, lmao: 0.2, lmfao: 0.2,
    waiting: 0, still: 0, please: 0, pls: 0, plz: 0, ok: 0.1, okay: 0.1, fine: 0.1, 'no cap': 0,
    literally: 0, omg: 0, 'oh my god': 0, wow: 0.5, need: 0, want: 0,
    // slang, negative
    mid: -0.5, cringe: -0.6, cringey: -0.6, cringy: -0.6, ick: -0.6, trash: -0.7, garbage: -0.7,
    scam: -0.8, scammer: -0.8, scammed: -0.8, scammy: -0.7, fake: -0.5, flop: -0.5, flopped: -0.5,
    overrated: -0.5, overpriced: -0.5, yikes: -0.5, ew: -0.6, eww: -0.6, ewww: -0.6, gross: -0.6,
    meh: -0.3, sus: -0.4, shady: -0.5, sellout: -0.6, 'sold out': 0, 'cash grab': -0.6, unfollow: -0.6,
    unfollowed: -0.6, unfollowing: -0.6, ratio: -0.3, basic: -0.3, 'not it': -0.5, 'waste of money': -0.8,
    disappointing: -0.7, disappointed: -0.7, 'rip off': -0.8, ripoff: -0.8, 'never again': -0.7,
    'not worth': -0.6, 'worst': -0.8, "ain't it": -0.5, 'is everything': 0.6, 'never looked better': 0.7, 'never felt better': 0.7, terrible: -0.8, awful: -0.8,
    horrible: -0.8, quality: 0, content: 0, joke: 0, working: 0, 'is it': 0, useless: -0.7, broke: -0.4, cheap: -0.3, '0/10': -0.8,
  },
  es: {
    'me encanta': 0.8, 'me encantan': 0.8, encanta: 0.7, encanto: 0.7, precioso: 0.7, preciosa: 0.7,
    hermoso: 0.7, hermosa: 0.7, guapa: 0.7, guapo: 0.7, guapisima: 0.8, lindo: 0.6, linda: 0.6,
    bonito: 0.6, bonita: 0.6, genial: 0.7, brutal: 0.6, increible: 0.7, perfecto: 0.7, perfecta: 0.7,
    top: 0.5, divina: 0.7, divino: 0.7, espectacular: 0.7, maravilloso: 0.7, maravillosa: 0.7,
    'lo necesito': 0.5, 'lo quiero': 0.5, 'la quiero': 0.5, 'que bonito': 0.7, 'que bonita': 0.7,
    'no esta mal': 0.4, amo: 0.8, 'te amo': 0.8,
    'que asco': -0.8, asco: -0.7, horrible: -0.8, pesimo: -0.8, pesima: -0.8, malisimo: -0.8,
    fatal: -0.6, estafa: -0.8, timo: -0.7, decepcion: -0.7, decepcionado: -0.7, decepcionada: -0.7,
    'no lo recomiendo': -0.7, caro: -0.3, cutre: -0.6, feo: -0.6, fea: -0.6, aburrido: -0.5,
    verguenza: -0.6, 'que verguenza': -0.7, mal: -0.5, malo: -0.6, mala: -0.6,
    maravilla: 0.7, 'esperaba mas': -0.5, calidad: 0,
    gracias: 0.3, espero: 0, esperando: 0, donde: 0,
  },
  de: {
    liebe: 0.7, toll: 0.7, mega: 0.5, geil: 0.7, hammer: 0.6, 'der hammer': 0.7, traumhaft: 0.8,
    wunderschoen: 0.8, schoen: 0.6, super: 0.6, klasse: 0.6, genial: 0.7, perfekt: 0.7, suess: 0.6,
    empfehlenswert: 0.6, 'nicht schlecht': 0.4, 'will ich haben': 0.5, 'brauche ich': 0.5, danke: 0.3,
    schrecklich: -0.8, furchtbar: -0.8, scheisse: -0.8, mist: -0.6, enttaeuscht: -0.7,
    enttaeuschend: -0.7, abzocke: -0.8, betrug: -0.8, teuer: -0.3, langweilig: -0.5,
    haesslich: -0.7, peinlich: -0.6, nervig: -0.5, schlecht: -0.7, katastrophe: -0.8,
    'nie wieder': -0.7, warte: 0, qualitaet: 0,
  },
  pt: {
    amei: 0.8, amo: 0.8, adorei: 0.7, lindo: 0.7, linda: 0.7, lindos: 0.7, lindas: 0.7,
    maravilhoso: 0.8, maravilhosa: 0.8, perfeito: 0.8, perfeita: 0.8, incrivel: 0.7, top: 0.5,
    maravilha: 0.7, sensacional: 0.7, gata: 0.5, diva: 0.6, arrasou: 0.8, arrasa: 0.8, quero: 0.3,
    'preciso disso': 0.5, linduu: 0.7, obrigada: 0.3, obrigado: 0.3,
    pessimo: -0.8, pessima: -0.8, horrivel: -0.8, ruim: -0.6, golpe: -0.8, decepcionado: -0.7,
    decepcionada: -0.7, decepcao: -0.7, 'nao recomendo': -0.7, caro: -0.3, feio: -0.6, feia: -0.6,
    lixo: -0.8, enganacao: -0.8, palhacada: -0.6, vergonha: -0.6, esperando: 0, 'esperava mais': -0.5,
    qualidade: 0,
  },
  fr: {
    adore: 0.7, "j'adore": 0.8, 'trop beau': 0.7, 'trop belle': 0.7, magnifique: 0.8, sublime: 0.8,
    canon: 0.6, genial: 0.7, parfait: 0.8, parfaite: 0.8, incroyable: 0.7, top: 0.5, superbe: 0.8,
    jolie: 0.6, joli: 0.6, belle: 0.6, beau: 0.6, ouf: 0.4, love: 0.6, 'pas mal': 0.4, merci: 0.3,
    'trop bien': 0.7, bien: 0.4, aime: 0.6, 'je veux': 0.3,
    nul: -0.7, nulle: -0.7, arnaque: -0.8, decu: -0.7, decue: -0.7, decevant: -0.7, horrible: -0.8,
    moche: -0.6, 'trop cher': -0.5, cher: -0.3, honte: -0.6, bof: -0.3, 'pas terrible': -0.5,
    'a fuir': -0.8, qualite: 0,
  },
};

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
  ],
  es: [
    /\b(sigo|seguimos|todavia|aun|llevo \w+ \w+) esperando\b/, /\b(no|nunca|todavia no|aun no) (me )?(ha )?(llega|llego|llegado)\b/,
    /\bdonde esta mi (pedido|paquete|dinero)/, /\breembolso\b/, /\bdevuelv\w+ (mi|el) dinero\b/, /\bsemanas\b.*\bpedido\b|\bpedido\b.*\bsemanas\b/,
  ],
  de: [
    /\bwarte (immer noch|seit|schon)\b/, /\b(nie|noch nicht|immer noch nicht|nicht) (angekommen|geliefert|da|erhalten)\b/,
    /\bwo (ist|bleibt) meine (bestellung|lieferung|paket)/, /\bgeld zurueck\b/, /\brueckerstattung\b/,
    /\bwochen\b.*\b(bestellung|paket|lieferung)\b|\b(bestellung|paket|lieferung|bestellt)\b.*\bwochen\b/,
  ],
  pt: [
    /\b(ainda )?esperando (meu|o|minha|a) (pedido|encomenda|reembolso)/, /\b(nao|nunca|ainda nao) (me )?(chegou|recebi|entregaram)\b/,
    /\bcade (o )?meu (pedido|dinheiro|reembolso)/, /\breembolso\b/, /\bmeu dinheiro de volta\b/,
    /\bsemanas\b.*\bpedido\b|\bpedido\b.*\bsemanas\b/,
  ],
  fr: [
    /\btoujours (pas recu|en attente|rien|pas arrive)/, /\b(jamais|pas encore|toujours pas) (recu|arrive|livre)/,
    /\bou est ma commande\b/, /\brembours\w*/, /\bsemaines\b.*\bcommande\b|\bcommande\b.*\bsemaines\b/,
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
  es: ['el', 'los', 'las', 'muy', 'pero', 'y', 'es', 'esta', 'tu', 'mi', 'con', 'donde', 'que', 'como', 'por'],
  de: ['der', 'die', 'das', 'und', 'ist', 'ich', 'du', 'sehr', 'mit', 'nicht', 'auch', 'wo', 'wie', 'es'],
  pt: ['muito', 'voce', 'meu', 'minha', 'do', 'da', 'um', 'uma', 'com', 'mas', 'ja', 'e', 'tambem', 'cade'],
  fr: ['le', 'les', 'est', 'et', 'je', 'tu', 'tres', 'une', 'des', 'du', 'c', 'ce', 'cette', 'ou', 'tellement'],
};

/** Case-sensitive single letters: "huge W", "massive L" (lower-case w/l are too ambiguous). */
export const CASED_EN: Readonly<Record<string, number>> = { W: 0.6, L: -0.6, Ws: 0.6, Ls: -0.6 };
