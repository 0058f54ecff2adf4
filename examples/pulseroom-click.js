// Pulseroom click id: keeps ?click_id= of the landing URL in a first-party cookie (30 days) and hands it to checkout,
// so the order names the click that brought it. No dependencies; include it on every page of the shop.
(function (w, d) {
  var NAME = '_pr_click', OK = /^[A-Za-z0-9._:-]{1,64}$/;
  var url = new URLSearchParams(w.location.search).get('click_id');
  if (url && !OK.test(url)) url = null;
  if (url) {
    // Lax: sent on the shop's own pages, never to third parties.
    d.cookie = NAME + '=' + url + '; Max-Age=2592000; Path=/; SameSite=Lax' +
      (w.location.protocol === 'https:' ? '; Secure' : '');
  }
  var m = d.cookie.match(/(?:^|;\s*)_pr_click=([^;]+)/);
  var id = url || (m && OK.test(m[1]) ? m[1] : null);
  w.pulseroomClickId = function () { return id; };
  if (!id) return;
  // Shopify: a cart attribute becomes the order's note attribute ("_" hides it from the buyer).
  if (w.Shopify && w.fetch) {
    w.fetch('/cart/update.js', { method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ attributes: { _click_id: id } }) }).catch(function () {});
  }
  // Other checkouts: a hidden field in each form[data-pulseroom-checkout] (its value names the field).
  var forms = d.querySelectorAll('form[data-pulseroom-checkout]');
  for (var i = 0; i < forms.length; i++) {
    var field = forms[i].getAttribute('data-pulseroom-checkout') || 'click_id';
    if (forms[i].querySelector('input[name="' + field + '"]')) continue;
    var input = d.createElement('input');
    input.type = 'hidden'; input.name = field; input.value = id;
    forms[i].appendChild(input);
  }
  // Stripe Payment Links pass it to the Checkout Session as client_reference_id.
  var links = d.querySelectorAll('a[href^="https://buy.stripe.com/"]');
  for (var j = 0; j < links.length; j++) {
    var u = new URL(links[j].href);
    if (!u.searchParams.has('client_reference_id')) u.searchParams.set('client_reference_id', id);
    links[j].href = u.toString();
  }
})(window, document);
