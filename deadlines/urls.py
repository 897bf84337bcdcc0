from django.urls import path

from deadlines.views import isu, user

app_name = "deadlines"

urlpatterns = [
    # Signed-in users
    path("me/reminders/", user.my_reminders, name="my_reminders"),
    path("me/reminders/snooze/", user.snooze, name="snooze"),
    path("me/reminders/unsnooze/", user.unsnooze, name="unsnooze"),
    path("me/calendar/", user.my_calendars, name="my_calendars"),
    path("me/calendar/new/", user.feed_create, name="feed_create"),
    path("me/calendar/<int:pk>/revoke/", user.feed_revoke, name="feed_revoke"),
    # The feed itself: the secret token is the only credential (calendar apps cannot sign in).
    path("calendar/<str:token>.ics", user.feed, name="feed"),
    # ISU staff (two-factor enforced under /isu/)
    path("isu/deadlines/", isu.deadline_overview, name="isu_deadlines"),
    path("isu/reminders/", isu.reminder_log, name="isu_reminders"),
]
