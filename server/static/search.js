// The search box on every page: suggestions from /search?format=json as the reader types.
// No inline script (the pages' Content-Security-Policy allows only this site's files).
(function () {
  "use strict";
  var input = document.getElementById("site-search");
  var list = document.getElementById("site-search-suggestions");
  if (!input || !list) { return; }
  var timer = null, last = "", hrefs = {};
  function show(results) {
    list.textContent = "";
    hrefs = {};
    results.forEach(function (r) {
      var option = document.createElement("option");
      option.value = r.label;
      option.label = r.kind ? r.label + " — " + r.kind : r.label;
      hrefs[r.label] = r.href;
      list.appendChild(option);
    });
  }
  input.addEventListener("input", function () {
    var q = input.value.trim();
    if (hrefs[input.value]) { window.location.href = hrefs[input.value]; return; }  // a suggestion was picked
    if (q.length < 2 || q === last) { return; }
    clearTimeout(timer);
    timer = setTimeout(function () {
      last = q;
      fetch(input.dataset.suggest + "?format=json&q=" + encodeURIComponent(q), {headers: {Accept: "application/json"}})
        .then(function (response) { return response.ok ? response.json() : {results: []}; })
        .then(function (data) { if (input.value.trim() === q) { show(data.results || []); } })
        .catch(function () { show([]); });
    }, 150);
  });
})();
