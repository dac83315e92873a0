/* 长辈模式 switch (accounts/elderly.py). Without JavaScript it is a form that posts and reloads the
 * page. With it, the same POST is sent in the background and the page changes in place, so what
 * the user has typed into a form on the page (a claim half written) is not lost. Any failure falls
 * back to the ordinary form submit. */
(function () {
  "use strict";
  var form = document.querySelector("form.yk-elderly-switch");
  if (!form || !window.fetch || !window.FormData) return;

  function apply(on) {
    var root = document.documentElement;
    root.classList.toggle("yk-elderly", on);
    root.classList.toggle("yk-citizen", on && form.dataset.citizen === "1");
    var link = document.getElementById("yk-elderly-css");
    if (on && !link) {
      link = document.createElement("link");
      link.rel = "stylesheet";
      link.id = "yk-elderly-css";
      link.href = form.dataset.stylesheet;
      document.head.appendChild(link);
    } else if (!on && link) {
      link.remove();
    }
    form.querySelector("[name=mode]").value = on ? "off" : "on";
    var button = form.querySelector("button");
    button.setAttribute("aria-pressed", on ? "true" : "false");
    button.classList.toggle("btn-light", on);
    button.classList.toggle("btn-outline-light", !on);
    button.querySelector("[data-state]").textContent = on ? form.dataset.stateOn : form.dataset.stateOff;
    window.dispatchEvent(new Event("resize")); // wide tables check again whether they scroll
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var data = new FormData(form);
    data.append("inplace", "1");
    fetch(form.action, { method: "POST", body: data, credentials: "same-origin" })
      .then(function (response) {
        if (response.status === 204) apply(data.get("mode") === "on");
        else form.submit();
      })
      .catch(function () {
        form.submit();
      });
  });
})();
