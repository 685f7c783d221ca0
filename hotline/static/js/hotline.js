/* Hotline shell behaviour: session-timeout warning, keyboard shortcuts, htmx conflict handling,
   draft autosave. No framework; every page works without it, it only helps. */
(function () {
  "use strict";

  // --- Session timeout warning -------------------------------------------------------------
  const body = document.body;
  const total = parseInt(body.dataset.sessionSeconds || "0", 10);
  const dialog = document.getElementById("session-warning");
  const WARN_BEFORE = 300;
  let expiresAt = Date.now() + total * 1000;
  function resetSession() { expiresAt = Date.now() + total * 1000; }
  document.addEventListener("htmx:afterRequest", resetSession);
  if (dialog && total > 0) {
    setInterval(function () {
      const left = Math.round((expiresAt - Date.now()) / 1000);
      if (left <= 0) {
        window.location.href = "/accounts/login/?next=" + encodeURIComponent(location.pathname + location.search);
      } else if (left <= WARN_BEFORE) {
        const cd = dialog.querySelector("[data-countdown]");
        if (cd) cd.textContent = Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0");
        if (!dialog.open) dialog.showModal();
      }
    }, 1000);
    const keep = dialog.querySelector("[data-keepalive]");
    keep.addEventListener("click", function () {
      fetch(keep.dataset.keepalive, { credentials: "same-origin" }).then(function (r) {
        if (r.ok) { resetSession(); dialog.close(); } else { location.reload(); }
      });
    });
  }

  // --- Keyboard shortcuts: any element with data-shortcut="Alt+D" is clicked/focused -------
  function keyName(e) {
    const parts = [];
    if (e.ctrlKey) parts.push("Ctrl");
    if (e.altKey) parts.push("Alt");
    if (e.shiftKey) parts.push("Shift");
    let k = e.key.length === 1 ? e.key.toUpperCase() : e.key;
    if (e.code && e.code.startsWith("Digit")) k = e.code.slice(5);
    if (e.code && e.code.startsWith("Key")) k = e.code.slice(3);
    parts.push(k);
    return parts.join("+");
  }
  document.addEventListener("keydown", function (e) {
    if (!(e.altKey || e.ctrlKey)) return;
    const name = keyName(e);
    const target = document.querySelector('[data-shortcut="' + name + '"]');
    if (!target) return;
    e.preventDefault();
    if (target.matches("input, select, textarea")) { target.focus(); if (target.select) target.select(); }
    else { target.click(); }
  });

  // --- htmx: stale page / conflict and error messages ----------------------------------------
  document.addEventListener("htmx:responseError", function (e) {
    const xhr = e.detail.xhr;
    let msg = "操作失败（" + xhr.status + "）";
    try { const data = JSON.parse(xhr.responseText); if (data.message) msg = data.message; } catch (_) { /* html */ }
    if (xhr.status === 409) {
      alert(msg + "\n页面将刷新为最新状态。");
      location.reload();
      return;
    }
    const box = document.getElementById("htmx-error");
    if (box) { box.textContent = msg; box.hidden = false; } else { alert(msg); }
  });

  // --- Draft autosave: forms with data-autosave="key" keep their fields in localStorage ------
  function saveDraft(form) {
    const data = {};
    for (const el of form.elements) {
      if (!el.name || el.type === "hidden" || el.type === "password" || el.type === "file") continue;
      if (el.tagName === "BUTTON" || el.type === "submit") continue;  // never store a button's value
      if (el.type === "checkbox") data[el.name] = el.checked;
      else if (el.type === "radio") { if (el.checked) data[el.name] = el.value; }
      else if (el.multiple) data[el.name] = Array.from(el.selectedOptions).map(o => o.value);
      else data[el.name] = el.value;
    }
    data.__saved = Date.now();
    localStorage.setItem(form.dataset.autosave, JSON.stringify(data));
    const note = form.querySelector("[data-draft-status]");
    if (note) note.textContent = "草稿已自动保存 " + new Date().toLocaleTimeString("zh-CN");
  }
  function restoreDraft(form) {
    const raw = localStorage.getItem(form.dataset.autosave);
    if (!raw) return;
    let data; try { data = JSON.parse(raw); } catch (_) { return; }
    // The server's re-rendered values (after a validation error) win over an older draft.
    if (form.dataset.serverFilled === "1") return;
    for (const el of form.elements) {
      if (!el.name || !(el.name in data) || el.type === "hidden" || el.type === "file") continue;
      if (el.tagName === "BUTTON" || el.type === "submit") continue;
      if (el.type === "checkbox") el.checked = !!data[el.name];
      else if (el.type === "radio") el.checked = data[el.name] === el.value;
      else if (el.multiple) Array.from(el.options).forEach(o => { o.selected = data[el.name].includes(o.value); });
      else el.value = data[el.name];
    }
    const note = form.querySelector("[data-draft-status]");
    if (note) note.textContent = "已恢复未提交的草稿（" + new Date(data.__saved).toLocaleString("zh-CN") + "）";
    form.dispatchEvent(new Event("draft:restored"));
  }
  function initAutosave(root) {
    root.querySelectorAll("form[data-autosave]").forEach(function (form) {
      if (form.dataset.autosaveReady) return;
      form.dataset.autosaveReady = "1";
      restoreDraft(form);
      form.addEventListener("input", function () { saveDraft(form); });
      form.addEventListener("change", function () { saveDraft(form); });
    });
    // A page that confirms a save clears the draft it came from.
    root.querySelectorAll("[data-clear-draft]").forEach(function (el) {
      localStorage.removeItem(el.dataset.clearDraft);
    });
  }
  document.addEventListener("DOMContentLoaded", function () { initAutosave(document); });
  document.addEventListener("htmx:afterSwap", function (e) { initAutosave(e.target); });

  // --- Deadline countdowns: <time data-due="ISO"> shows time left, coloured by state ---------
  function renderCountdowns() {
    const now = Date.now();
    document.querySelectorAll("[data-due]").forEach(function (el) {
      const due = Date.parse(el.dataset.due);
      if (isNaN(due)) return;
      const warn = el.dataset.warn ? Date.parse(el.dataset.warn) : due - 86400000;
      const diff = due - now;
      const abs = Math.abs(diff);
      const d = Math.floor(abs / 86400000), h = Math.floor((abs % 86400000) / 3600000), m = Math.floor((abs % 3600000) / 60000);
      const txt = (d ? d + "天" : "") + (d || h ? h + "小时" : "") + m + "分";
      el.textContent = diff >= 0 ? "剩余 " + txt : "超期 " + txt;
      el.classList.remove("due-ok", "due-warn", "due-over");
      el.classList.add(diff < 0 ? "due-over" : (now >= warn ? "due-warn" : "due-ok"));
    });
  }
  document.addEventListener("DOMContentLoaded", renderCountdowns);
  document.addEventListener("htmx:afterSwap", renderCountdowns);
  setInterval(renderCountdowns, 30000);
})();
