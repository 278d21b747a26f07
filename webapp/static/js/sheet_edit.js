/*
 * The sheet form's helpers. The form works without this script (every button
 * is a real submit button the server understands); the script adds:
 *   - character counters,
 *   - adding, removing and moving KPIs, KPI years, roadmap rows and figures in place,
 *   - autosave every 30 s and whenever a changed field is left,
 *   - a copy of what is typed in this browser (localStorage, keyed by sheet id and
 *     the version it was typed over), offered back after an expired session with
 *     what it would change. Only this script writes that copy, from the page's own
 *     fields, before it posts; nothing a server answer carries is ever stored.
 *   - the fit status ("1ページに収まります（9.5pt）"), asked for once the typing pauses
 *     (FIT_PAUSE_MS without a keystroke; an autosave asks for none) and polled until computed.
 */
(function () {
  "use strict";

  var STORE_PREFIX = "sheet-draft:";
  var AUTOSAVE_MS = 30000;
  var FIT_PAUSE_MS = 2000;   // a fit check is asked for only after this long without typing
  var MAX_FILE = 5 * 1024 * 1024;
  var MAX_FILES_TOTAL = 7 * 1024 * 1024;

  function storage() {
    try { return window.localStorage; } catch (e) { return null; }
  }

  function keysFor(sheetId) {
    var store = storage(), keys = [];
    if (!store) return keys;
    for (var i = 0; i < store.length; i++) {
      var k = store.key(i);
      if (k && k.indexOf(STORE_PREFIX + sheetId + ":") === 0) keys.push(k);
    }
    return keys;
  }

  function writeCopy(sheetId, version, fields, submitted) {
    var store = storage();
    if (!store) return;
    keysFor(sheetId).forEach(function (k) { store.removeItem(k); });
    try {
      store.setItem(STORE_PREFIX + sheetId + ":" + version, JSON.stringify({
        sheet: String(sheetId), version: String(version), at: new Date().toISOString(),
        fields: fields, submitted: !!submitted
      }));
    } catch (e) { /* storage full or disabled: autosave still works */ }
  }

  function dropCopies(sheetId) {
    var store = storage();
    if (store) keysFor(sheetId).forEach(function (k) { store.removeItem(k); });
  }

  function readCopies(sheetId) {
    var store = storage(), copies = [];
    keysFor(sheetId).forEach(function (k) {
      try { copies.push(JSON.parse(store.getItem(k))); } catch (e) { store.removeItem(k); }
    });
    copies.sort(function (a, b) { return a.at < b.at ? 1 : -1; });
    return copies;
  }

  var form = document.getElementById("sheet-form");
  if (!form) return;
  var sheetId = form.dataset.sheetId;
  var versionInput = document.getElementById("version");
  var statusEl = document.getElementById("save-status");
  var bannerBox = document.getElementById("client-banners");
  var pageState = form.dataset.state;
  var stopped = pageState === "locked";
  var autosaveHeld = pageState === "conflict";  // until the user saves the merge explicitly
  var inFlight = null;
  var again = false;
  var submitting = false;

  // ---------------------------------------------------------------- helpers

  function serialize() {
    var out = [];
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.disabled || el.name === "csrf_token" || el.name === "op") return;
      if (el.type === "file" || el.type === "submit" || el.type === "button") return;
      if ((el.type === "checkbox" || el.type === "radio") && !el.checked) return;
      out.push([el.name, el.value]);
    });
    return out;
  }

  function same(a, b) { return JSON.stringify(a) === JSON.stringify(b); }

  function setStatus(text, level) {
    if (!statusEl) return;
    statusEl.textContent = text;
    statusEl.className = "small mb-1" + (level ? " text-" + level : "");
  }

  function banner(id, level, html) {
    var old = document.getElementById(id);
    if (old) old.remove();
    if (!html) return null;
    var div = document.createElement("div");
    div.id = id;
    div.className = "alert alert-" + level;
    div.setAttribute("role", "alert");
    div.innerHTML = html;
    bannerBox.appendChild(div);
    return div;
  }

  function esc(text) {
    var d = document.createElement("div");
    d.textContent = text == null ? "" : String(text);
    return d.innerHTML;
  }

  function timeNow() {
    var d = new Date();
    return ("0" + d.getHours()).slice(-2) + ":" + ("0" + d.getMinutes()).slice(-2);
  }

  // ---------------------------------------------------------------- counters

  function updateCounter(area) {
    var counter = document.getElementById(area.id + "-count");
    if (!counter) return;
    var limit = parseInt(area.dataset.count || "0", 10);
    var n = area.value.replace(/\r?\n/g, "").length;
    counter.textContent = n.toLocaleString("ja-JP") + " / " + limit.toLocaleString("ja-JP") + "文字";
    counter.classList.toggle("over", limit > 0 && n > limit);
  }

  function initCounters(root) {
    Array.prototype.forEach.call(root.querySelectorAll("textarea[data-count]"), updateCounter);
  }

  // ---------------------------------------------------------------- lists

  var LISTS = {
    kpis: { re: /^kpis-\d+-/, prefix: function (i) { return "kpis-" + i + "-"; }, id: "kpi-" },
    roadmap_rows: { re: /^roadmap_rows-\d+-/, prefix: function (i) { return "roadmap_rows-" + i + "-"; } },
    figures: { re: /^figures-\d+-/, prefix: function (i) { return "figures-" + i + "-"; }, id: "figure-" }
  };
  var ATTRS = ["name", "id", "for", "aria-describedby", "data-counter-for"];

  function items(list) {
    return Array.prototype.filter.call(list.children, function (c) { return c.hasAttribute("data-item"); });
  }

  function rename(root, re, replacement) {
    Array.prototype.forEach.call(root.querySelectorAll("*"), function (el) {
      ATTRS.forEach(function (attr) {
        var v = el.getAttribute(attr);
        if (v && re.test(v)) el.setAttribute(attr, v.replace(re, replacement));
      });
    });
  }

  function renumber() {
    Object.keys(LISTS).forEach(function (name) {
      var list = form.querySelector('[data-list="' + name + '"]');
      if (!list) return;
      var spec = LISTS[name];
      items(list).forEach(function (item, i) {
        rename(item, spec.re, spec.prefix(i));
        if (spec.id) item.id = spec.id + i;
        var label = item.querySelector("[data-index-label]");
        if (label) label.textContent = String(i + 1);
        if (name === "kpis") {
          var series = item.querySelector('[data-list="series"]');
          if (series) {
            items(series).forEach(function (row, j) {
              rename(row, /^kpis-\d+-series-\d+-/, "kpis-" + i + "-series-" + j + "-");
            });
          }
        }
      });
    });
  }

  function listOf(button) {
    if (button.dataset.listTarget) return document.getElementById(button.dataset.listTarget);
    var kpi = button.closest(".kpi-block");
    return kpi ? kpi.querySelector('[data-list="series"]') : null;
  }

  function addItem(list, templateId, focus) {
    var tpl = document.getElementById(templateId);
    if (!tpl || !list) return null;
    var html = tpl.innerHTML;
    var n = items(list).length;
    if (templateId === "tpl-series") {
      var kpi = list.closest("[data-item]");
      var k = items(kpi.parentElement).indexOf(kpi);
      html = html.split("__K__").join(String(k)).split("__S__").join(String(n));
      var years = items(list).map(function (row) {
        var input = row.querySelector('input[name$="-year"]');
        return input ? parseInt(input.value.replace(/[０-９]/g, function (c) {
          return String.fromCharCode(c.charCodeAt(0) - 0xFEE0); }), 10) : NaN;
      }).filter(function (y) { return !isNaN(y); });
      var nextYear = years.length ? Math.max.apply(null, years) + 1 : null;
      var t = document.createElement("template");
      t.innerHTML = html;
      var row = t.content.querySelector("[data-item]");
      if (nextYear) row.querySelector('input[name$="-year"]').value = String(nextYear);
      list.appendChild(row);
    } else {
      html = html.replace(/__[KRF]__/g, String(n));
      var t2 = document.createElement("template");
      t2.innerHTML = html;
      var item = t2.content.querySelector("[data-item]");
      list.appendChild(item);
    }
    renumber();
    var added = items(list)[items(list).length - 1];
    initCounters(added);
    if (focus) {
      var first = added.querySelector("textarea, input:not([type=hidden]), select");
      if (first) first.focus();
    }
    return added;
  }

  function removeItem(item) {
    item.remove();
    renumber();
  }

  function moveItem(item, up) {
    var sibling = up ? item.previousElementSibling : item.nextElementSibling;
    while (sibling && !sibling.hasAttribute("data-item")) {
      sibling = up ? sibling.previousElementSibling : sibling.nextElementSibling;
    }
    if (!sibling) return;
    if (up) sibling.before(item); else sibling.after(item);
    renumber();
    var button = item.querySelector('[data-op="' + (up ? "up" : "down") + '"]');
    if (button) button.focus();
  }

  form.addEventListener("click", function (event) {
    var button = event.target.closest("[data-op]");
    if (button && form.contains(button)) {
      event.preventDefault();
      var op = button.dataset.op;
      if (op === "add") {
        addItem(listOf(button), button.dataset.template, true);
        markDirty();
      } else {
        var item = button.closest("[data-item]");
        if (!item) return;
        if (op === "remove") {
          if (button.dataset.confirm && !window.confirm(button.dataset.confirm)) return;
          removeItem(item);
        } else {
          moveItem(item, op === "up");
        }
        markDirty();
        scheduleSave(200);
      }
      return;
    }
    var copy = event.target.closest("[data-copy-from]");
    if (copy) {
      var source = document.getElementById(copy.dataset.copyFrom);
      var target = document.getElementById(copy.dataset.copyTo);
      if (!source || !target) return;
      var text = source.textContent;
      if (target.value.trim() && target.value !== text &&
          !window.confirm("今の入力内容を、前年度の計画の文章で置き換えますか？")) return;
      target.value = text;
      afterProgrammaticChange(target);
      return;
    }
    var use = event.target.closest("[data-use-theirs]");
    if (use) {
      var area = document.getElementById(use.dataset.useTheirs);
      var theirs = document.getElementById(use.dataset.useTheirs + "-theirs");
      if (area && theirs) {
        area.value = theirs.value;
        afterProgrammaticChange(area);
      }
    }
  });

  function afterProgrammaticChange(el) {
    if (el.matches("textarea[data-count]")) updateCounter(el);
    markDirty();
    el.focus();
  }

  // ---------------------------------------------------------------- dirty state, local copy

  var lastSaved = serialize();
  var copyTimer = null;

  function isDirty() { return !same(serialize(), lastSaved); }

  function markDirty() {
    if (copyTimer) clearTimeout(copyTimer);
    copyTimer = setTimeout(function () {
      copyTimer = null;
      // After 「保存」 was pressed the copy written for that post is the one to keep.
      if (!submitting && isDirty()) writeCopy(sheetId, versionInput.value, serialize(), false);
    }, 400);
    if (!stopped && isDirty()) setStatus("未保存の変更があります（自動保存します）。", "body-secondary");
  }

  form.addEventListener("input", function (event) {
    if (event.target.matches("textarea[data-count]")) updateCounter(event.target);
    if (event.target.matches("[data-roadmap-years]")) updateYearsList(event.target.value);
    markDirty();
  });

  // A changed field was left (or a checkbox/select changed): save now.
  form.addEventListener("change", function (event) {
    if (event.target.type === "file") { checkFile(event.target); return; }
    markDirty();
    scheduleSave(100);
  });

  function updateYearsList(value) {
    var list = document.getElementById("roadmap-years");
    if (!list) return;
    list.innerHTML = "";
    value.split(/[,、，\s]+/).filter(Boolean).forEach(function (y) {
      var o = document.createElement("option");
      o.value = y;
      list.appendChild(o);
    });
  }

  function checkFile(input) {
    var box = input.parentElement;
    var old = box.querySelector(".client-file-error");
    if (old) old.remove();
    var file = input.files && input.files[0];
    var message = null;
    if (file) {
      if (!/^image\/(png|jpeg)$/.test(file.type)) message = "PNG または JPEG の画像を選んでください。";
      else if (file.size > MAX_FILE) message = "画像ファイルが大きすぎます（最大 5 MB、このファイルは " + (file.size / 1048576).toFixed(1) + " MB）。";
      else {
        var total = 0;
        Array.prototype.forEach.call(form.querySelectorAll("input[type=file]"), function (f) {
          if (f.files && f.files[0]) total += f.files[0].size;
        });
        if (total > MAX_FILES_TOTAL) message = "一度に送れる画像は合計 7 MB までです。先に「保存」してから次の画像を選んでください。";
      }
    }
    if (message) {
      input.value = "";
      var div = document.createElement("div");
      div.className = "invalid-feedback d-block client-file-error";
      div.textContent = message;
      input.after(div);
    } else if (file) {
      setStatus("画像は「保存」を押すとアップロードされます。", "body-secondary");
    }
  }

  // ---------------------------------------------------------------- autosave

  var saveTimer = null;

  function scheduleSave(delay) {
    if (saveTimer) clearTimeout(saveTimer);
    saveTimer = setTimeout(function () { saveTimer = null; autosave(); }, delay);
  }

  function autosave() {
    if (stopped || autosaveHeld || submitting) return Promise.resolve();
    if (inFlight) { again = true; return inFlight; }
    var snapshot = serialize();
    if (same(snapshot, lastSaved)) return Promise.resolve();
    var body = new FormData(form);
    Array.from(body.keys()).forEach(function (k) {
      if (body.get(k) instanceof File) body.delete(k);
    });
    body.delete("op");
    setStatus("自動保存しています…", "body-secondary");
    inFlight = fetch(form.dataset.autosaveUrl, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "Accept": "application/json", "X-Requested-With": "fetch" }
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (type.indexOf("application/json") === -1) {
        if (response.redirected || response.status === 401) return onSession(null);
        throw new Error("HTTP " + response.status);
      }
      return response.json().then(function (data) { return onAnswer(response.status, data, snapshot); });
    }).catch(function () {
      setStatus("自動保存できませんでした（通信エラー）。入力内容はこのブラウザに保存してあります。後でもう一度試します。", "danger");
      writeCopy(sheetId, versionInput.value, serialize(), false);
    }).then(function () {
      inFlight = null;
      if (again) { again = false; scheduleSave(50); }
    });
    return inFlight;
  }

  function onAnswer(status, data, snapshot) {
    if (status === 200 && data.ok) {
      versionInput.value = String(data.version);
      // When and by whom the sheet was last saved (header or save panel): now, by this user.
      Array.prototype.forEach.call(document.querySelectorAll(".js-saved-at"), function (el) {
        if (data.saved_at) el.textContent = data.saved_at;
      });
      Array.prototype.forEach.call(document.querySelectorAll(".js-saved-by"), function (el) {
        if (data.saved_by) el.textContent = data.saved_by;
      });
      // The first save: 「まだ保存されていません」 gives way to the saved line.
      if (data.saved_at) {
        Array.prototype.forEach.call(document.querySelectorAll(".js-never-saved"), function (el) {
          el.hidden = true;
        });
        Array.prototype.forEach.call(document.querySelectorAll(".js-last-saved"), function (el) {
          el.hidden = false;
        });
      }
      lastSaved = snapshot;
      banner("invalid-banner");
      showFieldErrors([]);
      if (isDirty()) writeCopy(sheetId, versionInput.value, serialize(), false);
      else dropCopies(sheetId);
      // Saved as a draft, but 「保存」 would refuse it (a roadmap row without years): say so now.
      if (data.warning) setStatus(data.message + "。" + data.warning, "danger");
      else setStatus(data.message, "success");
      if (data.fit) setFit(data.fit);
      return;
    }
    if (data.reason === "session") return onSession(data);
    writeCopy(sheetId, versionInput.value, serialize(), false);
    if (data.reason === "conflict") {
      stopped = true;
      var rows = (data.fields || []).map(function (f) {
        return "<li>" + esc(f.label) + "</li>";
      }).join("");
      banner("conflict-banner", "warning",
        "<p class=\"fw-bold mb-1\">" + esc(data.heading || "他の方が新しい内容を保存しました。自動保存を止めました。") + "</p>" +
        "<p class=\"mb-1\">" + esc(data.message) + "</p>" +
        (rows ? "<p class=\"mb-1\">違いのある項目:</p><ul>" + rows + "</ul>" : "") +
        "<button type=\"button\" class=\"btn btn-warning btn-sm\" id=\"merge-button\">最新の保存内容と並べて比較する</button>");
      document.getElementById("merge-button").addEventListener("click", function () {
        submitting = true;
        writeCopy(sheetId, versionInput.value, serialize(), true);
        form.submit();  // the server answers with both texts side by side
      });
      setStatus("自動保存を止めました（別の保存と重なりました）。", "danger");
      return;
    }
    if (data.reason === "invalid") {
      var list = (data.errors || []).map(function (e) {
        return "<li>" + (e.field ? "<a href=\"#" + esc(e.field) + "\">" + esc(e.message) + "</a>" : esc(e.message)) + "</li>";
      }).join("");
      banner("invalid-banner", "danger", "<p class=\"fw-bold mb-1\">" + esc(data.message) +
        "入力した内容は消えていません。</p><ul class=\"mb-0\">" + list + "</ul>");
      showFieldErrors(data.errors || []);
      setStatus("入力内容に誤りがあるため自動保存していません：" +
        ((data.errors && data.errors[0]) ? data.errors[0].message : ""), "danger");
      return;
    }
    stopped = true;
    banner("locked-banner", "danger", "<p class=\"mb-0\">" + esc(data.message || "保存できません。") +
      " 入力した内容はこの画面とブラウザに残っています。</p>");
    setStatus("保存できません。", "danger");
  }

  // Messages from an autosave beside their fields; gone once a save goes through.
  function showFieldErrors(errors) {
    Array.prototype.forEach.call(form.querySelectorAll(".client-error"), function (el) { el.remove(); });
    Array.prototype.forEach.call(form.querySelectorAll("[data-client-invalid]"), function (el) {
      el.classList.remove("is-invalid");
      el.removeAttribute("data-client-invalid");
    });
    errors.forEach(function (e) {
      var field = e.field && document.getElementById(e.field);
      if (!field) return;
      if (!field.classList.contains("is-invalid")) {
        field.classList.add("is-invalid");
        field.setAttribute("data-client-invalid", "1");
      }
      var div = document.createElement("div");
      div.className = "invalid-feedback d-block client-error";
      div.textContent = e.message;
      field.after(div);
    });
  }

  function onSession(data) {
    stopped = true;
    writeCopy(sheetId, versionInput.value, serialize(), false);
    var login = (data && data.login_url) || form.dataset.loginUrl;
    banner("session-banner", "warning",
      "<p class=\"fw-bold mb-1\">ログインの有効期限が切れました。</p>" +
      "<p class=\"mb-2\">入力した内容はこのブラウザに保存してあります。ログインし直すと、編集画面で元に戻せます。</p>" +
      "<a class=\"btn btn-primary btn-sm\" id=\"relogin\" href=\"" + esc(login) + "\">ログインし直す</a>");
    setStatus("保存できません（ログインが必要です）。", "danger");
  }

  if (!stopped) {
    setInterval(function () { if (isDirty()) autosave(); }, AUTOSAVE_MS);
  }

  form.addEventListener("submit", function (event) {
    if (event.submitter && event.submitter.name === "op" && event.submitter.value) return;
    if (inFlight) {
      // Let the running autosave finish first, so this save starts from its version.
      event.preventDefault();
      inFlight.then(function () { submitting = true; writeCopy(sheetId, versionInput.value, serialize(), true); form.submit(); });
      return;
    }
    submitting = true;
    if (copyTimer) { clearTimeout(copyTimer); copyTimer = null; }
    writeCopy(sheetId, versionInput.value, serialize(), true);
  });

  window.addEventListener("beforeunload", function (event) {
    if (!submitting && !stopped && isDirty()) {
      writeCopy(sheetId, versionInput.value, serialize(), false);
      event.preventDefault();
      event.returnValue = "";
    }
  });

  // ---------------------------------------------------------------- comments and marks

  // Replying to or resolving a comment leaves the page (the forms after the editor's own):
  // unsaved input is autosaved first, so nothing is lost and no copy is left to restore.
  document.addEventListener("submit", function (event) {
    var other = event.target;
    if (!other.hasAttribute || !other.hasAttribute("data-leaves-editor")) return;
    if (stopped || !isDirty()) return;
    event.preventDefault();
    setStatus("コメントを送る前に、入力内容を保存しています…", "body-secondary");
    autosave().then(function () {
      // An autosave already running saved what was typed before it: save the rest.
      return isDirty() && !stopped ? autosave() : null;
    }).then(function () {
      if (isDirty()) {
        setStatus("入力内容を保存できなかったため、コメントはまだ送っていません。入力内容を確かめてから、もう一度お試しください。", "danger");
        return;
      }
      other.submit();
    });
  });

  // 「昨年度の文章のまま」 holds until the text is edited.
  form.addEventListener("input", function (event) {
    var id = event.target.id;
    if (!id) return;
    Array.prototype.forEach.call(document.querySelectorAll('[data-carried-for="' + id + '"]'),
      function (mark) { mark.hidden = true; });
  });

  // ---------------------------------------------------------------- restore a local copy

  function resize(list, templateId, wanted) {
    while (items(list).length < wanted) addItem(list, templateId, false);
    while (items(list).length > wanted) removeItem(items(list)[items(list).length - 1]);
  }

  function restore(copy) {
    var max = { kpis: -1, roadmap_rows: -1, figures: -1 }, series = {};
    copy.fields.forEach(function (f) {
      var m = /^kpis-(\d+)-series-(\d+)-/.exec(f[0]);
      if (m) series[m[1]] = Math.max(series[m[1]] === undefined ? -1 : series[m[1]], +m[2]);
      m = /^(kpis|roadmap_rows|figures)-(\d+)-/.exec(f[0]);
      if (m) max[m[1]] = Math.max(max[m[1]], +m[2]);
    });
    resize(document.getElementById("kpi-list"), "tpl-kpis", max.kpis + 1);
    resize(document.getElementById("roadmap-list"), "tpl-roadmap_rows", max.roadmap_rows + 1);
    resize(document.getElementById("figure-list"), "tpl-figures", max.figures + 1);
    items(document.getElementById("kpi-list")).forEach(function (kpi, k) {
      resize(kpi.querySelector('[data-list="series"]'), "tpl-series",
             series[k] === undefined ? 0 : series[k] + 1);
    });
    var values = {};
    copy.fields.forEach(function (f) { (values[f[0]] = values[f[0]] || []).push(f[1]); });
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name === "csrf_token" || el.type === "file" || el.type === "submit" || el.type === "button") return;
      if (el.name === "version") return;
      if (el.type === "checkbox") { el.checked = !!values[el.name]; return; }
      if (values[el.name]) el.value = values[el.name][0];
    });
    versionInput.value = copy.version;  // saving now detects anything saved since
    initCounters(form);
    var years = form.querySelector("[data-roadmap-years]");
    if (years) updateYearsList(years.value);
  }

  // The copy's fields against the page's (the saved sheet): what restoring would change.
  var LIST_NAMES = { kpis: "KPI", roadmap_rows: "ロードマップの行", figures: "図表" };

  function fieldLabel(name) {
    var el = form.elements.namedItem(name);
    if (el && el.id) {
      var label = form.querySelector('label[for="' + el.id + '"]');
      if (label && label.textContent.trim()) return label.textContent.trim();
    }
    return name;
  }

  function counts(fields) {
    var out = { kpis: 0, roadmap_rows: 0, figures: 0, series: {} };
    fields.forEach(function (f) {
      var m = /^(kpis|roadmap_rows|figures)-(\d+)-/.exec(f[0]);
      if (m) out[m[1]] = Math.max(out[m[1]], +m[2] + 1);
      m = /^kpis-(\d+)-series-(\d+)-/.exec(f[0]);
      if (m) out.series[m[1]] = Math.max(out.series[m[1]] || 0, +m[2] + 1);
    });
    return out;
  }

  // A figure or a year as the server reads it (forms/sheet.py parse_number, parse_year):
  // 「３３１」, 「2,134」 and 「12.50」 are what the page shows back as 331, 2,134 and 12.5,
  // so a refused save's copy typed that way is not a difference.
  var DASHES = /[\u2212\u2010\u2011\u2012\u2013\u2014\u2015\uff70]/g;

  function comparable(name, value) {
    var el = form.elements.namedItem(name);
    var mode = el && el.getAttribute ? el.getAttribute("inputmode") : null;
    if (mode !== "decimal" && mode !== "numeric") return value;
    var text = String(value).normalize("NFKC").replace(DASHES, "-").replace(/\s/g, "");
    if (mode === "numeric") return text.replace(/(年度|年)$/, "");
    if (/^[△▲]/.test(text)) text = "-" + text.slice(1).replace(/^[+-]+/, "");
    if (/^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$/.test(text)) text = text.replace(/,/g, "");
    var m = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(text);
    if (!m || !(m[2] || m[3])) return text;
    var whole = m[2].replace(/^0+(?=\d)/, "") || "0", part = (m[3] || "").replace(/0+$/, "");
    return (m[1] === "-" ? "-" : "") + whole + (part ? "." + part : "");
  }

  function copyChanges(copyFields, savedFields) {
    function byName(fields) {
      var map = {};
      fields.forEach(function (f) {
        if (f[0] !== "version") (map[f[0]] = map[f[0]] || []).push(comparable(f[0], f[1]));
      });
      return map;
    }
    var mine = byName(copyFields), saved = byName(savedFields), changed = [], seen = {};
    Object.keys(mine).concat(Object.keys(saved)).forEach(function (name) {
      if (seen[name] !== undefined) return;
      seen[name] = true;
      if (same(mine[name] || [], saved[name] || [])) return;
      var m = /^(kpis|roadmap_rows|figures)-(\d+)-/.exec(name);
      var label = m ? LIST_NAMES[m[1]] + " " + (+m[2] + 1) : fieldLabel(name);
      if (changed.indexOf(label) === -1) changed.push(label);
    });
    var a = counts(copyFields), b = counts(savedFields), removals = [];
    Object.keys(LIST_NAMES).forEach(function (list) {
      if (a[list] < b[list]) {
        removals.push(LIST_NAMES[list] + "が " + b[list] + " 件から " + a[list] + " 件に減ります（" +
                      (b[list] - a[list]) + " 件削除されます）");
      }
    });
    Object.keys(b.series).forEach(function (k) {
      if (+k < a.kpis && (a.series[k] || 0) < b.series[k]) {
        removals.push("KPI " + (+k + 1) + " の年度の行が " + b.series[k] + " 行から " + (a.series[k] || 0) + " 行に減ります");
      }
    });
    return { changed: changed, removals: removals };
  }

  function offerRestore() {
    var params = new URLSearchParams(window.location.search);
    if (params.has("saved")) {
      // The page after a successful 「保存」: what was sent is what is saved, so no copy is left.
      dropCopies(sheetId);
      params.delete("saved");
      var query = params.toString();
      window.history.replaceState(null, "", window.location.pathname + (query ? "?" + query : "") + window.location.hash);
      return;
    }
    var copies = readCopies(sheetId);
    if (!copies.length) return;
    var current = serialize();
    var copy = copies[0];
    var diff = copyChanges(copy.fields || [], current);
    if (!diff.changed.length) { dropCopies(sheetId); return; }
    var when = new Date(copy.at);
    var whenText = (when.getMonth() + 1) + "月" + when.getDate() + "日 " + ("0" + when.getHours()).slice(-2) + ":" + ("0" + when.getMinutes()).slice(-2);
    var box = banner("restore-banner", "info",
      "<p class=\"fw-bold mb-1\">保存されていない入力が、このブラウザに残っています（" + esc(whenText) + "）。</p>" +
      "<p class=\"mb-1\">復元すると、保存済みの内容のうち次の項目が置き換わります:</p>" +
      "<ul class=\"mb-2\" id=\"restore-changes\">" + diff.changed.map(function (l) { return "<li>" + esc(l) + "</li>"; }).join("") + "</ul>" +
      (diff.removals.length ? "<p class=\"mb-1 fw-bold text-danger\">削除される項目があります:</p><ul class=\"mb-2 text-danger\" id=\"restore-removals\">" +
        diff.removals.map(function (l) { return "<li>" + esc(l) + "</li>"; }).join("") + "</ul>" : "") +
      "<p class=\"mb-2\">内容を確かめてから選んでください。復元すると、その内容を欄に戻して保存します。その間に他の方が保存していた場合は、両方を並べて表示します。</p>" +
      "<button type=\"button\" class=\"btn btn-primary btn-sm me-2\" id=\"restore-button\">復元する</button>" +
      "<button type=\"button\" class=\"btn btn-outline-secondary btn-sm\" id=\"discard-button\">破棄する</button>");
    box.querySelector("#restore-button").addEventListener("click", function () {
      restore(copy);
      banner("restore-banner");
      autosaveHeld = false;
      stopped = pageState === "locked";
      setStatus("入力を復元しました。保存しています…", "body-secondary");
      autosave();
    });
    box.querySelector("#discard-button").addEventListener("click", function () {
      dropCopies(sheetId);
      banner("restore-banner");
    });
  }

  // ---------------------------------------------------------------- fit status

  var fitEl = document.getElementById("fit-status");
  var pollTimer = null, polls = 0, lastTyped = 0;

  // Each poll of a pending fit asks the server for a check (one per sheet at most): while
  // the user types, the next save would outdate it, so the poll waits for a pause.
  form.addEventListener("input", function () { lastTyped = Date.now(); });

  function untilPause() {
    return Math.max(0, lastTyped + FIT_PAUSE_MS - Date.now());
  }

  function setFit(fit) {
    if (!fitEl || !fit) return;
    fitEl.className = "alert alert-" + fit.level + " py-2 mb-2";
    fitEl.textContent = fit.message;
    var barText = document.getElementById("fit-bar-text");  // the narrow-screen bar's copy
    if (barText) barText.textContent = fit.message;
    fitEl.dataset.state = fit.state;
    fitEl.dataset.key = fit.key || "";
    if (fit.state === "pending") startPolling(); else polls = 0;
  }

  function startPolling() {
    if (pollTimer) return;
    var delay = Math.max(Math.min(1000 + polls * 500, 5000), untilPause());
    pollTimer = setTimeout(function () {
      pollTimer = null;
      if (untilPause() > 0) { startPolling(); return; }  // typed meanwhile: wait for the pause
      if (++polls > 120) return;
      fetch(form.dataset.fitUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (fit) { if (fit) setFit(fit); else startPolling(); })
        .catch(function () { startPolling(); });
    }, delay);
  }

  // ---------------------------------------------------------------- the phone's save bar

  // Below 576 px the save card is a one-row bar at the foot of the window (editing.css). While
  // a field has the keyboard it shrinks to 保存 alone (.bar-typing), covering none of the text
  // being typed; the button itself does not move, so a tap on it lands even as the field loses
  // focus. Above an on-screen keyboard, the bar rides on the visible part of the page.
  var saveCard = document.querySelector(".save-card");
  var TYPING = "textarea, select, input:not([type=checkbox]):not([type=radio]):not([type=file])" +
               ":not([type=hidden]):not([type=submit]):not([type=button])";

  function typingIn(el) {
    return !!(el && el.matches && form.contains(el) && el.matches(TYPING));
  }

  if (saveCard) {
    form.addEventListener("focusin", function (event) {
      saveCard.classList.toggle("bar-typing", typingIn(event.target));
    });
    form.addEventListener("focusout", function (event) {
      if (!typingIn(event.relatedTarget)) saveCard.classList.remove("bar-typing");
    });
    var viewport = window.visualViewport;
    if (viewport) {
      var phone = window.matchMedia("(max-width: 575.98px)");
      var lift = function () {
        var covered = window.innerHeight - (viewport.height + viewport.offsetTop);
        saveCard.style.bottom = phone.matches && covered > 1 ? Math.round(covered) + "px" : "";
      };
      viewport.addEventListener("resize", lift);
      viewport.addEventListener("scroll", lift);
    }
  }

  // ---------------------------------------------------------------- start

  initCounters(form);
  if (pageState === "conflict" || pageState === "invalid" || pageState === "locked") {
    // The page shows what the user typed, not what is saved: keep a copy of it.
    lastSaved = [];
    writeCopy(sheetId, versionInput.value, serialize(), false);
  } else {
    offerRestore();
  }
  if (fitEl && fitEl.dataset.state === "pending") startPolling();
  window.sheetEdit = { autosave: autosave, serialize: serialize };  // for the browser tests
})();
