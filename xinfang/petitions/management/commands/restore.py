from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from xinfang.petitions.backup import BackupError, restore


class Command(BaseCommand):
    help = "从备份目录恢复到空数据库，并按清单核对行数、校验和与迁移状态"

    def add_arguments(self, parser):
        parser.add_argument("directory", help="xinfang backup 生成的目录")

    def handle(self, *args, directory, **options):
        try:
            result = restore(Path(directory))
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"已恢复并核对：{result['tables']} 张表 {result['rows']} 行，与清单一致。")
