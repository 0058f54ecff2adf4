// Comment texts in several languages, with emoji: launch hype, questions, everyday gripes, and the
// shipping-delay complaints of the scripted crisis.
import type { Locale } from './names.js';
import type { Rng } from './random.js';

export type Mood = 'positive' | 'neutral' | 'negative' | 'crisis';

const TEXTS: Record<Locale, Record<Mood, string[]>> = {
  en: {
    positive: [
      'Just ordered mine 😍🔥',
      'These sound incredible, the noise cancelling is next level 🎧',
      'Love this review, so honest ❤️',
      'Need these for my commute asap 🙌',
      'the bass on these slaps no cap 🔥🔥',
      'Best earbuds I have ever tried, worth every cent',
      'Obsessed with the colour 😍',
      'Great video as always! 👏',
      'Finally earbuds that actually fit my ears 🥰',
      'Battery life is amazing, lasted my whole flight ✈️',
      'You convinced me, ordering now 🛒',
      'Sound quality is so clean 🤩',
    ],
    neutral: [
      'How long does the battery last?',
      'Do they work with Android?',
      'Is there a white version?',
      'What size tips come in the box?',
      'Which one is better, Pro or standard?',
      'Price in Canada?',
    ],
    negative: [
      'Way too expensive for earbuds 🙄',
      'Mine keep disconnecting, not great',
      'Honestly mid, my old ones sound better',
      'Another sponsored post… unfollowing 😒',
    ],
    crisis: [
      'Ordered at launch and my order still has not shipped 😡',
      'Still no shipping confirmation, this is so frustrating',
      'Where is my order?? Day 2 and nothing 😤',
      'Shipping delayed again?! Terrible customer service 👎',
      'Paid for express shipping and it says delayed 2 weeks. Refund please',
      'Do not order, mine is stuck in processing and support ignores me 😠',
      'Worst launch ever, delayed shipping and no answers',
      'Cancelled my order, the delay is ridiculous 🤬',
    ],
  },
  es: {
    positive: [
      '¡Me encantan! Ya los pedí 😍',
      'Suenan increíbles 🔥🔥',
      'Qué buena reseña, gracias ❤️',
      'La cancelación de ruido es brutal 🎧',
      'Los necesito ya 🙌',
      'Calidad de sonido espectacular 🤩',
      'Me convenciste, comprados 🛒',
      'Muy cómodos, genial para correr 🏃‍♀️',
    ],
    neutral: [
      '¿Cuánto dura la batería?',
      '¿Funcionan con Android?',
      '¿Hay envío a México?',
      '¿Qué diferencia hay con el modelo normal?',
    ],
    negative: ['Demasiado caros 🙄', 'Los míos se desconectan, qué pena', 'Otra publi más… 😒'],
    crisis: [
      'Mi pedido sigue sin enviarse, qué vergüenza 😡',
      'El envío está retrasado y nadie responde 😤',
      'Pagué envío exprés y llega con dos semanas de retraso, fatal 👎',
      'Pésimo servicio, quiero mi reembolso',
      'Cancelé el pedido, el retraso es ridículo 🤬',
    ],
  },
  de: {
    positive: [
      'Direkt bestellt 😍🔥',
      'Klingen mega gut, das Noise Cancelling ist der Hammer 🎧',
      'Super ehrliches Review, danke ❤️',
      'Die brauche ich für die Bahn 🙌',
      'Sitzen richtig gut im Ohr 🥰',
      'Tolle Qualität, lohnt sich total 👏',
      'Akku hält ewig, genial',
    ],
    neutral: [
      'Wie lange hält der Akku?',
      'Gibt es die auch in Weiß?',
      'Funktionieren die mit dem iPhone?',
      'Was ist der Unterschied zur normalen Version?',
    ],
    negative: ['Viel zu teuer 🙄', 'Meine verlieren ständig die Verbindung, schlecht', 'Schon wieder Werbung… 😒'],
    crisis: [
      'Meine Bestellung ist immer noch nicht versendet 😡',
      'Lieferung verspätet und der Support antwortet nicht, echt schlecht 😤',
      'Expressversand bezahlt und jetzt zwei Wochen Verspätung, ärgerlich 👎',
      'Katastrophe, ich will mein Geld zurück',
      'Bestellung storniert, diese Verzögerung ist eine Frechheit 🤬',
    ],
  },
  pt: {
    positive: [
      'Amei, já comprei o meu 😍',
      'Som incrível 🔥🔥',
      'Que review maravilhosa, obrigado ❤️',
      'O cancelamento de ruído é perfeito 🎧',
      'Preciso muito desses 🙌',
      'Qualidade excelente, vale a pena 🤩',
      'Super confortáveis, adorei 🥰',
    ],
    neutral: [
      'Quanto tempo dura a bateria?',
      'Funciona com Android?',
      'Tem entrega no Brasil?',
      'Qual a diferença para o modelo normal?',
    ],
    negative: ['Caro demais 🙄', 'O meu desconecta toda hora, ruim', 'Mais uma publi… 😒'],
    crisis: [
      'Meu pedido ainda não foi enviado, que raiva 😡',
      'Entrega atrasada e ninguém responde, péssimo 😤',
      'Paguei frete expresso e vai atrasar duas semanas, horrível 👎',
      'Atendimento péssimo, quero reembolso',
      'Cancelei o pedido, atraso ridículo 🤬',
    ],
  },
  fr: {
    positive: [
      'Je viens de les commander 😍🔥',
      'Le son est incroyable 🎧',
      'Super avis, merci ❤️',
      'La réduction de bruit est géniale 🙌',
      'Trop beaux, j’adore 🥰',
      'Excellente qualité, ça vaut le coup 👏',
      'Parfaits pour le métro 🤩',
    ],
    neutral: [
      'Quelle est l’autonomie ?',
      'Compatibles Android ?',
      'Il existe une version blanche ?',
      'Quelle différence avec le modèle standard ?',
    ],
    negative: ['Beaucoup trop cher 🙄', 'Les miens se déconnectent tout le temps, nul', 'Encore une pub… 😒'],
    crisis: [
      'Ma commande n’est toujours pas expédiée, inadmissible 😡',
      'Livraison en retard et aucune réponse du service client, nul 😤',
      'J’ai payé la livraison express et deux semaines de retard, honteux 👎',
      'Service client horrible, je veux être remboursé',
      'Commande annulée, ce retard est ridicule 🤬',
    ],
  },
  ja: {
    positive: [
      '音がすごくいい！😍',
      'もう注文しました🔥',
      'ノイキャン最高🎧',
      'レビューありがとう❤️',
      'デザインかわいい🥰',
    ],
    neutral: ['バッテリーはどのくらい持ちますか？', 'Androidでも使えますか？', '日本でも買えますか？'],
    negative: ['ちょっと高すぎる🙄', '接続が切れる…'],
    crisis: ['まだ発送されない😡', '配送が遅れていて問い合わせにも返事がない😤', '注文をキャンセルしました👎'],
  },
  ko: {
    positive: [
      '소리 진짜 좋아요 😍',
      '바로 주문했어요 🔥',
      '노이즈 캔슬링 최고 🎧',
      '리뷰 감사합니다 ❤️',
      '디자인 너무 예뻐요 🥰',
    ],
    neutral: ['배터리 얼마나 가요?', '안드로이드에서도 되나요?', '한국 배송 되나요?'],
    negative: ['너무 비싸요 🙄', '연결이 자꾸 끊겨요'],
    crisis: ['아직도 배송이 안 됐어요 😡', '배송 지연인데 고객센터 답이 없어요 😤', '주문 취소했어요 👎'],
  },
};

/** One comment of that mood in that language; a few English comments turn up under any post. */
export function commentText(rng: Rng, locale: Locale, mood: Mood): { text: string; lang: Locale } {
  const lang: Locale = locale !== 'en' && rng.chance(0.12) ? 'en' : locale;
  return { text: rng.pick(TEXTS[lang][mood]), lang };
}

/** Every text of a mood, for tests. */
export function allTexts(mood: Mood): string[] {
  return Object.values(TEXTS).flatMap((t) => t[mood]);
}
