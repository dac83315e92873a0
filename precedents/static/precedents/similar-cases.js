/* 类案推荐: fill each [data-similar-url] panel with the server's (escaped) fragment once the panel
   comes into view, so a case page costs nothing until someone looks. Without JavaScript the
   panel's "查看类案" link opens the same search as a page. */
(function () {
  "use strict";
  var panels = document.querySelectorAll("[data-similar-url]");
  if (!panels.length) return;

  function load(panel) {
    if (panel.dataset.similarLoaded) return;
    panel.dataset.similarLoaded = "1";
    var body = panel.querySelector("[data-similar-body]");
    if (!body) return;
    body.setAttribute("aria-busy", "true");
    var waiting = document.createElement("p");
    waiting.className = "small yk-muted mb-0";
    waiting.textContent = "正在查找类案…";
    body.replaceChildren(waiting);
    fetch(panel.dataset.similarUrl, {credentials: "same-origin", headers: {"X-Requested-With": "fetch"}})
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.text(); })
      .then(function (html) { body.innerHTML = html; })
      .catch(function () {
        var p = document.createElement("p");
        p.className = "small text-danger mb-0";
        p.textContent = "类案暂时无法加载，请稍后刷新页面，或点击“查看类案”打开类案检索。";
        body.replaceChildren(p);
      })
      .finally(function () { body.setAttribute("aria-busy", "false"); });
  }

  if (!("IntersectionObserver" in window)) {
    panels.forEach(load);
    return;
  }
  var observer = new IntersectionObserver(function (entries) {
    entries.forEach(function (entry) {
      if (entry.isIntersecting) {
        observer.unobserve(entry.target);
        load(entry.target);
      }
    });
  }, {rootMargin: "200px"});
  panels.forEach(function (panel) { observer.observe(panel); });
})();
