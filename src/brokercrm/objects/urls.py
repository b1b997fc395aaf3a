app_name = "objects"
urlpatterns: list = []
