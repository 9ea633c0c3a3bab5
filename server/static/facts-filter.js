// An entity page's filter by kind and year, applied in the page as the choice changes (no
// reload). The same form works without this script: the server hides what it leaves out.
// No inline script: the pages' Content-Security-Policy allows only this site's files.
(function () {
  "use strict";
  var form = document.querySelector("form.fact-filter");
  if (!form) { return; }
  var kind = document.getElementById("filter-kind");
  var year = document.getElementById("filter-year");
  var count = document.getElementById("filter-count");
  var facts = Array.prototype.slice.call(document.querySelectorAll("li.fact[data-kind]"));
  var groups = Array.prototype.slice.call(document.querySelectorAll(".fact-group"));

  function apply() {
    var shown = 0;
    facts.forEach(function (li) {
      var keep = (!kind.value || li.dataset.kind === kind.value) && (!year.value || li.dataset.year === year.value);
      li.hidden = !keep;
      if (keep) { shown += 1; }
    });
    groups.forEach(function (group) {
      group.hidden = !group.querySelector("li.fact:not([hidden])");
    });
    if (count) { count.textContent = shown + " of " + facts.length + " facts shown"; }
    // the address says what is shown, so that it can be shared or reloaded as it is
    var params = new URLSearchParams(window.location.search);
    [["kind", kind.value], ["year", year.value]].forEach(function (pair) {
      if (pair[1]) { params.set(pair[0], pair[1]); } else { params.delete(pair[0]); }
    });
    var query = params.toString();
    window.history.replaceState(null, "", window.location.pathname + (query ? "?" + query : "") + window.location.hash);
  }

  kind.addEventListener("change", apply);
  year.addEventListener("change", apply);
  form.addEventListener("submit", function (event) { event.preventDefault(); apply(); });
})();
