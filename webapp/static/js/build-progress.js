// Polls the build's progress and updates the bar; the page works without it (meta refresh).
(function () {
  const root = document.getElementById("build");
  if (!root) return;
  const bar = document.getElementById("build-bar");
  const text = document.getElementById("build-text");
  const download = document.getElementById("build-download");
  const archive = document.getElementById("archive-link");
  const progress = root.parentElement.querySelector("[role=progressbar]");
  // Set here, not in a style attribute, which the Content-Security-Policy refuses.
  bar.style.width = (parseInt(bar.dataset.pct, 10) || 0) + "%";
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
    const pct = data.total ? Math.round(100 * data.done / data.total) : 0;
    bar.style.width = pct + "%";
    progress.setAttribute("aria-valuenow", data.done);
    // The published PDF is offered as soon as it is written, before the archival copy.
    if (data.download) download.hidden = false;
    if (data.status === "done") {
      text.textContent = "完了しました（" + data.total + "件）。";
      if (archive && data.archive) archive.hidden = false;
      return;
    }
    if (data.status === "failed") {
      text.textContent = "作成できませんでした: " + data.error;
      return;
    }
    text.textContent = data.done + " / " + data.total + " 件" + (data.label ? "（" + data.label + "）" : "");
    setTimeout(poll, 1000);
  }
  poll();
})();
