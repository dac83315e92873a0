/* The citizen's claim form (intake/citizen/claim_form.html).
   - "根据描述推荐": as the description is typed, ask matter-suggest for up to three matter types
     and offer them as buttons that pick the type in the select. POST, so the text stays out of URLs.
   - Submit once: the button is disabled after the first click (the server also makes a second
     post of the same form land on the same claim).
   Without this script the form works the same, minus the suggestions. */
(function () {
  "use strict";
  var form = document.querySelector("form.yk-claim-form");
  if (!form) return;

  var box = document.getElementById("matter-suggestions");
  var description = form.querySelector("textarea[name=description]");
  var select = form.querySelector("select[name=matter]");
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]");

  function render(rows) {
    box.textContent = "";
    if (!rows.length) { box.hidden = true; return; }
    var label = document.createElement("span");
    label.className = "small yk-muted me-1";
    label.textContent = box.dataset.label;
    box.appendChild(label);
    rows.slice(0, 3).forEach(function (row) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "btn btn-sm btn-outline-primary";
      button.dataset.code = row.code;
      button.textContent = row.parent_name ? row.parent_name + " › " + row.name : row.name;
      if (select.value === row.code) button.classList.add("active");
      button.addEventListener("click", function () {
        select.value = row.code;
        select.dispatchEvent(new Event("change", {bubbles: true}));
        box.querySelectorAll("button").forEach(function (b) { b.classList.remove("active"); });
        button.classList.add("active");
        button.setAttribute("aria-pressed", "true");
      });
      box.appendChild(button);
    });
    box.hidden = false;
  }

  var timer = null;
  var lastText = null;
  function suggest() {
    var text = description.value.trim();
    if (text === lastText) return;
    lastText = text;
    if (text.length < 4) { render([]); return; }
    var body = new URLSearchParams();
    body.set("text", text.slice(0, 2000));
    fetch(box.dataset.suggestUrl, {
      method: "POST",
      headers: {"Accept": "application/json", "X-CSRFToken": csrf ? csrf.value : ""},
      body: body,
      credentials: "same-origin"
    })
      .then(function (r) { return r.ok ? r.json() : []; })
      .then(function (rows) { if (text === lastText) render(rows); })
      .catch(function () { render([]); });
  }
  if (box && description && select) {
    description.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(suggest, 350);
    });
    if (description.value.trim()) suggest();
  }

  form.addEventListener("submit", function (event) {
    var submitter = event.submitter;
    if (submitter && submitter.name === "next_level") return;
    if (form.dataset.sent === "1") { event.preventDefault(); return; }
    form.dataset.sent = "1";
    form.querySelectorAll("[data-submit-once]").forEach(function (button) {
      button.disabled = true;
      if (button.dataset.busyLabel) button.textContent = button.dataset.busyLabel;
    });
  });

  var errors = document.getElementById("form-errors");
  if (errors) errors.focus();
})();
