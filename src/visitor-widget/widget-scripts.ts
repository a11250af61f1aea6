/**
 * The two scripts of ours that go with Rocket.Chat's widget (plain ES5, as the widget's own
 * bundles: no build step, served as they are).
 */

/** Where the served widget's requests go: `/livechat/api/v1/…` and `/livechat/websocket`. */
export const SERVED_WIDGET_PREFIX = '/livechat';

/**
 * Runs in the widget's page before its bundles:
 * - `SERVER_URL` is this service under /livechat, where it answers as what it is, a service
 *   without a chat server: `livechat/config` says `online: false` (the widget shows the
 *   offline form, never a chat it cannot start) and the DDP socket is kept quiet;
 * - the widget reports its own frame's origin as the offline message's `host`; the page the
 *   visitor is on is what the embed script posts (`pageVisited`), else the frame's referrer.
 */
export const WIDGET_PAGE_SCRIPT = `(function () {
  'use strict';
  window.SERVER_URL = window.location.origin + '${SERVED_WIDGET_PREFIX}';
  var page = document.referrer || '';
  window.addEventListener('message', function (event) {
    var data = event.data;
    if (event.source !== window.parent || !data || data.src !== 'rocketchat' || data.fn !== 'pageVisited') return;
    var info = [].concat(data.args || [])[0];
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
})();
`;

/**
 * Appended to the embed script (rocketchat-livechat.min.js), which the customer's page loads:
 * asks this service whether the page's origin may show the widget, and if not says why in
 * the console and removes the widget's frame (which the browser refuses to show: an empty box).
 */
export const EMBED_CHECK_SCRIPT = `
;(function () {
  'use strict';
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
