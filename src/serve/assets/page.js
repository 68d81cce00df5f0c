// trainsim serve: recompute on every change. Fetch /fragment for the form's query, swap it
// into #results, keep the URL in step, and show an error next to the field it names.
// Without JavaScript the form submits to / and the server renders the same results.
(function () {
  var form = document.getElementById('q');
  var results = document.getElementById('results');
  var timer = null, seq = 0;
  function query(submitter) {
    var data = new FormData(form);
    if (submitter && submitter.name) data.append(submitter.name, submitter.value);
    var p = new URLSearchParams();
    data.forEach(function (v, k) { if (String(v).trim() !== '') p.append(k, v); });
    return p.toString();
  }
  function mark() {
    document.querySelectorAll('.field').forEach(function (f) { f.classList.remove('bad'); });
    document.querySelectorAll('.field .err').forEach(function (e) { e.textContent = ''; });
    var s = results.querySelector('[data-error-param]');
    var param = s ? s.getAttribute('data-error-param') : '';
    var slot = param ? document.getElementById('err-' + param) : null;
    if (slot) { slot.textContent = s.getAttribute('data-error'); slot.parentNode.classList.add('bad'); }
  }
  function update(submitter) {
    var qs = query(submitter), mine = ++seq;
    results.setAttribute('aria-busy', 'true');
    fetch('/fragment?' + qs).then(function (r) { return r.text(); }).then(function (html) {
      if (mine !== seq) return;
      results.innerHTML = html;
      results.removeAttribute('aria-busy');
      var link = document.getElementById('permalink');
      history.replaceState(null, '', link ? link.getAttribute('href') : '/?' + qs);
      mark();
    });
  }
  form.addEventListener('change', function () { clearTimeout(timer); update(); });
  form.addEventListener('input', function (e) {
    if (e.target.tagName === 'SELECT') return;
    clearTimeout(timer); timer = setTimeout(update, 300);
  });
  form.addEventListener('submit', function (e) { e.preventDefault(); clearTimeout(timer); update(e.submitter); });
  document.documentElement.classList.add('js');
})();
