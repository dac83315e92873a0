/* Staff intake forms: matter suggestions from the description, the hotline caller's history,
   "attach to that case", and the grid worker's location. Everything also works without it. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-suggest-url]");
  if (!form) return;
  var description = form.querySelector("[name=description]");
  var matter = form.querySelector("[name=matter]");
  var box = form.querySelector("[data-matter-suggestions]");
  var timer = null;
  if (description && matter && box) {
    description.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var text = description.value.trim();
        if (text.length < 4) { box.textContent = ""; return; }
        var body = new FormData();
        body.append("text", text);
        var token = form.querySelector("[name=csrfmiddlewaretoken]");
        // POST keeps what people wrote out of URLs and access logs.
        fetch(form.dataset.suggestUrl, {method: "POST", body: body, headers: {Accept: "application/json", "X-CSRFToken": token ? token.value : ""}})
          .then(function (r) { return r.ok ? r.json() : []; })
          .then(function (items) {
            box.textContent = "";
            if (!items.length) return;
            box.appendChild(document.createTextNode("推荐事项："));
            items.forEach(function (item) {
              var b = document.createElement("button");
              b.type = "button";
              b.className = "btn btn-sm btn-outline-secondary me-1 mb-1";
              b.textContent = (item.parent_name ? item.parent_name + " › " : "") + item.name;
              b.addEventListener("click", function () { matter.value = item.code; matter.dispatchEvent(new Event("change")); });
              box.appendChild(b);
            });
          });
      }, 300);
    });
  }
  var callerUrl = form.dataset.callerUrl;
  var phone = form.querySelector("[name=contact_phone]");
  var history = document.getElementById("caller-history");
  var attach = form.querySelector("[name=attach_to]");
  var banner = form.querySelector("[data-attach-banner]");
  var acceptNow = form.querySelector("[name=accept_now]");
  function setAttach(number) {
    if (!attach || !banner) return;
    attach.value = number || "";
    banner.hidden = !number;
    // An attached call follows the earlier case: there is nothing to accept.
    if (acceptNow) { acceptNow.disabled = !!number; if (number) acceptNow.checked = false; }
    var label = banner.querySelector("[data-attach-number]");
    if (label) label.textContent = number || "";
  }
  if (callerUrl && phone && history) {
    phone.addEventListener("input", function () {
      var value = phone.value.trim();
      if (!/^\d{11}$/.test(value)) return;
      var body = new FormData();
      body.append("contact_phone", value);
      var token = form.querySelector("[name=csrfmiddlewaretoken]");
      // POST: a caller's phone never appears in a URL or an access log.
      fetch(callerUrl, {method: "POST", body: body, headers: {"X-CSRFToken": token ? token.value : ""}})
        .then(function (r) { return r.ok ? r.text() : ""; })
        .then(function (html) { if (html) history.innerHTML = html; });
    });
    history.addEventListener("click", function (e) {
      var button = e.target.closest("[data-attach-to]");
      if (button) setAttach(button.dataset.attachTo);
    });
    var cancel = form.querySelector("[data-attach-cancel]");
    if (cancel) cancel.addEventListener("click", function () { setAttach(""); });
  }
  // Duplicates (issue #13): the candidates beside the form, refreshed 500 ms after the typing stops.
  // The box's "并入此案" / "登记为新案件" are the form's own submit buttons, so they work without it.
  var dupes = form.querySelector("[data-duplicates-url]");
  if (dupes) {
    var dupesTimer = null, dupesSent = "", dupesSeq = 0;
    var refresh = function () {
      var body = new FormData();
      ["contact_phone", "resident_phone", "description", "matter"].forEach(function (name) {
        var field = form.querySelector("[name=" + name + "]");
        if (field) body.append(name, field.value);
      });
      form.querySelectorAll("select[name^=region], input[name^=region]").forEach(function (field) {
        if (field.name && field.value) body.append(field.name, field.value);
      });
      var key = new URLSearchParams(body).toString();
      if (key === dupesSent) return;
      dupesSent = key;
      var seq = ++dupesSeq;
      var token = form.querySelector("[name=csrfmiddlewaretoken]");
      // POST: the caller's phone and words never appear in a URL or an access log.
      fetch(dupes.dataset.duplicatesUrl, {method: "POST", body: body, headers: {"X-CSRFToken": token ? token.value : ""}})
        .then(function (r) { return r.ok ? r.text() : ""; })
        .then(function (html) { if (html && seq === dupesSeq) dupes.innerHTML = html; });
    };
    var later = function () { clearTimeout(dupesTimer); dupesTimer = setTimeout(refresh, 500); };
    form.addEventListener("input", function (e) {
      if (e.target.matches("[name=description], [name=contact_phone], [name=resident_phone]")) later();
    });
    form.addEventListener("change", function (e) {
      if (e.target.matches("[name=matter], [name^=region], [name=description], [name=contact_phone], [name=resident_phone]")) later();
    });
  }
  // Window: the on-the-spot result only matters when "即接即办" is chosen.
  var result = form.querySelector("[name=on_spot_result]");
  if (result) {
    var wrapper = result.closest(".mb-3") || result.parentElement;
    var sync = function () {
      var chosen = form.querySelector("[name=next_step]:checked");
      wrapper.hidden = !(chosen && chosen.value === "on_spot");
    };
    form.querySelectorAll("[name=next_step]").forEach(function (r) { r.addEventListener("change", sync); });
    sync();
  }
  var lat = form.querySelector("[name=latitude]");
  var lng = form.querySelector("[name=longitude]");
  if (lat && lng && navigator.geolocation) {
    navigator.geolocation.getCurrentPosition(function (pos) {
      lat.value = pos.coords.latitude.toFixed(6);
      lng.value = pos.coords.longitude.toFixed(6);
    }, function () {}, {timeout: 5000});
  }
})();
