// The search page: a small interface over Pagefind's JavaScript API (pagefind.js), written for this theme.
// Why not Pagefind's own UI: it indexes and shows what it is given as HTML, loads eagerly, and offers no
// type-to-filter or newest-first order. Here:
// - Pagefind loads only when it is needed (the box gets focus, or the URL already holds a search), after the
//   first paint, so the page itself is ready at once;
// - everything that comes from the index (titles, summaries, names of topics and authors) is written with
//   textContent, never as HTML, so a topic named `<img onerror=…>` is shown as exactly those characters;
// - the search lives in the URL (/search/?q=oil&topic=Energy&sort=newest): it can be bookmarked and shared, and
//   clearing the box clears it from the URL;
// - several index bundles (one per year, say) are searched as one: data-bundles lists them, the first one
//   loads pagefind.js and the others are merged into it.
(function () {
  "use strict";

  var FACETS = ["topic", "author", "year", "story"];
  // Every word this script shows comes from the page (data-words, JSON), which the theme fills from the
  // language's catalog: texts by key, and plural messages as their CLDR forms ({one: …, other: …}), picked here
  // with Intl.PluralRules for the page's language. Numbers and dates are written in the page's language and digits
  // (data-digits), dates with the catalog's own pattern ("d MMMM y"), as the rest of the site writes them.
  var WORDS = {};
  var PER_PAGE = 10;
  var TOP_VALUES = 8;
  var TYPED_VALUES = 40;
  var WORD = /[\p{L}\p{N}]+/gu;

  var root, input, status, list, more, facetsBox, filtersBox, lang;
  var state = { q: "", sort: "", chosen: {} };
  var pagefind = null, loading = null, response = null, shown = 0, ticket = 0, typingTimer = 0;
  var facetParts = {};
  var lastMonth = null, currentList = null;

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  var numbers = null, years = null, plurals = null;

  function number(value) { return numbers.format(Number(value)); }

  // A message with its {placeholders} filled in; {count} is written as a number of the page's language.
  function say(key, values, form) {
    var text = WORDS["search_" + key];
    if (text && typeof text === "object") text = text[form] || text.other;
    text = text || "";
    return text.replace(/\{(\w+)\}/g, function (whole, name) {
      if (!values || !(name in values)) return whole;
      return name === "count" ? number(values.count) : String(values[name]);
    });
  }

  function sayCount(key, count, values) {
    return say(key, Object.assign({ count: count }, values), plurals.select(count));
  }

  // --- the URL --------------------------------------------------------------------------------------

  function readUrl() {
    var params = new URLSearchParams(location.search);
    state.q = (params.get("q") || "").trim();
    state.sort = params.get("sort") === "newest" ? "newest" : "";
    FACETS.forEach(function (facet) {
      state.chosen[facet] = params.getAll(facet).filter(Boolean);
    });
  }

  function writeUrl() {
    var params = new URLSearchParams();
    var query = input.value.trim();
    if (query) params.set("q", query);
    FACETS.forEach(function (facet) {
      state.chosen[facet].forEach(function (value) { params.append(facet, value); });
    });
    if (state.sort) params.set("sort", state.sort);
    var search = params.toString();
    history.replaceState(history.state, "", location.pathname + (search ? "?" + search : "") + location.hash);
  }

  function activeFilters() {
    var filters = {};
    FACETS.forEach(function (facet) {
      var values = state.chosen[facet];
      if (values.length) filters[facet] = { any: values.slice() };
    });
    return filters;
  }

  function filterCount() {
    return FACETS.reduce(function (sum, facet) { return sum + state.chosen[facet].length; }, 0);
  }

  // --- loading Pagefind -----------------------------------------------------------------------------

  function load() {
    if (!loading) {
      var bundles = root.getAttribute("data-bundles").split(/\s+/).filter(Boolean);
      loading = import(bundles[0] + "pagefind.js").then(function (module) {
        return Promise.resolve(module.options({ baseUrl: root.getAttribute("data-base"), excerptLength: 26 }))
          .then(function () {
            return bundles.slice(1).reduce(function (done, bundle) {
              return done.then(function () { return module.mergeIndex(bundle); });
            }, Promise.resolve());
          })
          .then(function () { pagefind = module; return module; });
      });
      loading.catch(unavailable);
    }
    return loading;
  }

  // Pagefind counts filter values with the results only once its filter data is loaded, and loading it is the
  // heaviest step on a large archive (every topic and author): it is loaded when the filters are in use or
  // shown (on a phone the filters panel starts closed, so the first results come without it).
  var filtersLoaded = null;

  function loadFilters() {
    if (!filtersLoaded) {
      filtersLoaded = load().then(function (module) { return module.filters(); });
    }
    return filtersLoaded;
  }

  function needsFilters() {
    return filterCount() > 0 || filtersBox.open;
  }

  function unavailable() {
    root.hidden = true;
    document.querySelector(".search-layout").hidden = true;
    document.getElementById("search-unavailable").hidden = false;
  }

  // --- searching ------------------------------------------------------------------------------------

  function search() {
    var mine = ++ticket;
    var query = input.value.trim();
    var filters = activeFilters();
    if (!query && !filterCount()) {
      response = null;
      clearResults();
      status.textContent = "";
      if (pagefind && needsFilters()) loadFilters().then(function (totals) { if (mine === ticket) renderFacets(totals); });
      return Promise.resolve();
    }
    status.textContent = say("searching");
    return load().then(function (module) {
      return needsFilters() ? loadFilters().then(function () { return module; }) : module;
    }).then(function (module) {
      var options = { filters: filters };
      if (state.sort === "newest") options.sort = { date: "desc" };
      return module.search(query || null, options);
    }).then(function (found) {
      if (mine !== ticket || !found) return;
      response = found;
      response.query = query;
      clearResults();
      renderFacets(found.filters || {});
      return showMore(mine);
    });
  }

  function schedule() {
    clearTimeout(typingTimer);
    typingTimer = setTimeout(search, 180);
  }

  function clearResults() {
    list.textContent = "";
    shown = 0;
    lastMonth = null;
    currentList = null;
    more.hidden = true;
  }

  function showMore(mine) {
    var batch = response.results.slice(shown, shown + PER_PAGE);
    return Promise.all(batch.map(function (result) { return result.data(); })).then(function (items) {
      if (mine !== ticket) return;
      var words = terms(response.query);
      items.forEach(function (data) { appendResult(data, words); });
      shown += items.length;
      more.hidden = shown >= response.results.length;
      status.textContent = describe(response.results.length, response.query);
    });
  }

  function describe(total, query) {
    var what = query ? say("what_query", { query: query }) : say("what_filters");
    if (!total) return say(filterCount() ? "none_filtered" : "none", { what: what });
    return say("status", {
      results: sayCount("results_count", total, { what: what }),
      order: say(state.sort === "newest" ? "order_newest" : "order_relevance"),
      showing: total > shown ? say("showing", { count: shown }) : ""
    });
  }

  // --- one result -----------------------------------------------------------------------------------

  function terms(query) {
    return (query.toLowerCase().match(WORD) || []);
  }

  function matches(word, words) {
    var lower = word.toLowerCase();
    return words.some(function (term) { return lower.startsWith(term) || (lower.length >= 4 && term.startsWith(lower)); });
  }

  // The text with every word that the query matched wrapped in <mark>; built from text nodes only.
  function marked(text, words) {
    var fragment = document.createDocumentFragment();
    var at = 0, hits = 0, found;
    WORD.lastIndex = 0;
    while ((found = WORD.exec(text)) !== null) {
      if (!words.length || !matches(found[0], words)) continue;
      fragment.appendChild(document.createTextNode(text.slice(at, found.index)));
      fragment.appendChild(element("mark", "", found[0]));
      at = found.index + found[0].length;
      hits++;
    }
    fragment.appendChild(document.createTextNode(text.slice(at)));
    fragment.hits = hits;
    return fragment;
  }

  function safeHref(url) {
    try {
      var parsed = new URL(url, location.href);
      return parsed.protocol === "http:" || parsed.protocol === "https:" ? url : "#";
    } catch (error) {
      return "#";
    }
  }

  // The day of a result from its `day` metadata (20200314), written the way the site writes dates: 14 March 2020.
  function dayOf(meta) {
    var digits = String(meta.day || "");
    if (!/^\d{8}$/.test(digits)) return null;
    var when = new Date(Date.UTC(+digits.slice(0, 4), +digits.slice(4, 6) - 1, +digits.slice(6, 8), 12));
    return {
      iso: digits.slice(0, 4) + "-" + digits.slice(4, 6) + "-" + digits.slice(6, 8),
      text: formatDate(when, WORDS.date),
      monthKey: digits.slice(0, 6),
      monthText: formatDate(when, WORDS.month_year)
    };
  }

  // A CLDR date pattern's day (d), month name (MMMM; LLLL standing alone), year (y) and 'quoted' text.
  function formatDate(when, pattern) {
    var utc = { timeZone: "UTC" };
    return String(pattern || "d MMMM y").replace(/'([^']*)'|d+|[ML]{3,}|y+/g, function (token, quoted) {
      if (quoted !== undefined) return quoted;
      if (token[0] === "d") return number(when.getUTCDate());
      if (token[0] === "y") return years.format(when.getUTCFullYear());
      var standalone = token[0] === "L";
      var month = when.toLocaleDateString(lang, Object.assign({ month: token.length > 3 ? "long" : "short" }, utc));
      if (standalone) return month;
      // the month as it reads inside a date (Arabic and French: the same word; Russian: the genitive)
      var parts = new Intl.DateTimeFormat(lang, Object.assign({ day: "numeric", month: token.length > 3 ? "long" : "short" }, utc))
        .formatToParts(when).filter(function (part) { return part.type === "month"; });
      return parts.length ? parts[0].value : month;
    });
  }

  function listOf(names) {
    try { return new Intl.ListFormat(lang, { type: "conjunction" }).format(names); }
    catch (error) { return names.join(", "); }
  }

  function targetList(day) {
    if (state.sort !== "newest") {
      if (!currentList) currentList = list.appendChild(element("ol", "results"));
      return currentList;
    }
    var key = day ? day.monthKey : "";
    if (!currentList || key !== lastMonth) {
      lastMonth = key;
      if (day) list.appendChild(element("h2", "results-month", day.monthText));
      currentList = list.appendChild(element("ol", "results"));
    }
    return currentList;
  }

  function appendResult(data, words) {
    var meta = data.meta || {};
    var item = element("li", "result");
    var heading = element(state.sort === "newest" ? "h3" : "h2", "result-title");
    var link = element("a", "result-link");
    link.setAttribute("href", safeHref(data.url));
    link.appendChild(marked(meta.title || data.url, words));
    heading.appendChild(link);
    item.appendChild(heading);

    var line = element("p", "result-meta");
    var day = dayOf(meta);
    if (day) {
      var time = element("time", "", day.text);
      time.setAttribute("datetime", day.iso);
      line.appendChild(time);
    }
    var authors = (data.filters && data.filters.author) || [];
    if (authors.length) line.appendChild(element("span", "result-author", listOf(authors)));
    item.appendChild(line);

    var summary = marked(meta.summary || "", words);
    var titleHits = link.querySelector("mark") !== null;
    if (meta.summary) {
      var excerpt = element("p", "result-excerpt");
      excerpt.appendChild(summary);
      item.appendChild(excerpt);
    }
    // The summary did not show why it matched: add the passage of the text that did, as plain text.
    if (!summary.hits && !titleHits && data.plain_excerpt) {
      var context = element("p", "result-context");
      context.appendChild(document.createTextNode("… "));
      context.appendChild(marked(data.plain_excerpt, words));
      context.appendChild(document.createTextNode(" …"));
      item.appendChild(context);
    }
    targetList(day).appendChild(item);
  }

  // --- filters ----------------------------------------------------------------------------------------

  function buildFacets() {
    FACETS.forEach(function (name) {
      var box = element("fieldset", "facet facet-" + name);
      box.appendChild(element("legend", "facet-name", say("facet_" + name)));
      var find = element("input", "facet-find");
      find.type = "search";
      find.autocomplete = "off";
      find.setAttribute("aria-label", say("find_" + name));
      find.placeholder = say("find_placeholder");
      find.hidden = true;
      find.addEventListener("input", function () { renderFacet(name); });
      var values = element("ul", "facet-values");
      box.appendChild(find);
      box.appendChild(values);
      box.hidden = true;
      facetsBox.appendChild(box);
      facetParts[name] = { box: box, find: find, values: values, counts: {} };
    });
  }

  function renderFacets(counts) {
    FACETS.forEach(function (name) {
      facetParts[name].counts = counts[name] || {};
      renderFacet(name);
    });
    var active = filterCount();
    filtersBox.querySelector(".search-filters-count").textContent = active ? say("filters_on", { count: active }) : "";
  }

  // The chosen values first, then the values with most briefings; typing in the facet's box finds any value.
  function renderFacet(name) {
    var part = facetParts[name];
    var chosen = state.chosen[name];
    var typed = part.find.value.trim().toLowerCase();
    var entries = Object.keys(part.counts).map(function (value) { return [value, part.counts[value]]; });
    var all = entries.length;
    entries = entries.filter(function (entry) { return chosen.indexOf(entry[0]) < 0 && entry[1] > 0; });
    if (typed) entries = entries.filter(function (entry) { return entry[0].toLowerCase().indexOf(typed) >= 0; });
    entries.sort(function (a, b) {
      return name === "year" && !typed ? b[0].localeCompare(a[0]) : b[1] - a[1] || a[0].localeCompare(b[0], lang);
    });
    entries = entries.slice(0, typed ? TYPED_VALUES : TOP_VALUES);
    var rows = chosen.map(function (value) { return [value, part.counts[value] || 0]; }).concat(entries);
    part.values.textContent = "";
    rows.forEach(function (row) {
      var item = element("li", "facet-value");
      var label = element("label");
      var box = element("input");
      box.type = "checkbox";
      box.name = name;
      box.value = row[0];
      box.checked = chosen.indexOf(row[0]) >= 0;
      box.addEventListener("change", function () { toggle(name, row[0], box.checked); });
      label.appendChild(box);
      label.appendChild(element("span", "facet-label", name === "year" && /^\d+$/.test(row[0]) ? years.format(+row[0]) : row[0]));
      label.appendChild(element("span", "facet-count", number(row[1])));
      item.appendChild(label);
      part.values.appendChild(item);
    });
    if (typed && !rows.length) part.values.appendChild(element("li", "facet-none", say("none_by_name")));
    part.find.hidden = all <= TOP_VALUES;
    part.box.hidden = all === 0 && !chosen.length;
  }

  function toggle(name, value, on) {
    var values = state.chosen[name].filter(function (v) { return v !== value; });
    if (on) values.push(value);
    state.chosen[name] = values;
    writeUrl();
    search();
  }

  // --- start ------------------------------------------------------------------------------------------

  // The page is shown and usable before the index is fetched: work starts once the first content is painted.
  function afterFirstPaint(callback) {
    var started = false;
    function go() {
      if (started) return;
      started = true;
      setTimeout(callback, 0);
    }
    try {
      new PerformanceObserver(function (list, observer) {
        if (!list.getEntriesByName("first-contentful-paint").length) return;
        observer.disconnect();
        go();
      }).observe({ type: "paint", buffered: true });
    } catch (error) { /* no paint timing: the fallback below starts it */ }
    setTimeout(go, 1500);
  }

  function start() {
    root = document.getElementById("search");
    if (!root) return;
    lang = document.documentElement.lang || undefined;
    try {
      WORDS = JSON.parse(root.getAttribute("data-words") || "{}");
    } catch (error) { WORDS = {}; /* a broken attribute: the interface shows no words rather than failing */ }
    var digits = root.getAttribute("data-digits") || undefined;
    try {
      numbers = new Intl.NumberFormat(lang, { numberingSystem: digits });
      years = new Intl.NumberFormat(lang, { numberingSystem: digits, useGrouping: false });
    } catch (error) {
      numbers = new Intl.NumberFormat(lang);
      years = new Intl.NumberFormat(lang, { useGrouping: false });
    }
    plurals = new Intl.PluralRules(lang);
    input = document.getElementById("search-q");
    status = document.getElementById("search-status");
    list = document.getElementById("search-list");
    more = document.getElementById("search-more");
    facetsBox = document.getElementById("search-facets");
    filtersBox = document.getElementById("search-filters");
    readUrl();
    input.value = state.q;
    root.querySelectorAll("input[name=sort]").forEach(function (radio) {
      radio.checked = radio.value === state.sort;
      radio.addEventListener("change", function () {
        if (!radio.checked) return;
        state.sort = radio.value;
        writeUrl();
        search();
      });
    });
    if (window.matchMedia("(min-width: 52rem)").matches) filtersBox.open = true;
    filtersBox.addEventListener("toggle", function () {
      if (filtersBox.open && !filtersLoaded && pagefind) search();
    });
    buildFacets();

    input.addEventListener("focus", function () { load().then(function () { if (!response && !input.value.trim()) search(); }); });
    input.addEventListener("input", function () { writeUrl(); schedule(); });
    root.addEventListener("submit", function (event) {
      event.preventDefault();
      clearTimeout(typingTimer);
      writeUrl();
      search();
    });
    more.addEventListener("click", function () { showMore(ticket); });

    if (state.q || filterCount()) {
      afterFirstPaint(search);
    } else {
      input.focus();
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
