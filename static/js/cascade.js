/* Cascading region selects (routing/widgets.py). Without this script the form's "下一级"
   button does the same by reloading the page.
   One select per level, whatever the timing: only the answer for the latest change is used (an
   earlier request's late answer is ignored, not aborted, so no request shows as failed), and the
   deeper levels are cleared again just before the new one is added (issue #17: quick district
   changes made three town selects, and picking from a stale one lost the place). */
(function () {
  "use strict";
  function makeLevel(box, index, label, options) {
    var name = box.dataset.cascadeName;
    var col = document.createElement("div");
    col.className = "col-sm-6 col-lg-3";
    col.dataset.level = index;
    var lab = document.createElement("label");
    lab.className = "form-label small mb-1";
    lab.htmlFor = "id_" + name + "_" + index;
    lab.textContent = label;
    var select = document.createElement("select");
    select.className = "form-select";
    select.name = name + "_" + index;
    select.id = lab.htmlFor;
    var blank = document.createElement("option");
    blank.value = "";
    blank.textContent = box.dataset.placeholder;
    select.appendChild(blank);
    options.forEach(function (o) {
      var opt = document.createElement("option");
      opt.value = o.code;
      opt.textContent = o.name;
      select.appendChild(opt);
    });
    col.appendChild(lab);
    col.appendChild(select);
    box.appendChild(col);
  }
  function clearBelow(box, index) {
    box.querySelectorAll("[data-level]").forEach(function (c) {
      if (parseInt(c.dataset.level, 10) > index) c.remove();
    });
  }
  function onChange(box, event) {
    var col = event.target.closest("[data-level]");
    if (!col) return;
    var index = parseInt(col.dataset.level, 10);
    var select = event.target;
    clearBelow(box, index);
    var ticket = (box._ykTicket || 0) + 1;  // the answer for an earlier choice is not wanted
    box._ykTicket = ticket;
    var code = select.value;
    if (!code) { box.removeAttribute("aria-busy"); return; }
    box.setAttribute("aria-busy", "true");
    fetch(box.dataset.childrenUrl + "?parent=" + encodeURIComponent(code), {headers: {"Accept": "application/json"}})
      .then(function (r) { return r.ok ? r.json() : {children: []}; })
      .then(function (data) {
        // Stale: another change came after this one, or the select no longer holds this value.
        if (box._ykTicket !== ticket || select.value !== code || !select.isConnected) return;
        clearBelow(box, index);
        if (data.children && data.children.length) makeLevel(box, index + 1, data.level_label, data.children);
      })
      .catch(function () {})
      .then(function () {
        if (box._ykTicket === ticket) box.removeAttribute("aria-busy");
      });
  }
  document.querySelectorAll(".yk-cascade").forEach(function (box) {
    box.addEventListener("change", function (e) { onChange(box, e); });
    var form = box.closest("form");
    if (form) form.querySelectorAll("[data-cascade-nojs]").forEach(function (el) { el.hidden = true; });
  });
})();
