/* The query page: YASGUI on this service's /sparql, preset prefixes, one-click examples, and
 * result IRIs https://w3id.org/dipkg/id/X linked to this service's /id/X pages.
 * Everything it loads is served by the service itself: it works with no network. */
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("dipkg-config").textContent);
  var root = document.getElementById("yasgui");
  if (typeof window.Yasgui !== "function") {
    root.textContent = "The SPARQL editor could not be loaded.";
    return;
  }
  var endpoint = new URL(config.endpoint, window.location.href).href;

  // Offline: the class and property autocompleters ask lov.linkeddata.es, so they are off; the
  // prefix autocompleter reads this service's prefixes instead of prefix.cc.
  window.Yasqe.defaults.autocompleters = ["prefixes", "variables"];
  window.Yasqe.defaults.prefixCcApi = new URL(config.prefixesUrl, window.location.href).href;
  // Result links open in the same window (they are this site's pages, rewritten below).
  window.Yasr.plugins.table.defaults.openIriInNewWindow = false;

  var yasgui = new window.Yasgui(root, {
    persistenceId: "dipkg",
    requestConfig: { endpoint: endpoint, method: "POST" },
    copyEndpointOnNewTab: true,
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; } },
    yasqe: { value: config.defaultQuery },
    yasr: { prefixes: config.prefixes, defaultPlugin: "table" },
  });
  window.dipkgYasgui = yasgui;

  // An IRI of the graph, https://w3id.org/dipkg/id/X, is shown on this service at /id/X.
  function relink(node) {
    if (node.nodeType !== 1) return;
    var links = node.matches("a[href]") ? [node] : node.querySelectorAll("a[href]");
    for (var i = 0; i < links.length; i++) {
      var href = links[i].getAttribute("href");
      if (href && href.indexOf(config.idBase) === 0 && href.length > config.idBase.length) {
        links[i].setAttribute("href", config.pagesBase + href.slice(config.idBase.length));
        links[i].removeAttribute("target");
      }
    }
  }
  relink(root);
  new MutationObserver(function (mutations) {
    mutations.forEach(function (m) { m.addedNodes.forEach(relink); });
  }).observe(root, { childList: true, subtree: true });

  // One click: the example replaces the current tab's query and runs.
  document.querySelectorAll("button[data-example]").forEach(function (button) {
    button.addEventListener("click", function () {
      var example = config.examples[Number(button.getAttribute("data-example"))];
      var tab = yasgui.getTab();
      if (!example || !tab) return;
      if (tab.getEndpoint() !== endpoint) tab.setEndpoint(endpoint);
      tab.setQuery(example.query);
      tab.query().catch(function () { /* YASR shows the error */ });
      root.scrollIntoView({ block: "start" });
    });
  });
})();
