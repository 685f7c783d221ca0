// 考核指标看板 charts; data from the page's json_script blocks.
(function () {
  "use strict";
  if (!window.echarts) return;
  function data(id) { const el = document.getElementById(id); return el ? JSON.parse(el.textContent) : null; }
  const font = { fontFamily: getComputedStyle(document.body).fontFamily, fontSize: 12 };
  const charts = [];
  const trend = data("data-trend");
  const trendEl = document.getElementById("chart-trend");
  if (trend && trendEl) {
    const c = echarts.init(trendEl, null, { renderer: "svg" });
    c.setOption({
      textStyle: font, animation: false,
      color: ["#b9cde6", "#1d5fa8", "#1e7b4f", "#a35a00"],
      tooltip: { trigger: "axis" },
      legend: { data: ["受理量", "按时办结率", "综合满意率", "接通率"], top: 0, left: 0 },
      grid: { left: 40, right: 36, top: 48, bottom: 28 },
      xAxis: { type: "category", data: trend.days, axisLabel: { interval: "auto" } },
      yAxis: [
        { type: "value", minInterval: 1, name: "受理量（件）", nameGap: 10, nameTextStyle: { align: "left" } },
        { type: "value", min: 0, max: 100, name: "比率（%）", nameGap: 10, nameTextStyle: { align: "right" }, splitLine: { show: false } }
      ],
      series: [
        { name: "受理量", type: "bar", data: trend.intake, barMaxWidth: 12 },
        { name: "按时办结率", type: "line", yAxisIndex: 1, data: trend.ontime, connectNulls: true, symbolSize: 4 },
        { name: "综合满意率", type: "line", yAxisIndex: 1, data: trend.satisfaction, connectNulls: true, symbolSize: 4 },
        { name: "接通率", type: "line", yAxisIndex: 1, data: trend.answer, connectNulls: true, symbolSize: 4 }
      ]
    });
    charts.push(c);
  }
  const rank = data("data-rank");
  const rankEl = document.getElementById("chart-rank");
  if (rank && rankEl) {
    const c = echarts.init(rankEl, null, { renderer: "svg" });
    c.setOption({
      textStyle: font, animation: false, color: ["#1d5fa8"],
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: "value", min: 0, max: 100 },
      yAxis: { type: "category", data: rank.names, axisLabel: { width: 120, overflow: "truncate" } },
      series: [{ name: "综合得分", type: "bar", data: rank.scores, barMaxWidth: 14, label: { show: true, position: "right" } }]
    });
    charts.push(c);
  }
  const heat = data("data-heat");
  const heatEl = document.getElementById("chart-heat");
  if (heat && heatEl) {
    heatEl.style.height = Math.max(180, heat.districts.length * 30 + 90) + "px";
    const c = echarts.init(heatEl, null, { renderer: "svg" });
    c.setOption({
      textStyle: font, animation: false,
      tooltip: { position: "top", formatter: function (p) {
        return heat.districts[p.value[1]] + " · " + heat.categories[p.value[0]] + "：" + p.value[2] + " 件"; } },
      grid: { left: 8, right: 70, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: heat.categories, splitArea: { show: true }, axisLabel: { interval: 0, rotate: heat.categories.length > 8 ? 30 : 0 } },
      yAxis: { type: "category", data: heat.districts, splitArea: { show: true }, inverse: true },
      visualMap: { min: 0, max: Math.max(1, heat.max), calculable: true, orient: "vertical", right: 0, top: "middle", itemHeight: 100,
                   inRange: { color: ["#f3f7fc", "#b9cde6", "#1d5fa8"] }, textStyle: font },
      series: [{ name: "受理量", type: "heatmap", data: heat.cells, label: { show: true, fontSize: 11 },
                 emphasis: { itemStyle: { borderColor: "#1f2933", borderWidth: 1 } } }]
    });
    charts.push(c);
  }
  const dt = data("data-dept-trend");
  const heads = data("data-dept-heads");
  const dtEl = document.getElementById("chart-dept-trend");
  if (dt && heads && dtEl) {
    const c = echarts.init(dtEl, null, { renderer: "svg" });
    const series = heads.map(function (h) {
      return { name: h.name, type: "line", data: dt[h.key], connectNulls: true, symbolSize: 5 };
    });
    series.push({ name: "综合得分", type: "bar", data: dt.score, barMaxWidth: 22, itemStyle: { color: "#dbe6f3" }, z: 1 });
    c.setOption({
      textStyle: font, animation: false,
      color: ["#1d5fa8", "#1e7b4f", "#b42318", "#7a4fb5", "#a35a00", "#5f6b7a"],
      tooltip: { trigger: "axis", valueFormatter: function (v) { return v == null ? "—" : v.toFixed(2); } },
      legend: { top: 0, left: 0 },
      grid: { left: 40, right: 16, top: 64, bottom: 28 },
      xAxis: { type: "category", data: dt.months },
      yAxis: { type: "value", min: 0, max: 100, name: "比率（%）／得分", nameGap: 12, nameTextStyle: { align: "left" } },
      series: series
    });
    charts.push(c);
  }
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
