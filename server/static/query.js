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

  // Offline: YASQE's own class and property autocompleters ask lov.linkeddata.es, so they are
  // replaced by forks that ask this service's /api/terms (the dataset's class and property
  // partitions, with labels); the prefix autocompleter reads this service's prefixes, not prefix.cc.
  var termsPromise = null;
  function terms() {
    if (!termsPromise) {
      termsPromise = fetch(new URL(config.termsUrl, window.location.href).href, { headers: { Accept: "application/json" } })
        .then(function (response) { if (!response.ok) throw new Error(response.statusText); return response.json(); });
      termsPromise.catch(function () { termsPromise = null; });
    }
    return termsPromise;
  }
  function localName(iri) { return iri.replace(/^.*[#/]/, ""); }
  function ownCompleter(base, list) {
    window.Yasqe.forkAutocompleter(base, {
      name: "dipkg-" + base,
      bulk: false,
      autoShow: true,   // local and cheap (one /api/terms per page), so shown as one types
      persistenceId: null,
      // token.autocompletionString is the typed term with its prefix expanded ("dip:Mee" ->
      // "https://w3id.org/dipkg/ontology#Mee"); a bare word matches local names and labels
      get: function (yasqe, token) {
        var typed = ((token && token.autocompletionString) || "").toLowerCase();
        return terms().then(function (all) {
          return all[list].filter(function (term) {
            if (!typed) return true;
            return term.iri.toLowerCase().indexOf(typed) === 0 || localName(term.iri).toLowerCase().indexOf(typed) === 0 ||
              (term.label || "").toLowerCase().indexOf(typed) === 0;
          }).slice(0, 50).map(function (term) { return term.iri; });
        }).catch(function () { return []; });
      },
      // shown as "dip:Meeting — meeting (29)"; written as a prefixed name where the query
      // declares the prefix, else as <IRI>
      postprocessHints: function (yasqe, hints) {
        return terms().then(function (all) {
          var byIri = {};
          all[list].forEach(function (term) { byIri[term.iri] = term; });
          var declared = yasqe.getPrefixesFromQuery();
          return hints.map(function (hint) {
            var iri = hint.text.replace(/^<|>$/g, "");
            if (hint.text.charAt(0) !== "<") {
              Object.keys(declared).forEach(function (p) {
                if (hint.text.indexOf(p + ":") === 0) iri = declared[p] + hint.text.slice(p.length + 1);
              });
            } else {
              Object.keys(declared).forEach(function (p) {
                var ns = declared[p];
                var rest = iri.slice(ns.length);
                if (iri.indexOf(ns) === 0 && /^[A-Za-z_][\w-]*$/.test(rest)) hint.text = p + ":" + rest;
              });
            }
            var term = byIri[iri];
            var count = term ? (list === "classes" ? term.entities : term.triples) : null;
            hint.displayText = hint.text + (term && term.label ? " — " + term.label : "") + (count ? " (" + count + ")" : "");
            hint.className = "dipkg-term";
            return hint;
          });
        }, function () { return hints; });
      },
    }, false);
  }
  ownCompleter("class", "classes");
  ownCompleter("property", "properties");
  window.Yasqe.defaults.autocompleters = ["prefixes", "variables", "dipkg-class", "dipkg-property"];
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

  // YASR's "Simple view" (plain values, not RDF syntax) unless the reader switched it off.
  function simpleView(tab) {
    var table = tab && tab.getYasr() && tab.getYasr().plugins.table;
    if (table && table.persistentConfig && table.persistentConfig.compact === undefined) {
      table.persistentConfig.compact = true;
    }
  }
  simpleView(yasgui.getTab());

  // The query each tab last ran: its rows' sources are asked for that query, not the editor's text.
  var ran = {};
  var traced = {};
  yasgui.on("query", function (instance, tab) {
    simpleView(tab);
    ran[tab.getId()] = tab.getQuery();
    delete traced[tab.getId()];
  });

  // Per-answer provenance, asked once per run and only when a reader opens a row's sources: the
  // same query with provenance=true (SPARQL JSON with one "provenance" entry per solution).
  function provenanceOf(tab) {
    var id = tab.getId();
    if (!traced[id]) {
      var body = new URLSearchParams({ query: ran[id] || tab.getQuery(), provenance: "true" });
      traced[id] = fetch(endpoint, {
        method: "POST", body: body,
        headers: { Accept: "application/sparql-results+json" },
      }).then(function (response) {
        if (!response.ok) return response.text().then(function (t) { throw new Error(t || response.statusText); });
        return response.json();
      }).then(function (json) { return json.provenance || []; });
      traced[id].catch(function () { delete traced[id]; });
    }
    return traced[id];
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function local(iri) {
    return iri && iri.indexOf(config.idBase) === 0 ? config.pagesBase + iri.slice(config.idBase.length) : null;
  }

  // One row's sources: each article (title, publisher, date) with its sentences highlighted, each
  // linked to the sentence's #span- anchor on the article page; then what could not be traced.
  function renderSources(entry) {
    var box = el("div", "row-sources");
    (entry.sources || []).forEach(function (source) {
      var figure = el("figure", "source");
      var page = local(source.article);
      (source.sentences || []).forEach(function (sentence) {
        var quote = el("blockquote");
        var mark = el("mark", null, sentence.text);
        var anchor = local(sentence.span);
        if (page && anchor) {
          var link = el("a");
          link.href = page + "#" + sentence.span.slice(config.idBase.length);
          link.appendChild(mark);
          quote.appendChild(link);
        } else {
          quote.appendChild(mark);
        }
        figure.appendChild(quote);
      });
      var caption = el("figcaption");
      var title = el(page ? "a" : "span", null, source.title || source.article);
      if (page) title.href = page;
      caption.appendChild(title);
      var meta = [source.publisher, source.issued].filter(Boolean).join(", ");
      if (meta) caption.appendChild(document.createTextNode(", " + meta));
      figure.appendChild(caption);
      box.appendChild(figure);
    });
    (entry.registry || []).forEach(function (item) {
      box.appendChild(el("p", "registry", "From " + item.source + ": " + item.triple.join(" ")));
    });
    (entry.untraced || []).forEach(function (item) {
      box.appendChild(el("p", "untraced", item.reason + (item.message ? ": " + item.message : "")));
    });
    if (!box.childNodes.length) box.appendChild(el("p", "untraced", "No source is recorded for this row."));
    return box;
  }

  function toggleSources(button, row) {
    var open = row.nextElementSibling;
    if (open && open.classList.contains("sources-row")) {
      open.remove();
      button.setAttribute("aria-expanded", "false");
      return;
    }
    var tab = yasgui.getTab();
    var index = Number(button.getAttribute("data-row"));
    var detail = el("tr", "sources-row");
    var cell = el("td", null, "Looking up the sources…");
    cell.colSpan = row.children.length;
    detail.appendChild(cell);
    row.after(detail);
    button.setAttribute("aria-expanded", "true");
    provenanceOf(tab).then(function (entries) {
      cell.textContent = "";
      cell.appendChild(entries[index] ? renderSources(entries[index])
                                      : el("p", "untraced", "No provenance was given for this row."));
    }).catch(function (err) {
      cell.textContent = "The sources could not be looked up: " + err.message;
    });
  }

  // A "sources" control in the first cell of every result row; the row's place among the
  // solutions comes from DataTables (its data index), so it survives sorting and paging.
  function solutionIndex(row) {
    var tab = yasgui.getTab();
    var table = tab && tab.getYasr() && tab.getYasr().plugins.table;
    var api = table && table.dataTable;
    if (!api || typeof api.row !== "function") return -1;
    var index = api.row(row).index();
    return typeof index === "number" ? index : -1;
  }

  function addSourceControls() {
    root.querySelectorAll(".yasr table.dataTable tbody tr").forEach(function (row) {
      if (row.classList.contains("sources-row") || row.querySelector("button.sources")) return;
      var first = row.querySelector("td");
      var index = solutionIndex(row);
      if (!first || index < 0) return;
      var button = el("button", "sources", "sources");
      button.type = "button";
      button.setAttribute("data-row", String(index));
      button.setAttribute("aria-expanded", "false");
      button.title = "The sentences this row comes from";
      button.addEventListener("click", function () { toggleSources(button, row); });
      first.appendChild(button);
    });
  }

  var WIKIDATA = /^https?:\/\/www\.wikidata\.org\/entity\/(Q[0-9]+)$/;
  // An IRI of the graph, https://w3id.org/dipkg/id/X, is shown on this service at /id/X; a
  // Wikidata IRI links to the item's page.
  function relink(node) {
    if (node.nodeType !== 1) return;
    var links = node.matches("a[href]") ? [node] : node.querySelectorAll("a[href]");
    for (var i = 0; i < links.length; i++) {
      var href = links[i].getAttribute("href");
      if (href && href.indexOf(config.idBase) === 0 && href.length > config.idBase.length) {
        links[i].setAttribute("href", config.pagesBase + href.slice(config.idBase.length));
        links[i].removeAttribute("target");
      } else if (href && WIKIDATA.test(href)) {
        // a Wikidata item: its page on wikidata.org (the entity IRI only redirects there)
        var qid = href.match(WIKIDATA)[1];
        links[i].setAttribute("href", "https://www.wikidata.org/wiki/" + qid);
        links[i].setAttribute("target", "_blank");
        links[i].setAttribute("rel", "noopener");
        links[i].classList.add("wikidata");
        links[i].title = "Wikidata item " + qid;
      }
    }
  }
  relink(root);
  new MutationObserver(function (mutations) {
    mutations.forEach(function (m) { m.addedNodes.forEach(relink); });
    addSourceControls();
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
