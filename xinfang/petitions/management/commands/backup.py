from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from xinfang.petitions.backup import BackupError, backup


class Command(BaseCommand):
    help = "备份数据库、附件、研判模型和清单到目录 DIR（服务可照常运行）"

    def add_arguments(self, parser):
        parser.add_argument("directory", help="备份目录（新建或空目录）")

    def handle(self, *args, directory, **options):
        try:
            manifest = backup(Path(directory))
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        rows = sum(manifest["counts"].values())
        self.stdout.write(
            f"已备份到 {directory}：{len(manifest['counts'])} 张表 {rows} 行，{len(manifest['files'])} 个文件。"
            "注意：个人信息密钥 XINFANG_DATA_KEY 不在备份中，须另行妥善保管。"
        )
