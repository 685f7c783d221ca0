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
    path("desk/agent/caller/", agent.agent_caller, name="agent_caller"),
    path("desk/agent/similar/", agent.agent_similar, name="agent_similar"),
    path("desk/agent/categories/", agent.agent_categories, name="agent_categories"),
    path("desk/agent/departments/", agent.agent_departments, name="agent_departments"),
    path("desk/agent/streets/", agent.agent_streets, name="agent_streets"),
    path("desk/agent/<str:number>/relate/", agent.agent_relate, name="agent_relate"),
    # Dispatch and review desk (派单审核台)
    path("desk/dispatch/", dispatch.dispatch_desk, name="dispatch_desk"),
    path("desk/dispatch/bulk/", dispatch.dispatch_bulk, name="dispatch_bulk"),
    # Department desk (承办台)
    path("desk/department/", department.department_desk, name="department_desk"),
    path("desk/department/overview/", department.department_overview, name="department_overview"),
    path("desk/department/bulk/", department.department_bulk, name="department_bulk"),
    # Visit desk (回访台)
    path("desk/visit/", visit.visit_desk, name="visit_desk"),
    # Supervisor overview (运行总览)
    path("desk/supervisor/", supervisor.supervisor_overview, name="supervisor_overview"),
]
