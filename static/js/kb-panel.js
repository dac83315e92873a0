/* 知识库 beside the intake forms (kb/_panel.html, kb/_tips.html).
   - Staff (window, hotline): as the description, matter or place change, POST them to the panel
     endpoint (debounced; POST keeps what the caller said out of URLs and logs) and show the HTML.
   - Citizens (claim form): when a matter is picked, show its 常见问答 / 办事指南.
   Only the answer to the latest request is shown. Without this script the forms work the same. */
(function () {
  "use strict";
  if (window.ykKbPanel) return;
  window.ykKbPanel = true;

  function regionCode(form) {
    var single = form.querySelector("[name=region]");
    if (single && single.tagName !== "DIV" && single.value) return single.value;
    var code = "";
    form.querySelectorAll("select[name^=region_]").forEach(function (s) { if (s.value) code = s.value; });
    return code;
  }

  function staffPanel(panel) {
    var form = panel.closest("form") || document.querySelector("form[data-suggest-url]");
    var body = panel.querySelector("[data-kb-panel-body]");
    if (!form || !body) return;
    var timer = null, seq = 0, last = null;
    function refresh() {
      var description = form.querySelector("[name=description]");
      var matter = form.querySelector("[name=matter]");
      var data = new URLSearchParams();
      data.set("description", description ? description.value.trim().slice(0, 2000) : "");
      data.set("matter", matter ? matter.value : "");
      data.set("region", regionCode(form));
      var key = data.toString();
      if (key === last) return;
      last = key;
      var mine = ++seq;
      var token = form.querySelector("[name=csrfmiddlewaretoken]");
      fetch(panel.dataset.kbPanelUrl, {
        method: "POST",
        body: data,
        headers: {"X-CSRFToken": token ? token.value : ""},
        credentials: "same-origin"
      })
        .then(function (r) { return r.text(); })
        .then(function (html) { if (mine === seq) body.innerHTML = html; })
        .catch(function () {});
    }
    function later() { clearTimeout(timer); timer = setTimeout(refresh, 400); }
    var description = form.querySelector("[name=description]");
    var matter = form.querySelector("[name=matter]");
    if (description) description.addEventListener("input", later);
    // On the element itself: the matter suggestions set it with a change event that does not bubble.
    if (matter) matter.addEventListener("change", later);
    form.addEventListener("change", function (e) {
      var name = e.target.name || "";
      if (name === "region" || name.indexOf("region_") === 0) later();
    });
    if ((description && description.value.trim()) || (matter && matter.value)) refresh();
  }

  function citizenTips(box) {
    var form = box.closest("form");
    var select = form && form.querySelector("select[name=matter]");
    var body = box.querySelector("[data-kb-tips-body]");
    if (!select || !body) return;
    var seq = 0;
    select.addEventListener("change", function () {
      var mine = ++seq;
      fetch(box.dataset.kbTipsUrl + "?matter=" + encodeURIComponent(select.value), {credentials: "same-origin"})
        .then(function (r) { return r.text(); })
        .then(function (html) { if (mine === seq) body.innerHTML = html; })
        .catch(function () {});
    });
  }

  function start() {
    document.querySelectorAll("[data-kb-panel]").forEach(staffPanel);
    document.querySelectorAll("[data-kb-tips]").forEach(citizenTips);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
