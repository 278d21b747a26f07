// The page waiting for a sheet's PDF: polls until the PDF is ready, then opens it here.
// Without script the page still works: 「もう一度開く」 asks again.
(function () {
  const root = document.getElementById("pdf-wait");
  if (!root) return;
  const text = document.getElementById("pdf-wait-text");
  async function poll() {
    let data;
    try {
      const response = await fetch(root.dataset.progressUrl, {headers: {"Accept": "application/json"}});
      if (!response.ok) throw new Error(response.status);
      data = await response.json();
    } catch (e) {
      setTimeout(poll, 3000);
      return;
    }
    if (data.state === "ready") {
      window.location.replace(data.url);
      return;
    }
    if (data.state === "error") {
      text.textContent = data.message;
      text.classList.add("alert", "alert-warning");
      return;
    }
    setTimeout(poll, 1000);
  }
  setTimeout(poll, 1000);
})();
