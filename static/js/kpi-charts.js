/* KPI board charts (supervision:kpi). Draws the figures embedded by json_script with the vendored
 * Apache ECharts; the tables below the charts hold the same numbers, so without JavaScript (or
 * ECharts) nothing is lost and the chart area simply stays hidden. */
(function () {
  "use strict";
  var source = document.getElementById("kpi-chart-data");
  var area = document.querySelector("[data-kpi-charts]");
  if (!source || !area || typeof window.echarts === "undefined") return;
  var data = JSON.parse(source.textContent);
  var RED = "#b3261e", BLUE = "#2563eb", AMBER = "#d97706";
  var PALETTE = [RED, BLUE, AMBER, "#059669", "#7c3aed", "#0891b2", "#be185d", "#4b5563"];
  var FONT = '"PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC", sans-serif';
  var L = data.labels;
  var narrow = window.matchMedia("(max-width: 575.98px)").matches;

  function base(title) {
    return {
      color: PALETTE,
      textStyle: { fontFamily: FONT },
      title: { text: title, left: 8, top: 4, textStyle: { fontSize: 14, fontWeight: 600, color: "#1f2937" } },
      tooltip: { trigger: "axis", confine: true },
      legend: { top: 28, right: 8, itemWidth: 14, itemHeight: 8, textStyle: { fontSize: 11 } },
      grid: { left: 8, right: 12, top: 64, bottom: 8, containLabel: true },
      animation: false
    };
  }

  function empty(option, values) {
    var total = values.reduce(function (sum, v) { return sum + (v || 0); }, 0);
    if (total === 0) {
      option.graphic = { type: "text", left: "center", top: "middle", style: { text: L.empty, fill: "#6b7280", fontSize: 13 } };
    }
    return option;
  }

  function trend() {
    var t = data.trend;
    var option = base(data.titles.trend);
    option.xAxis = { type: "category", data: t.months, axisLabel: { fontSize: 11, hideOverlap: true } };
    option.yAxis = [
      { type: "value", minInterval: 1, axisLabel: { fontSize: 11 } },
      { type: "value", min: 0, max: 100, axisLabel: { fontSize: 11, formatter: "{value}%" }, splitLine: { show: false } }
    ];
    option.series = [
      { name: L.registered, type: "line", data: t.registered, smooth: false, symbolSize: 6 },
      { name: L.closed, type: "line", data: t.closed, symbolSize: 6 },
      { name: L.on_time_rate, type: "line", yAxisIndex: 1, data: t.on_time_rate, lineStyle: { type: "dashed" }, symbolSize: 4, connectNulls: false }
    ];
    return empty(option, t.registered.concat(t.closed));
  }

  // Names longer than this do not fit under a bar, even slanted: the bars then lie down and the
  // names stand in full on the left (never cut off with "…").
  var LONG_LABEL = 6;

  function longest(labels) {
    return labels.reduce(function (most, label) { return Math.max(most, String(label).length); }, 0);
  }

  function bars(key, rotate) {
    var d = data[key];
    var option = base(data.titles[key]);
    option.tooltip.axisPointer = { type: "shadow" };
    var categories = { type: "category", data: d.labels, axisLabel: { fontSize: 11, interval: 0, rotate: rotate ? 30 : 0 } };
    var counts = { type: "value", minInterval: 1, axisLabel: { fontSize: 11 } };
    if (longest(d.labels) > LONG_LABEL) {
      categories.inverse = true;
      categories.axisLabel = { fontSize: 11, interval: 0, width: narrow ? 120 : 180, overflow: "break" };
      option.yAxis = categories;
      option.xAxis = counts;
      option.height = 96 + d.labels.length * 30;
    } else {
      option.xAxis = categories;
      option.yAxis = counts;
    }
    option.series = [
      { name: L.registered, type: "bar", data: d.registered, barMaxWidth: 28 },
      { name: L.closed, type: "bar", data: d.closed, barMaxWidth: 28 }
    ];
    return empty(option, d.registered.concat(d.closed));
  }

  function channel() {
    var option = base(data.titles.channel);
    var total = data.channel.reduce(function (sum, c) { return sum + c.value; }, 0);
    option.tooltip = { trigger: "item", formatter: "{b}：{c}（{d}%）", confine: true };
    // The legend names every channel; only slices big enough to hold one carry a label.
    option.legend = { type: "plain", bottom: 0, left: "center", width: "92%", itemWidth: 12, itemHeight: 8, textStyle: { fontSize: 11 } };
    option.series = [{
      type: "pie", radius: ["34%", "58%"], center: ["50%", "50%"], percentPrecision: 0,
      data: data.channel.map(function (c) {
        var big = total > 0 && c.value / total >= 0.06;
        return { name: c.name, value: c.value, label: { show: big }, labelLine: { show: big } };
      }),
      label: { formatter: "{d}%", fontSize: 11, overflow: "none" }, avoidLabelOverlap: true
    }];
    return empty(option, data.channel.map(function (c) { return c.value; }));
  }

  var options = {
    trend: trend(),
    matter: bars("matter", narrow || data.matter.labels.length > 6),
    region: bars("region", narrow ? data.region.labels.length > 3 : data.region.labels.length > 8),
    channel: channel()
  };
  area.hidden = false;
  var charts = [];
  area.querySelectorAll("[data-chart]").forEach(function (el) {
    var option = options[el.getAttribute("data-chart")];
    if (option.height && option.height > el.clientHeight) el.style.height = option.height + "px";
    delete option.height;
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    chart.setOption(option);
    charts.push(chart);
  });
  window.addEventListener("resize", function () {
    charts.forEach(function (chart) { chart.resize(); });
  });
})();
