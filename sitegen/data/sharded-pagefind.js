// pagefind/pagefind.js of a site built by sitegen: Pagefind's JavaScript API over the sharded search index.
//
// The build writes one Pagefind bundle per shard (a year, or part of a busy year) and lists them, newest
// first, in shards.json beside this file: {"format": 1, "shards": [{"name": "2024", "bundle": "2024-5f0c…/",
// "first": "2024-01-01", "last": "2024-12-31", "pages": 412, "bytes": 1203311}, …]}. This module answers
// like one whole index, so Pagefind's own UI (bundlePath: "/pagefind/") and any script written for
// Pagefind's API (import("/pagefind/pagefind.js"); options, search, debouncedSearch, preload, filters)
// work unchanged.
//
// Pagefind's own mergeIndex would rank each shard's results with that shard's statistics (a word rare in one
// year scores higher there) and ignore a word in a shard that lacks it (so "oil prices" would list every page
// of that year saying "prices"). Here each shard is searched by its own Pagefind instance; a word's document
// frequency is summed over the shards; each word's share of a page's score is moved from the shard's BM25
// IDF to the archive's; and a shard that lacks a word other shards have contributes no results, as in one
// whole index. Result counts and filter counts add up over the shards. On a site of several languages only the
// shards of the page's language edition (the manifest's "lang") are searched. With a sort (e.g. {date: "desc"}),
// the shards' results are concatenated in date order, each shard's already sorted.

const here = new URL(".", import.meta.url);
let settings = {};
let opened = null;
let ticket = 0;

// Pagefind's own normalisation of a query (see its search()), so the words are those it looks up.
function wordsOf(term) {
  return term.toLowerCase().trim().replace(/[.`~!@#$%^&*(){}[\]\\|:;'",<>/?-]/g, "").replace(/\s{2,}/g, " ")
    .trim().split(" ").filter(Boolean);
}

// BM25's inverse document frequency, as Pagefind computes it.
function idf(pages, containing) {
  return Math.log((pages - containing + 0.5) / (containing + 0.5) + 1);
}

function addCounts(target, counts) {
  for (const [name, values] of Object.entries(counts || {})) {
    const into = target[name] || (target[name] = {});
    for (const [value, count] of Object.entries(values)) into[value] = (into[value] || 0) + count;
  }
  return target;
}

function zeroed(counts) {
  return Object.fromEntries(Object.entries(counts || {}).map(([name, values]) =>
    [name, Object.fromEntries(Object.keys(values).map((value) => [value, 0]))]));
}

function shardOptions() {
  const copy = { ...settings };
  delete copy.basePath;  // each shard keeps its own bundle
  return copy;
}

// The page's language: on a site of several languages each shard holds one edition (its "lang"), and a
// search page searches only its own edition's shards, as Pagefind itself picks the index of the page's language.
function pageLanguage() {
  const code = settings.language || (typeof document !== "undefined" && document.documentElement.lang) || "";
  return code.toLowerCase();
}

function ofThisEdition(shard) {
  if (!shard.lang) return true;
  const lang = pageLanguage();
  const own = shard.lang.toLowerCase();
  return own === lang || own === lang.split("-")[0];
}

// The manifest, and one Pagefind instance per shard: the query string makes each import its own module.
function open() {
  if (!opened) {
    opened = fetch(new URL("shards.json", here))
      .then((response) => (response.ok ? response.json() : Promise.reject(new Error("no shards.json"))))
      .then((manifest) => Promise.all(manifest.shards.filter(ofThisEdition).map(async (shard) => {
        const module = await import(new URL(`${shard.bundle}pagefind.js?shard=${encodeURIComponent(shard.name)}`, here));
        await module.options(shardOptions());
        return { name: shard.name, pages: shard.pages, module };
      })));
  }
  return opened;
}

export async function options(newOptions) {
  settings = { ...settings, ...newOptions };
  if (opened) await Promise.all((await opened).map((part) => part.module.options(shardOptions())));
}

export async function init() {
  await open();
}

export async function mergeIndex() {
  console.warn("sitegen: the shards of this index are merged already; mergeIndex is ignored");
}

export async function filters() {
  const parts = await open();
  const all = await Promise.all(parts.map((part) => part.module.filters()));
  return all.reduce(addCounts, {});
}

export async function preload(term, searchOptions = {}) {
  const parts = await open();
  await Promise.all(parts.map((part) => part.module.preload(term, { ...searchOptions })));
}

export async function debouncedSearch(term, searchOptions = {}, wait = 300) {
  const mine = ++ticket;
  preload(term, searchOptions);
  await new Promise((resolve) => setTimeout(resolve, wait));
  if (mine !== ticket) return null;
  const found = await search(term, searchOptions);
  return mine === ticket ? found : null;
}

// One shard's answer: the search itself, and per word the pages it matches there with their scores.
async function searchShard(part, term, searchOptions, words, exact) {
  const main = part.module.search(term, { ...searchOptions });
  const alone = words.length > 1 && !exact;
  const perWord = words.map(async (word) => {
    const found = await (alone ? part.module.search(word, {}) : main);
    const scores = new Map((found ? found.results : []).map((result) => [result.id, result.score]));
    return { count: found ? found.unfilteredResultCount : 0, scores };
  });
  return { part, found: await main, words: await Promise.all(perWord) };
}

function rescaled(result, answer, words, everywhere, total) {
  let plain = 0;
  let corrected = 0;
  words.forEach((_, i) => {
    const own = answer.words[i];
    const raw = own.scores.get(result.id);
    if (raw === undefined || !own.count) return;
    plain += raw;
    corrected += raw * idf(total, everywhere[i]) / idf(answer.part.pages, own.count);
  });
  return plain > 0 ? result.score * corrected / plain : result.score;
}

export async function search(term, searchOptions = {}) {
  const parts = await open();
  const words = term === null ? [] : wordsOf(term);
  const exact = term !== null && /^\s*".+"\s*$/.test(term);
  const total = parts.reduce((sum, part) => sum + part.pages, 0);
  let answers = await Promise.all(parts.map((part) => searchShard(part, term, searchOptions, words, exact)));
  const everywhere = words.map((_, i) => answers.reduce((sum, answer) => sum + answer.words[i].count, 0));
  const sort = Object.keys(searchOptions.sort || {})[0];
  if (sort && searchOptions.sort[sort] === "asc") answers = answers.slice().reverse();  // shards are newest first
  const results = [];
  let unfiltered = 0;
  const filterCounts = {};
  const totalFilters = {};
  for (const answer of answers) {
    const found = answer.found;
    if (!found) continue;
    // In one whole index a word found anywhere must match: a shard without it has no results (its filter
    // values still show, with nothing counted).
    if (words.some((_, i) => answer.words[i].count === 0 && everywhere[i] > 0)) {
      addCounts(filterCounts, zeroed(found.filters));
      addCounts(totalFilters, zeroed(found.totalFilters));
      continue;
    }
    unfiltered += found.unfilteredResultCount;
    addCounts(filterCounts, found.filters);
    addCounts(totalFilters, found.totalFilters);
    for (const result of found.results) {
      const score = words.length && !exact ? rescaled(result, answer, words, everywhere, total) : result.score;
      results.push({ ...result, score, shard: answer.part.name });
    }
  }
  if (!sort) results.sort((a, b) => b.score - a.score);
  return { results, unfilteredResultCount: unfiltered, filters: filterCounts, totalFilters };
}

export async function destroy() {
  if (opened) await Promise.all((await opened).map((part) => part.module.destroy && part.module.destroy()));
  opened = null;
}
