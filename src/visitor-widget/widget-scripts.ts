/**
 * The two scripts of ours that go with Rocket.Chat's widget (plain ES5, as the widget's own
 * bundles: no build step, served as they are), and one stylesheet.
 */

/** Where the served widget's requests go: `/livechat/api/v1/…` and `/livechat/websocket`. */
export const SERVED_WIDGET_PREFIX = '/livechat';

/**
 * Runs in the widget's page before its bundles:
 * - `SERVER_URL` is this service under /livechat, where it answers as what it is, a service
 *   without a chat server: `livechat/config` says `online: false` (the widget shows the
 *   offline form, never a chat it cannot start) and the DDP socket is kept quiet;
 * - the widget reports its own frame's origin as the offline message's `host`; the page the
 *   visitor is on is what the embed script posts (`pageVisited`), else the frame's referrer;
 * - the page's language is the one the widget speaks: the browser's, or the one the embedding
 *   page sets (`setLanguage`; the widget reads no language from this service's config);
 * - the widget's chat button (the bubble) is named by the first letter of its title (its
 *   Button labels an icon button with `children[0]`, of a string): it gets the whole title
 *   while the widget is minimized (what it opens), "Minimize the widget" while it is open.
 */
export const WIDGET_PAGE_SCRIPT = `(function () {
  'use strict';
  window.SERVER_URL = window.location.origin + '${SERVED_WIDGET_PREFIX}';
  var page = document.referrer || '';
  document.documentElement.lang = navigator.language || 'en';
  window.addEventListener('message', function (event) {
    var data = event.data;
    if (event.source !== window.parent || !data || data.src !== 'rocketchat') return;
    var info = [].concat(data.args || [])[0];
    if (data.fn === 'setLanguage' && typeof info === 'string' && info) document.documentElement.lang = info;
    if (data.fn !== 'pageVisited') return;
    if (info && info.location && typeof info.location.href === 'string') page = info.location.href;
  });
  var fetch = window.fetch;
  window.fetch = function (input, init) {
    if (page && typeof input === 'string' && /\\/api\\/v1\\/livechat\\/offline\\.message$/.test(input) &&
        init && typeof init.body === 'string') {
      var body = JSON.parse(init.body);
      body.host = page;
      init = Object.assign({}, init, { body: JSON.stringify(body) });
    }
    return fetch.call(this, input, init);
  };
  function nameChatButtons() {
    var buttons = document.querySelectorAll('button[class*="screen__chat-button"]');
    for (var i = 0; i < buttons.length; i++) {
      var screen = buttons[i].parentNode;
      var title = screen.querySelector('[class*="header__title"]');
      var name = /(^|\\s)screen--minimized/.test(screen.className)
        ? (title && title.textContent.trim()) || 'Live Chat'
        : 'Minimize the widget';
      if (buttons[i].getAttribute('aria-label') !== name) buttons[i].setAttribute('aria-label', name);
    }
  }
  new MutationObserver(nameChatButtons).observe(document.documentElement, {
    childList: true, subtree: true, characterData: true, attributes: true,
    attributeFilter: ['class', 'aria-label'],
  });
})();
`;

/**
 * Appended to the embed script (rocketchat-livechat.min.js), which the customer's page loads:
 * asks this service whether the page's origin may show the widget, and if not says why in
 * the console and removes the widget's frame (which the browser refuses to show: an empty box).
 * It also titles the frame, which the embed script leaves unnamed for assistive technology.
 */
export const EMBED_CHECK_SCRIPT = `
;(function () {
  'use strict';
  function titleFrame() {
    var frame = document.getElementById('rocketchat-iframe');
    if (frame && !frame.title) frame.title = 'Live Chat';
    return !!frame;
  }
  if (!titleFrame() && window.MutationObserver) {
    new MutationObserver(function (_records, observer) {
      if (titleFrame()) observer.disconnect();
    }).observe(document.documentElement, { childList: true, subtree: true });
  }
  var script = document.currentScript;
  if (!script || !script.src || !window.fetch) return;
  var base = script.src.replace(/\\/livechat\\/[^/]*$/, '');
  window.fetch(base + '/api/v1/livechat/widget.check', { credentials: 'omit' })
    .then(function (response) { return response.json(); })
    .then(function (answer) {
      if (!answer || answer.allowed !== false) return;
      console.warn('Rocket.Chat Live Chat: this page (' + answer.origin + ') is not in ' + answer.setting +
        ' of ' + base + ', so the widget is not shown here. Add this origin to that setting to show it.');
      var widget = document.querySelector('.rocketchat-widget');
      if (widget && widget.parentNode) widget.parentNode.removeChild(widget);
    })
    .catch(function () {});
})();
`;

/**
 * Loaded by the widget's page after its own styles: two greys of the widget's are too light
 * on white for WCAG AA (4.5:1), the department select's placeholder (#cbced1, 1.6:1) and
 * "Powered by Rocket.Chat" (#9ea2a8, 2.6:1). `:root` outranks the widget's one-class rules,
 * whichever stylesheet the browser reads last.
 */
export const WIDGET_PAGE_STYLE = `:root [class*="select-input__select--placeholder"],
:root [class*="powered-by__"] {
  color: #6c727a;
}
`;
