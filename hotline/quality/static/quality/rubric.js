// Live total on the rubric form: Σ points / Σ weights × 100.
(function () {
  document.querySelectorAll("form[data-rubric]").forEach(function (form) {
    var out = form.querySelector("[data-total] span");
    function total() {
      var got = 0, all = 0, ok = true;
      form.querySelectorAll("input[data-weight]").forEach(function (i) {
        var w = Number(i.dataset.weight), v = Number(i.value);
        all += w;
        if (i.value === "" || isNaN(v) || v < 0 || v > w) ok = false; else got += v;
      });
      out.textContent = ok && all ? (Math.round(got * 1000 / all) / 10) + " 分" : "—";
    }
    form.addEventListener("input", total);
    total();
  });
})();
