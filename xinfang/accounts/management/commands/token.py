"""`xinfang token create --user USERNAME --name NAME`: a new API token for scripts and other systems.

The raw token is printed once, on the last line; only its hash is stored (ApiToken.issue).
"""

from django.core.management.base import BaseCommand, CommandError

from xinfang.accounts.models import ApiToken, User


class Command(BaseCommand):
    help = "接口令牌：token create --user 用户名 --name 用途（令牌只显示一次，在最后一行）"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="为用户生成新的接口令牌")
        create.add_argument("--user", required=True, help="用户名")
        create.add_argument("--name", required=True, help="用途（如：市平台对接）")

    def handle(self, *args, action, user, name, **options):
        account = User.objects.filter(username=user).first()
        if account is None:
            raise CommandError(f"用户 {user} 不存在")
        if not account.is_active:
            raise CommandError(f"用户 {user} 已停用")
        name = name.strip()
        if not name:
            raise CommandError("请填写用途（--name）")
        token, raw = ApiToken.issue(account, name[:60])
        self.stdout.write(
            f"已为 {account.username} 生成接口令牌「{token.name}」，请妥善保存（只显示这一次）："
        )
        self.stdout.write(raw)
