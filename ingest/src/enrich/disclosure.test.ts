import { describe, expect, it } from 'vitest';
import { checkDisclosure, feedCut, FEED_CUT_CHARS, type DisclosureStatus } from './disclosure.js';

const filler =
  'Golden hour at the beach with my favourite sunscreen, light, no white cast and it smells like holidays. ';
const pile = '#summer #beach #skincare #spf #glow #sunset #travel #beauty #selfcare #ootd';

// [caption, branded_content flag, expected status, a fragment the reason must contain]
const captions: [string, boolean, DisclosureStatus, string][] = [
  // clear: a label up front, in any common language
  ['#ad Golden hour with @sunbrand ☀️ code SUN20 for 20% off', false, 'clear', '#ad appears at character 1'],
  ['#AD | My new morning routine with @brand 🌞', false, 'clear', '#AD'],
  ['Ad: my honest review of the @brand air fryer 🍟', false, 'clear', 'Ad'],
  ['[AD] Three ways to style the new denim 👖', false, 'clear', 'AD appears at character 2'],
  // Japan, Korea, China: the labels their regulators name
  ['#広告 新しいイヤホンを1週間使ってみた感想🎧', false, 'clear', '#広告'],
  ['#PR 新しいイヤホンを1週間使ってみた感想🎧', false, 'clear', '#PR'],
  ['#광고 일주일 써본 후기, 노이즈 캔슬링 대박 🎧', false, 'clear', '#광고'],
  ['#유료광고 언박싱 🔥 작은 케이스, 엄청난 사운드', false, 'clear', '#유료광고'],
  ['#广告 新耳机用了一周 🎧', false, 'clear', '#广告'],
  // in English #PR is a PR sample, a gift: weak as before
  ['#PR my new earbuds after a week 🎧', false, 'weak', '#PR'],
  ['AD Loving this spring collection from @brand 🌸', false, 'clear', 'AD'],
  ['Paid partnership with @glowco ✨ my skin after 4 weeks', false, 'clear', 'Paid partnership with'],
  ['Sponsored by @fitfuel: 5 high-protein breakfasts 🍳', false, 'clear', 'Sponsored by'],
  ['New drop 🔥 #sponsored', false, 'clear', '#sponsored'],
  ['😍 #ad this serum changed my skin', false, 'clear', '#ad'],
  ['Werbung | Mein neues Lieblingsparfum von @duftwerk 🌹', false, 'clear', 'Werbung'],
  ['*Anzeige* Mein Sommer-Look mit @modehaus', false, 'clear', 'Anzeige'],
  ['#werbung Endlich Urlaub! Mit @koffer.de unterwegs ✈️', false, 'clear', '#werbung'],
  ['#anzeige Das neue Müsli von @kornkraft 🥣', false, 'clear', '#anzeige'],
  ['#publicidad Mi rutina de noche con @bellezalab 🌙', false, 'clear', '#publicidad'],
  ['#publi Mis zapatillas favoritas para correr @runfast', false, 'clear', '#publi'],
  ['Partenariat rémunéré avec @maisonlumiere ✨ ma nouvelle lampe', false, 'clear', 'Partenariat rémunéré'],
  ['#sponsorisé Ma routine cheveux avec @capilla', false, 'clear', '#sponsorisé'],
  ['#pub Le nouveau parfum de @fleurdeparis 🌸', false, 'clear', '#pub'],
  ['#publicidade Meu look do dia com @modabr 💛', false, 'clear', '#publicidade'],
  ['#patrocinado Treino de hoje com @fitbr', false, 'clear', '#patrocinado'],
  ['#reklame Ny kollektion fra @nordic 🇩🇰', false, 'clear', '#reklame'],
  ['#advertentie Mijn favoriete koffie van @bonenbar ☕', false, 'clear', '#advertentie'],
  ['#gesponsord Onze weekendtrip met @reisplus', false, 'clear', '#gesponsord'],
  ['#reklam Min nya favoritjacka från @fjallwear', false, 'clear', '#reklam'],
  ['#annons Vårens nyheter från @blomster', false, 'clear', '#annons'],
  ['#sponsorizzato La mia pasta preferita di @pastificio 🍝', false, 'clear', '#sponsorizzato'],
  ['#pubblicità Nuovi occhiali da sole @ottica', false, 'clear', '#pubblicità'],
  ['#ad #summer #beach Golden hour with @sunbrand', false, 'clear', '#ad'],
  [
    'Werbung\nMein neues Lieblingsparfum 🌹 #duft #parfum #beauty #ootd',
    false,
    'clear',
    'Werbung appears at character 1',
  ],
  ['Colaboración pagada con @bellezalab ✨ mi crema favorita', false, 'clear', 'Colaboración pagada'],
  ['Summer essentials 🏖️\n#ad', false, 'clear', '#ad'],
  ['No label at all, just vibes 🌊', true, 'clear', 'paid-partnership label'],
  ['＃ａｄ full-width hashtag from a Japanese keyboard', false, 'clear', '#ad'],
  // weak: a label the feed hides, or piled into hashtags
  [`${filler}${filler}#ad`, false, 'weak', "after the 'more' cut"],
  [`${filler}\n.\n.\n.\n#ad ${pile}`, false, 'weak', "after the 'more' cut"],
  [`Beach day ☀️ #summer #beach #ad #sunset`, false, 'weak', 'the 3rd of 4 hashtags'],
  ['Beach day ☀️\n\nso happy with this\n#ad', false, 'weak', "after the 'more' cut"],
  ['Loving my new sneakers! #ad #sneakers #style', false, 'weak', 'hashtags piled'],
  [`${filler}${filler}Werbung`, false, 'weak', "after the 'more' cut"],
  // weak: only ambiguous wording
  ['Golden hour ☀️ #sp', false, 'weak', '#sp'],
  ['Morning coffee ☕ #spon', false, 'weak', '#spon'],
  ['Thanks @sunbrand for these goodies 💛', false, 'weak', 'Thanks @sunbrand'],
  ['Obsessed with my new bag #gifted', false, 'weak', '#gifted'],
  ['New season, new kicks #nike_partner', false, 'weak', '#nike_partner'],
  ['So proud to be a #brandambassador for @runfast 🏃', false, 'weak', '#brandambassador'],
  ['My fave blender #collab @blendy', false, 'weak', '#collab'],
  ['In collaboration with @maison ✨', false, 'weak', 'In collaboration with'],
  ['#partner Neue Laufschuhe 👟', false, 'weak', '#partner'],
  ['Mi nueva rutina 🌿 #colaboración @verdecosmetics', false, 'weak', '#colaboración'],
  ['Ma nouvelle routine #partenariat @capilla', false, 'weak', '#partenariat'],
  ['Dank @laufwerk für die neuen Schuhe 👟 in Kooperation mit @laufwerk', false, 'weak', 'in Kooperation mit'],
  ['Obrigada @marca pelo presente 💛', false, 'weak', 'Obrigada @marca'],
  ['Link in bio, affiliate link 💸', false, 'weak', 'affiliate link'],
  ['Unbezahlte Werbung | Mein Lieblingsbuch diesen Monat 📚', false, 'weak', 'says the post is unpaid'],
  ['Werbung (unbezahlt) wegen Markennennung @buchladen', false, 'weak', 'says the post is unpaid'],
  ['#unbezahltewerbung Frühstück mit @kornkraft', false, 'weak', 'unpaid'],
  // missing: nothing, look-alikes inside words, or a denial
  ['Golden hour at the beach ☀️ #summer #beach', false, 'missing', 'No advertising label'],
  ['Weekend #adventure in the Alps 🏔️', false, 'missing', 'No advertising label'],
  ['New #adidas drop is here 👟', false, 'missing', 'No advertising label'],
  ['I made this bad boy myself, add salt 😅 #admin #adsfree', false, 'missing', 'No advertising label'],
  ['Shop the look: https://shop.example.com/spring#ad 🌸', false, 'missing', 'No advertising label'],
  ['Mein Adventskalender ist da! 🎄 #advent', false, 'missing', 'No advertising label'],
  ['Ich finde Werbung auf Instagram nervig', false, 'missing', 'No advertising label'],
  ['Not sponsored, I just love this café ☕', false, 'missing', 'denies'],
  ['#notsponsored my honest fave mascara', false, 'missing', 'denies'],
  ['Keine Werbung, alles selbst bezahlt!', false, 'missing', 'denies'],
  ['', false, 'missing', 'No advertising label'],
  // whole tokens only: a label joined to another word by a hyphen, slash or apostrophe is that other word
  ['Ad-free at last! Cancelled all my subscriptions 🧘', false, 'missing', 'No advertising label'],
  ['Ad-hoc picnic with the girls 🧺', false, 'missing', 'No advertising label'],
  ['#ad-free weekend, phone off', false, 'missing', 'No advertising label'],
  ['AD/HD awareness month: my story 💛', false, 'missing', 'No advertising label'],
  ['Add to cart, regret nothing 🛒', false, 'missing', 'No advertising label'],
  // a label standing as a sentence of its own, anywhere before the cut
  [
    'Neue Creme ausprobiert. Werbung. Sie zieht super schnell ein 🌞',
    false,
    'clear',
    'Werbung appears at character 25',
  ],
  ['Morning run done. Ad. These shoes are unreal on hills.', false, 'clear', 'Ad appears'],
  // a negated label is a denial, even with "bought it myself" next to it
  ['Kein Ad, hab ich mir selbst gekauft', false, 'missing', 'denies'],
  ['Keine Werbung, selbst gekauft 🛍️', false, 'missing', 'denies'],
  ['not an #ad, just a fan', false, 'missing', 'denies'],
  ['This is not a paid partnership, I just love the brand', false, 'missing', 'denies'],
  ['Nicht gesponsert, einfach Liebe ❤️', false, 'missing', 'denies'],
  // a pile that opens the caption: the first tags are read, the label 21st of them is not
  [`${'#a #b #c #d #e #f #g #h #i #j #k #l #m #n #o #p #q #r #s #t'} #ad golden hour`, false, 'weak', 'the 21st of 21'],
  ['#ad #skincare #glow Loving this new serum', false, 'clear', '#ad appears at character 1'],
];

