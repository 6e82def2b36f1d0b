// Live reload for `sitegen serve`. The preview server adds this script to the HTML it serves;
// files written by `sitegen build` never contain it.
//
// The script tag carries the server session and the build generation the page was served from.
// The server streams one "build" event per finished build, and the latest one on every (re)connect,
// so a build that ended while the page was loading is not missed. When the generation differs the
// page reloads, except when only stylesheets changed since its generation: then it swaps them in
// place. A new session (the server was restarted) always reloads.
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

  const events = new EventSource("/__sitegen/events");
  events.addEventListener("build", (event) => {
    const build = JSON.parse(event.data);
    const sameSession = build.session === session;
    if (sameSession && build.generation === generation) {
      return;
    }
    if (sameSession && build.ok && !isErrorPage && build.reloadFrom <= generation) {
      swapStylesheets(build.generation);
      generation = build.generation;
      return;
    }
    events.close();
    location.reload();
  });
})();
