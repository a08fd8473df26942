// The payment step: Stripe.js (loaded before this file) mounts a form for the card or
// bank, and confirms the PaymentIntent with its client secret. The server never sees card
// data; Stripe sends the learner back to the booking's page (return URL), which asks
// Stripe how the payment stands.
(function () {
  'use strict';
  var form = document.getElementById('payment');
  if (!form || typeof Stripe !== 'function') {
    return;
  }
  var stripe = Stripe(form.dataset.publishableKey);
  var secret = form.dataset.clientSecret;
  var returnUrl = form.dataset.returnUrl;
  var message = document.getElementById('payment-message');
  var button = document.getElementById('payment-submit');

  // One small adapter between two Stripe.js: Stripe's own offers the Payment Element
  // (card and iDEAL) and confirmPayment; localstripe's stand-in, used in development and
  // the tests, knows only the card element and confirmCardPayment (and completes only a
  // PaymentIntent waiting for 3-D Secure: see the README's Payments).
  var pay;
  if (typeof stripe.confirmPayment === 'function') {
    var elements = stripe.elements({ clientSecret: secret });
    elements.create('payment').mount('#payment-element');
    pay = function () {
      return stripe.confirmPayment({ elements: elements, confirmParams: { return_url: returnUrl } });
    };
  } else {
    var card = stripe.elements().create('card');
    card.mount('#payment-element');
    pay = function () {
      return stripe.confirmCardPayment(secret, { payment_method: { card: card } })
        .then(function (result) {
          if (!result.error) {
            window.location.assign(returnUrl);
          }
          return result;
        });
    };
  }

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    button.disabled = true;
    message.hidden = true;
    pay().then(function (result) {
      // Only a refusal comes back here: a payment that went through left the page.
      if (result && result.error) {
        message.textContent = result.error.message || String(result.error);
        message.hidden = false;
        button.disabled = false;
      }
    });
  });
})();
