app_name = "arms"

urlpatterns: list = []
