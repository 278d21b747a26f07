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
