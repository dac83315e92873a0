// The parts of Apache ECharts the chart pages use (static/js/kpi-charts.js and
// mediation/templates/mediation/dashboards/_charts.html), exposed as window.echarts like the full
// build. Adding a chart type or option (dataZoom, markLine, …) means adding its part here and
// running `make echarts`.
import * as echarts from "echarts/core";
import { BarChart, LineChart, PieChart } from "echarts/charts";
import {
  GraphicComponent,
  GridComponent,
  LegendComponent,
  TitleComponent,
  TooltipComponent,
} from "echarts/components";
import { LabelLayout } from "echarts/features";
import { SVGRenderer } from "echarts/renderers";

echarts.use([
  BarChart,
  LineChart,
  PieChart,
  GraphicComponent,
  GridComponent,
  LegendComponent,
  TitleComponent,
  TooltipComponent,
  LabelLayout,
  SVGRenderer,
]);

window.echarts = echarts;
