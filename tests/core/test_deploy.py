"""`check --deploy` is clean with the production profile."""

import os
import subprocess
import sys


def test_check_deploy_is_clean_in_production(tmp_path):
    env = {**os.environ, "WANGHUA_PRODUCTION": "1", "WANGHUA_SECRET_KEY": "k" * 20 + "x9!Q" * 10,
           "WANGHUA_ALLOWED_HOSTS": "wanghua.example.cn", "WANGHUA_VAR_DIR": str(tmp_path)}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    result = subprocess.run([sys.executable, "-m", "wanghua.cli", "check", "--deploy", "--fail-level", "WARNING"],
                            env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret(tmp_path):
    env = {**os.environ, "WANGHUA_PRODUCTION": "1", "WANGHUA_VAR_DIR": str(tmp_path)}
    env.pop("WANGHUA_SECRET_KEY", None)
    result = subprocess.run([sys.executable, "-m", "wanghua.cli", "check"], env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode != 0 and "WANGHUA_SECRET_KEY" in result.stderr
