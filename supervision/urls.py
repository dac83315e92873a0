from django.urls import path

from .kpi import views as kpi
from .risk import views as risk
from .views import baoan, orders, overdue

app_name = "supervision"

urlpatterns = [
    path("overdue/", overdue.overdue_board, name="overdue"),
    path("overdue/export/", overdue.overdue_export, name="overdue-export"),
    path("orders/", orders.order_list, name="orders"),
    path("orders/unit/", orders.unit_orders, name="unit-orders"),
    path("orders/new/<str:number>/", orders.order_issue, name="order-issue"),
    path("orders/<int:pk>/", orders.order_detail, name="order-detail"),
    path("orders/<int:pk>/<str:action>/", orders.order_act, name="order-act"),
    path("baoan/", baoan.baoan_list, name="baoan"),
    path("kpi/", kpi.kpi_board, name="kpi"),
    path("kpi/export/", kpi.kpi_export, name="kpi-export"),
    path("kpi/monthly-report/", kpi.monthly_report, name="monthly-report"),
    path("risk/", risk.risk_list, name="risk-list"),
    path("risk/<int:pk>/", risk.risk_detail, name="risk-detail"),
]
