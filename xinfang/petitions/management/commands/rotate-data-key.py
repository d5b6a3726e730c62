"""`xinfang rotate-data-key`: re-encrypt personal data under a new XINFANG_DATA_KEY (petitions/rekey.py).

Stop the web processes and workers first; then set XINFANG_DATA_KEY to the new key and start them.
"""

import os
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from xinfang.petitions.rekey import WrongKey, rotate


def _key(name: str, file_arg: str | None) -> str:
    if file_arg:
        return Path(file_arg).read_text(encoding="utf-8").strip()
    if os.environ.get(f"{name}_FILE"):
        return Path(os.environ[f"{name}_FILE"]).read_text(encoding="utf-8").strip()
    return os.environ.get(name, "").strip()


class Command(BaseCommand):
    help = "更换个人信息加密密钥：用新密钥重新加密并重建查询哈希（可中断后重新运行）"

    def add_arguments(self, parser):
        parser.add_argument(
            "--old-key-file", help="旧密钥文件（默认：当前 XINFANG_DATA_KEY，或 XINFANG_OLD_DATA_KEY[_FILE]）"
        )
        parser.add_argument("--new-key-file", help="新密钥文件（或环境变量 XINFANG_NEW_DATA_KEY[_FILE]）")

    def handle(self, *args, old_key_file=None, new_key_file=None, **options):
        old = _key("XINFANG_OLD_DATA_KEY", old_key_file) or settings.DATA_KEY or settings.SECRET_KEY
        new = _key("XINFANG_NEW_DATA_KEY", new_key_file)
        if not new:
            raise CommandError("请提供新密钥：--new-key-file 或 XINFANG_NEW_DATA_KEY(_FILE)")
        if len(new) < 32:
            raise CommandError(
                "新密钥太短：至少 32 个字符（例如 python -c 'import secrets;print(secrets.token_urlsafe(48))'）"
            )
        if new == old:
            raise CommandError("新密钥与旧密钥相同")

        def progress(model, last_pk, changed):
            self.stderr.write(f"  {model}: 已处理到 #{last_pk}，改写 {changed} 行")

        try:
            changed = rotate(old=old, new=new, progress=progress)
        except WrongKey as exc:
            raise CommandError(str(exc)) from None
        for model, n in changed.items():
            self.stdout.write(f"{model}: {n}")
        self.stdout.write(
            "完成。请将 XINFANG_DATA_KEY 改为新密钥并重启全部网页进程和后台任务，然后再运行一次本命令核对。"
        )
