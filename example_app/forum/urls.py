from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

urlpatterns = [
    path("", views.index, name="index"),
    path("topics/new/", views.new_topic, name="new_topic"),
    path("topics/<int:pk>/", views.topic, name="topic"),
    path("topics/<int:pk>/reply/", views.reply, name="reply"),
    path("posts/<int:pk>/edit/", views.edit_post, name="edit_post"),
    path("users/<str:username>/", views.user, name="user"),
    path("profile/", views.edit_profile, name="profile"),
    path("login/", auth_views.LoginView.as_view(template_name="forum/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("api/posts", views.api_posts, name="api_posts"),
    path("api/preview", views.api_preview, name="api_preview"),
    path("__pwned", views.pwned, name="pwned"),
    path("admin/", admin.site.urls),
]
