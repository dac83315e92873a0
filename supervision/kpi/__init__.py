"""The KPI board (统计分析): ``measures`` (the figures, grouped SQL), ``snapshot`` (the daily
snapshot's writes), ``tables`` (the board's tables, headline figures and chart data),
``exports`` (the monthly PDF report), ``forms`` and ``views``. Definitions: docs/kpi.md."""
