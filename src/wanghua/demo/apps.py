from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "wanghua.demo"
    label = "demo"
    verbose_name = "Demo district"
