// Small behaviours declared in the markup (the CSP allows no inline event handlers):
// <select data-autosubmit> submits its form on change; <select data-navigate> opens the chosen URL.
(function () {
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (!el || !el.matches) return;
    if (el.matches("select[data-autosubmit]") && el.form) el.form.submit();
    else if (el.matches("select[data-navigate]") && el.value.charAt(0) === "/") window.location.href = el.value;
  });
})();

// Accessibility on every page, so that new templates get it without their own code.
(function () {
  var main = document.getElementById("main");
  if (!main) return;
  var each = function (selector, fn) { Array.prototype.forEach.call(main.querySelectorAll(selector), fn); };
  var seq = 0;

  // A field shown with an error says so to screen readers, and reads its message with its label.
  each(".is-invalid", function (field) {
    if (!field.matches("input, textarea, select")) return;
    field.setAttribute("aria-invalid", "true");
    var ids = (field.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean);
    for (var el = field.nextElementSibling; el; el = el.nextElementSibling) {
      if (!el.classList.contains("invalid-feedback")) continue;
      if (!el.id) el.id = (field.id || "field") + "-error-" + (++seq);
      if (ids.indexOf(el.id) < 0) ids.push(el.id);
    }
    if (ids.length) field.setAttribute("aria-describedby", ids.join(" "));
  });

  // A page that comes back with errors puts the keyboard on the first invalid field, or,
  // when no field is marked, on the error message itself (read out as it takes focus).
  var first = main.querySelector("input.is-invalid, textarea.is-invalid, select.is-invalid");
  var summary = main.querySelector(".alert-danger[role=alert]");
  if (first) {
    first.focus();
  } else if (summary) {
    if (!summary.hasAttribute("tabindex")) summary.setAttribute("tabindex", "-1");
    summary.focus();
  }

  // A table wider than its box scrolls sideways: keyboard users need to reach it to scroll it.
  each(".table-responsive", function (box) {
    if (box.scrollWidth <= box.clientWidth || box.hasAttribute("tabindex")) return;
    var caption = box.querySelector("caption");
    box.setAttribute("tabindex", "0");
    box.setAttribute("role", "region");
    box.setAttribute("aria-label", (caption ? caption.textContent.trim() + "（" : "表（") + "横にスクロールできます）");
  });
})();

// The bar's 「管理」 menu is a <details> (it opens without script); here it also closes as a
// menu does: on Escape (the keyboard goes back to its button), on a click elsewhere, and when
// the keyboard moves past it.
(function () {
  var menus = document.querySelectorAll("details.nav-menu");
  if (!menus.length) return;
  var closeAll = function (except) {
    Array.prototype.forEach.call(menus, function (menu) { if (menu !== except) menu.open = false; });
  };
  document.addEventListener("click", function (event) {
    closeAll(event.target.closest ? event.target.closest("details.nav-menu") : null);
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var open = document.querySelector("details.nav-menu[open]");
    if (!open) return;
    open.open = false;
    open.querySelector("summary").focus();
  });
  document.addEventListener("focusin", function (event) {
    closeAll(event.target.closest ? event.target.closest("details.nav-menu") : null);
  });
})();
