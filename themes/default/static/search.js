// The search page: Pagefind's Default UI, loaded from this site only, with the search kept in the URL
// (/search/?q=idlib&topic=Syria) so that a search can be bookmarked, shared and reached from the header form.
// The index lives in pagefind/ next to the pages; when a build had none, the page says so instead of failing.
(function () {
  "use strict";

  var FILTERS = ["topic", "author", "year"];

  function load(tag, attributes) {
    return new Promise(function (resolve, reject) {
      var element = document.createElement(tag);
      Object.keys(attributes).forEach(function (name) { element.setAttribute(name, attributes[name]); });
      element.onload = resolve;
      element.onerror = reject;
      document.head.appendChild(element);
    });
  }

  function filtersFrom(params) {
    var chosen = {};
    FILTERS.forEach(function (name) {
      var values = params.getAll(name).filter(Boolean);
      if (values.length) chosen[name] = values;
    });
    return chosen;
  }

  // Pagefind renders one checkbox per filter value, named after the filter (name="topic" value="Syria").
  function checkedFilters(root) {
    return Array.prototype.map.call(root.querySelectorAll("input[type=checkbox][name]:checked"), function (box) {
      return [box.name, box.value];
    });
  }

  function writeUrl(root) {
    var input = root.querySelector("input[type=search], .pagefind-ui__search-input");
    var params = new URLSearchParams();
    if (input && input.value.trim()) params.set("q", input.value.trim());
    checkedFilters(root).forEach(function (pair) { params.append(pair[0], pair[1]); });
    var query = params.toString();
    history.replaceState(history.state, "", location.pathname + (query ? "?" + query : "") + location.hash);
  }

  function start(root) {
    var params = new URLSearchParams(location.search);
    var query = (params.get("q") || "").trim();
    var chosen = filtersFrom(params);
    var ui = new PagefindUI({
      element: "#" + root.id,
      bundlePath: root.dataset.bundle,
      baseUrl: root.dataset.base,
      showImages: false,
      showSubResults: false,
      showEmptyFilters: false,
      autofocus: !query,
      openFilters: Object.keys(chosen),
      translations: {
        placeholder: "Search briefings",
        zero_results: "No briefings match “[SEARCH_TERM]”. Try other or fewer words, or clear the filters."
      }
    });
    if (Object.keys(chosen).length) ui.triggerFilters(chosen);
    if (query) ui.triggerSearch(query);
    root.addEventListener("input", function () { writeUrl(root); });
    root.addEventListener("change", function () { writeUrl(root); });
  }

  function unavailable(root) {
    root.hidden = true;
    document.getElementById("search-unavailable").hidden = false;
  }

  document.addEventListener("DOMContentLoaded", function () {
    var root = document.getElementById("search");
    if (!root) return;
    var bundle = root.dataset.bundle;
    load("link", { rel: "stylesheet", href: bundle + "pagefind-ui.css" }).catch(function () {});
    load("script", { src: bundle + "pagefind-ui.js" })
      .then(function () { start(root); })
      .catch(function () { unavailable(root); });
  });
})();
