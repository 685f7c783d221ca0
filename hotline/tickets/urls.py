from django.urls import path

from hotline.tickets.views import agent, department, dispatch, supervisor, ticket, visit

app_name = "tickets"
urlpatterns = [
    path("tickets/", ticket.ticket_search, name="search"),
    path("tickets/<str:number>/", ticket.ticket_page, name="detail"),
    path("tickets/<str:number>/act/<str:action>/", ticket.ticket_act, name="act"),
    path("tickets/<str:number>/citizen/", ticket.ticket_citizen, name="citizen"),
    # Agent desk (受理台)
    path("desk/agent/", agent.agent_desk, name="agent_desk"),
    # Dispatch and review desk (派单审核台)
    path("desk/dispatch/", dispatch.dispatch_desk, name="dispatch_desk"),
    # Department desk (承办台)
    path("desk/department/", department.department_desk, name="department_desk"),
    path("desk/department/overview/", department.department_overview, name="department_overview"),
    # Visit desk (回访台)
    path("desk/visit/", visit.visit_desk, name="visit_desk"),
    # Supervisor overview (运行总览)
    path("desk/supervisor/", supervisor.supervisor_overview, name="supervisor_overview"),
]
