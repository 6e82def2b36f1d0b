// Live reload for `sitegen serve`. The preview server adds this script to the HTML it serves;
// files written by `sitegen build` never contain it.
//
// The script tag carries the server session and the build generation the page was served from.
// The server streams one "build" event per finished build, and the latest one on every (re)connect,
// so a build that ended while the page was loading is not missed. When the generation differs:
// - only stylesheets changed since the page's generation: they are swapped in place;
// - otherwise the page is fetched again and, when nothing around its <main> changed (header,
//   footer, stylesheets, scripts), the new <main> and title are swapped in: the edit shows without
//   a reload, the scroll position stays, and no stylesheet or font is fetched again;
// - anything else (another session, a failed build, the error page, a page whose frame changed,
//   scripts inside <main>) reloads the page.
// While a build runs, an event may list the pages already written (an edited briefing's own page
// comes first): only the tabs showing one of them update then; the others wait for the build's end.
(() => {
  "use strict";
  const script = document.currentScript;
  const session = script.dataset.session;
  let generation = Number(script.dataset.generation);
  const isErrorPage = script.dataset.error === "1";

  function swapStylesheets(version) {
    for (const link of document.querySelectorAll('link[rel="stylesheet"]')) {
      const url = new URL(link.href, location.href);
      if (url.origin === location.origin) {
        url.searchParams.set("sitegen", String(version));
        link.href = url.href;
      }
    }
  }

  // Everything that shapes the page except its <main>, its title and what no one sees (meta tags,
  // JSON-LD, this script): when it is unchanged, swapping <main> gives exactly the new page.
  function frame(doc) {
    const head = [...doc.head.querySelectorAll("link, style, script:not([type='application/ld+json']), base")]
      .map((node) => node.outerHTML);
    const body = doc.body.cloneNode(true);
    body.querySelector("main")?.replaceChildren();
    body.querySelectorAll("script[data-generation]").forEach((node) => node.remove());
    return head.join("\n") + "\n" + body.innerHTML;
  }

  // Taken once the page is parsed: this script runs before the end of <body> has arrived.
  let pageFrame = null;
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", () => { pageFrame = frame(document); });
  } else {
    pageFrame = frame(document);
  }

  async function patch() {
    const answer = await fetch(location.href, { cache: "no-store" });
    if (!answer.ok) {
      return false;
    }
    const doc = new DOMParser().parseFromString(await answer.text(), "text/html");
    const fresh = doc.querySelector("main");
    const current = document.querySelector("main");
    if (!fresh || !current || pageFrame === null || frame(doc) !== pageFrame
        || fresh.querySelector("script:not([type='application/ld+json'])")) {
      return false;
    }
    if (fresh.innerHTML !== current.innerHTML) {
      current.replaceWith(document.adoptNode(fresh));
    }
    document.title = doc.title;
    return true;
  }

  let queue = Promise.resolve(true);
  function reload() {
    events.close();
    location.reload();
  }

  const events = new EventSource("/__sitegen/events");
  events.addEventListener("build", (event) => {
    const build = JSON.parse(event.data);
    const sameSession = build.session === session;
    if (sameSession && build.generation === generation) {
      return;
    }
    if (!sameSession || !build.ok || isErrorPage) {
      reload();
      return;
    }
    if (build.pages && !build.pages.includes(decodeURI(location.pathname))) {
      return;  // a build still running has written other pages so far: wait for it to finish
    }
    const stylesOnly = build.reloadFrom <= generation;
    generation = build.generation;
    if (stylesOnly) {
      swapStylesheets(build.generation);
      return;
    }
    queue = queue.then(patch).then((done) => done || reload(), reload);
  });
})();