// [caption, platform, expected status, a fragment the reason must contain]: what each platform shows before "more"
const placements: [string, string, DisclosureStatus, string][] = [
  [`${'x'.repeat(110)} #ad`, 'instagram', 'clear', 'before the'],
  [`${'x'.repeat(110)} #ad`, 'tiktok', 'weak', "after the 'more' cut (character 101)"],
  [`${'x'.repeat(200)} #ad`, 'facebook', 'clear', 'before the'],
  [`${'x'.repeat(260)} #ad`, 'x', 'clear', 'before the'],
  [
    'I tested every budget vacuum.\n\nWinner at the end.\n\n#ad #vacuum #cleaning',
    'youtube',
    'clear',
    'above the title',
  ],
  [
    'I tested every budget vacuum.\n\nWinner at the end.\n\n#ad #vacuum #cleaning',
    'instagram',
    'weak',
    "after the 'more' cut",
  ],
  ['Golden hour, no label 🌊', 'tiktok', 'missing', 'No advertising label'],
];

describe('checkDisclosure', () => {
  it.each(captions)('%j (flag %s) → %s', (caption, flag, status, fragment) => {
    const result = checkDisclosure(caption, flag);
    expect(result.status).toBe(status);
    expect(result.reason.toLowerCase()).toContain(fragment.toLowerCase());
  });

  it.each(placements)('%j on %s → %s', (caption, platform, status, fragment) => {
    const result = checkDisclosure(caption, false, platform);
    expect(result.status).toBe(status);
    expect(result.reason.toLowerCase()).toContain(fragment.toLowerCase());
  });

  it("the platform's paid-partnership flag is clear on every platform, whatever the caption says", () => {
    for (const platform of ['instagram', 'tiktok', 'youtube', 'facebook', '']) {
      expect(checkDisclosure('Not sponsored, just vibes #adfree', true, platform).status).toBe('clear');
    }
  });

  it('has a table of at least 40 captions in several languages', () => {
    expect(captions.length).toBeGreaterThanOrEqual(40);
  });

  it('reports the character where a buried label stands', () => {
    const caption = `${'x'.repeat(211)} #ad`;
    expect(checkDisclosure(caption, false)).toEqual({
      status: 'weak',
      reason: `#ad appears at character 213, after the 'more' cut (character ${FEED_CUT_CHARS + 1}); put it at the start.`,
    });
  });

  it('cuts the feed preview at 125 characters or after the second line, whichever comes first', () => {
    expect(feedCut('a'.repeat(300))).toBe(FEED_CUT_CHARS);
    expect(feedCut('one\ntwo\nthree')).toBe('one\ntwo'.length);
    expect(feedCut('😍'.repeat(200))).toBe(FEED_CUT_CHARS * 2); // code points, not UTF-16 units
  });

  it('counts characters as code points in its reason', () => {
    const { reason } = checkDisclosure(`${'😍'.repeat(130)} #ad`, false);
    expect(reason).toContain('character 132');
  });
});
