// On an explicit log-out, forget this browser's rescue copies of typed sheet text
// (sheet_edit.js keeps them for expired sessions), so the next person at a
// shared computer cannot read them.
(function () {
  var form = document.getElementById("logout-form");
  if (!form) return;
  form.addEventListener("submit", function () {
    try {
      var store = window.localStorage, doomed = [];
      for (var i = 0; i < store.length; i++) {
        var key = store.key(i);
        if (key && key.indexOf("sheet-draft:") === 0) doomed.push(key);
      }
      doomed.forEach(function (key) { store.removeItem(key); });
    } catch (e) { /* storage unavailable: nothing kept either */ }
  });
})();
