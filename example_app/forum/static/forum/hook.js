// The pages' script hook. Every seeded payload calls __hook(); the public corpora's call
// alert() & co., which are wrapped to call it too. A call renames the tab "PWNED" and is
// recorded at /__pwned, which each page's footer counts. The site sends no
// Content-Security-Policy on purpose: htmlguard alone has to stop the payloads.
(function () {
  'use strict';
  function hook(detail) {
    document.title = 'PWNED';
    fetch('/__pwned', {
      method: 'POST',
      keepalive: true,  // still sent if the payload navigates away
      headers: {'Content-Type': 'application/json'},
      body: JSON.stringify({page: location.pathname, detail: String(detail === undefined ? '' : detail)}),
    });
  }
  window.__hook = hook;
  ['alert', 'confirm', 'prompt'].forEach(function (name) {
    var original = window[name];
    window[name] = function () {
      hook(name);
      return original.apply(window, arguments);  // the dialog still opens: visible proof
    };
  });
})();
