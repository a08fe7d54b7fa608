// The post forms' Preview button: sends the textarea to POST /api/preview and shows the
// answer as HTML. That view returns the body as it arrived: HTMLGuardMiddleware has cleaned
// it ("post.body" in HTMLGUARD_FIELDS) before the view ran.
(function () {
  'use strict';
  function csrfToken() {
    var m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : '';
  }
  document.querySelectorAll('button[data-preview]').forEach(function (button) {
    var box = document.getElementById(button.dataset.preview);
    var out = button.form.querySelector('.preview');
    button.addEventListener('click', function () {
      fetch('/api/preview', {
        method: 'POST',
        headers: {'Content-Type': 'application/json', 'X-CSRFToken': csrfToken()},
        body: JSON.stringify({post: {body: box.value}}),
      }).then(function (r) {
        return r.json().then(function (data) {
          if (!r.ok) throw new Error(data.error || r.statusText);
          out.innerHTML = data.html;
        });
      }).catch(function (e) {
        out.textContent = 'Preview failed: ' + e.message;
      }).then(function () {
        out.hidden = false;
      });
    });
  });
})();
