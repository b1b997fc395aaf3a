"""Background work: django-tasks with its database backend; `brokercrm db_worker` runs it."""
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default", "datacenter", "messages"],
    }
}
