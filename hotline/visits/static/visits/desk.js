// 回访台 keyboard: inside a row, 1–7 pick the result, D dials; the dial button audits, then hands tel: to the phone.
(function () {
  function csrf() {
    var m = document.cookie.match(/csrftoken=([^;]+)/);
    var i = document.querySelector("input[name=csrfmiddlewaretoken]");
    return i ? i.value : m ? m[1] : "";
  }
  function dial(btn) {
    fetch(btn.dataset.dial, { method: "POST", headers: { "X-CSRFToken": csrf() }, credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (d) {
        if (d.tel) { btn.textContent = "拨打 " + d.display; window.location.href = "tel:" + d.tel; }
        else { btn.textContent = d.message || "无法拨打"; }
      });
  }
  document.addEventListener("click", function (e) {
    var b = e.target.closest("button.dial");
    if (b) { e.preventDefault(); dial(b); }
  });
  // 不满意 needs a note (the service refuses it without one); let the browser say so first.
  document.addEventListener("change", function (e) {
    if (!e.target.matches("[data-visit-form] input[name=choice]")) return;
    var note = e.target.form.querySelector("input[name=note]");
    note.required = e.target.value === "reached:unsatisfied";
  });
  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.altKey || e.metaKey) return;
    var row = e.target.closest && e.target.closest("tr[id^=visit-]");
    if (!row || e.target.matches("input[type=text], input:not([type]), textarea")) return;
    if (/^[1-7]$/.test(e.key)) {
      var radios = row.querySelectorAll("input[name=choice]");
      var r = radios[Number(e.key) - 1];
      if (r) { r.checked = true; r.focus(); r.dispatchEvent(new Event("change", { bubbles: true })); e.preventDefault(); }
    } else if (e.key === "d" || e.key === "D") {
      var b = row.querySelector("button.dial");
      if (b) { e.preventDefault(); dial(b); }
    }
  });
})();
