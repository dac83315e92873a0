/* Tables wider than the screen (KPI tables on a phone) scroll sideways inside .table-responsive.
 * Such a region gets keyboard focus and a name (WCAG 2.1.1; axe "scrollable-region-focusable")
 * and a visible hint that it scrolls; a table that fits is left alone (no extra tab stop). */
(function () {
  "use strict";
  var EN = document.documentElement.lang === "en";
  var HINT = EN ? "Swipe sideways to see the whole table" : "表格较宽，可左右滑动查看";
  var TABLE = EN ? " (table, scrolls sideways)" : "（表格，可左右滑动）";

  function label(region) {
    var caption = region.querySelector("caption");
    if (caption && caption.textContent.trim()) return caption.textContent.trim();
    var section = region.closest("section[aria-labelledby]");
    var heading = section && document.getElementById(section.getAttribute("aria-labelledby"));
    return heading ? heading.textContent.trim() : HINT;
  }

  function update() {
    document.querySelectorAll(".table-responsive").forEach(function (region) {
      var overflows = region.scrollWidth > region.clientWidth + 1;
      var hint = region.previousElementSibling;
      var hasHint = hint && hint.classList.contains("yk-scroll-hint");
      if (overflows) {
        region.setAttribute("tabindex", "0");
        region.setAttribute("role", "region");
        region.setAttribute("aria-label", label(region) + TABLE); // unlike its section's name
        if (!hasHint) {
          hint = document.createElement("p");
          hint.className = "yk-scroll-hint small mb-1";
          hint.textContent = "↔ " + HINT;
          region.parentNode.insertBefore(hint, region);
        }
      } else if (region.getAttribute("tabindex") === "0") {
        region.removeAttribute("tabindex");
        region.removeAttribute("role");
        region.removeAttribute("aria-label");
        if (hasHint) hint.remove();
      }
    });
  }

  document.addEventListener("DOMContentLoaded", update);
  window.addEventListener("resize", update);
})();
