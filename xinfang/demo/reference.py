"""Reference data of the demo district (modelled on 连云港市海州区) and one
account per role.  Idempotent: running it twice changes nothing."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from xinfang.accounts.models import Role, User
from xinfang.units.models import Category, Unit, UnitKind, UnitLevel

DEMO_PASSWORD = "xinfang-demo-2026"

TOWNS = [
    ("海州街道", "海州 鼓楼 孔望山"),
    ("幸福路街道", "幸福路 幸福南路"),
    ("朐阳街道", "朐阳 朐阳门"),
    ("洪门街道", "洪门 洪门东路"),
    ("新海街道", "新海 新海路"),
    ("新东街道", "新东 瀛洲"),
    ("新南街道", "新南 南极"),
    ("路南街道", "路南 学院路"),
    ("新浦街道", "新浦 解放路"),
    ("浦东街道", "浦东 龙河"),
    ("浦西街道", "浦西 盐河"),
    ("南城街道", "南城 凤凰"),
    ("郁洲街道", "郁洲 花果山大道"),
    ("花果山街道", "花果山 大村"),
    ("云台街道", "云台 东磊"),
    ("宁海街道", "宁海 白虎山"),
    ("新坝镇", "新坝"),
    ("锦屏镇", "锦屏 桃李"),
    ("板浦镇", "板浦"),
    ("浦南镇", "浦南 太平"),
]

COMMUNITY_SUFFIXES = ["社区", "村"]
COMMUNITY_NAMES = [
    "朝阳",
    "建设",
    "和平",
    "团结",
    "光明",
    "东方",
    "前进",
    "新华",
    "丰收",
    "幸福",
    "胜利",
    "友谊",
]

DEPARTMENTS = [
    ("区住房和城乡建设局", "住建", "物业 房屋 小区 维修基金 电梯 燃气 供暖 烂尾 交房 开发商"),
    ("区人力资源和社会保障局", "人社", "工资 欠薪 社保 劳动合同 养老保险 工伤 农民工"),
    ("区教育局", "教育", "学校 入学 学区 教师 幼儿园 补课 校车"),
    ("区卫生健康委员会", "卫健", "医院 医疗 医生 疫苗 诊所 计生"),
    ("市生态环境局海州分局", "环境", "噪音 污染 排污 异味 扬尘 油烟 垃圾焚烧"),
    ("区交通运输局", "交通", "公交 道路 出租车 客运 停车"),
    ("区市场监督管理局", "市场监管", "商家 食品 价格 消费 虚假宣传 预付卡"),
    ("区城市管理局", "城管", "占道 违建 摊贩 渣土 路灯 绿化"),
    ("区自然资源和规划局", "自然资源", "规划 土地 不动产 确权 用地"),
    ("区民政局", "民政", "低保 救助 养老院 婚姻 殡葬 残疾"),
    ("区农业农村局", "农业农村", "承包地 宅基地 补贴 农村 养殖"),
    ("区水利局", "水利", "河道 排水 内涝 防汛"),
    ("区应急管理局", "应急", "安全隐患 消防 危化品"),
    ("区财政局", "财政", "补助资金 专项资金"),
    ("区商务局", "商务", "商场 市场 外贸"),
    ("区文化广电和旅游局", "文旅", "景区 广场舞 网吧 文化"),
    ("区退役军人事务局", "退役军人", "退役军人 优抚 安置"),
    ("区医疗保障局", "医保", "医保 报销 门诊 异地就医"),
    ("区税务局", "税务", "纳税 发票 逃税"),
    ("区房屋征收与补偿办公室", "征收", "拆迁 征收 补偿 安置房 棚改"),
    ("区行政审批局", "审批", "审批 许可 办证"),
    ("区发展和改革委员会", "发改", "项目 价格监管 电价"),
    ("区工业和信息化局", "工信", "企业 工厂 通信 基站"),
    ("区司法局", "司法", "法律援助 调解 社区矫正"),
    ("区住房保障中心", "住房保障", "公租房 廉租房 保障房"),
    ("区国有资产管理办公室", "国资", "国有企业 改制 下岗"),
    ("区供销合作总社", "供销", "供销社 农资"),
    ("区审计局", "审计", "审计"),
    ("区统计局", "统计", "统计"),
    ("区数据局", "数据", "政务服务 网络 数据"),
]

POLITICAL_LEGAL = [
    ("中共海州区委政法委员会", "政法委", "诉讼 判决 执行 政法"),
    ("海州区人民法院", "法院", "判决 裁定 执行款 法院 立案"),
    ("海州区人民检察院", "检察院", "抗诉 检察 刑事申诉"),
    ("连云港市公安局海州分局", "公安", "报警 派出所 打架 诈骗 传销"),
]

CATEGORIES = {
    "城乡建设": ["物业管理", "房屋质量", "拆迁安置", "市政设施", "违章建筑", "小区配套"],
    "劳动和社会保障": ["拖欠工资", "社会保险", "养老保险", "劳动关系"],
    "教育文体": ["入学招生", "学校管理", "教师待遇", "文体活动"],
    "商贸旅游": ["消费维权", "市场管理", "旅游服务"],
    "卫生计生": ["医疗纠纷", "医疗服务", "公共卫生"],
    "环境保护": ["噪声污染", "大气污染", "水污染", "固体废物"],
    "交通运输": ["公共交通", "道路建设", "交通管理"],
    "农村农业": ["土地承包", "宅基地", "惠农补贴"],
    "民政": ["社会救助", "养老服务", "优抚安置"],
    "政法": ["诉讼执行", "治安管理", "法律服务"],
    "纪检监察": ["违纪违法", "作风问题"],
}

ROLE_ACCOUNTS = [
    ("registrar", Role.REGISTRAR, "bureau", "王登记"),
    ("registrar2", Role.REGISTRAR, "bureau", "陈接待"),
    ("bureau_leader", Role.BUREAU_LEADER, "bureau", "李局长"),
    ("supervisor", Role.SUPERVISOR, "bureau", "赵督查"),
    ("admin", Role.ADMIN, "bureau", "系统管理员"),
    ("handler", Role.HANDLER, "新海街道", "刘承办"),
    ("unit_leader", Role.UNIT_LEADER, "新海街道", "孙主任"),
    ("housing_handler", Role.HANDLER, "区住房和城乡建设局", "周承办"),
    ("housing_leader", Role.UNIT_LEADER, "区住房和城乡建设局", "吴局长"),
    ("discipline_handler", Role.HANDLER, "区纪委监委", "郑监察"),
    ("pl_handler", Role.HANDLER, "中共海州区委政法委员会", "冯政法"),
    ("district_leader", Role.UNIT_LEADER, "海州区人民政府", "钱副区长"),
    ("hearing_member", Role.HEARING_MEMBER, None, "王建国"),  # the first panel member of hearings.demo
]


@dataclass
class Reference:
    city: Unit
    district: Unit
    bureau: Unit
    discipline: Unit
    towns: list[Unit]
    communities: list[Unit]
    departments: list[Unit]
    political_legal: list[Unit]
    categories: dict[str, list[Category]]


def _unit(code: str, **fields) -> Unit:
    unit = Unit.objects.filter(code=code).first()
    if unit is None:
        unit = Unit(code=code, **fields)
        unit.save()
    return unit


@transaction.atomic
def ensure_reference() -> Reference:
    city = _unit(
        "320700",
        name="连云港市人民政府",
        short_name="连云港市",
        level=UnitLevel.CITY,
        kind=UnitKind.LEADERSHIP,
        phone="0518-12345",
    )
    _unit(
        "320700-XF",
        name="连云港市信访局",
        short_name="市信访局",
        parent=city,
        level=UnitLevel.CITY,
        kind=UnitKind.BUREAU,
        phone="0518-85800001",
        address="连云港市海州区朝阳东路",
    )
    district = _unit(
        "320706",
        name="海州区人民政府",
        short_name="海州区",
        parent=city,
        level=UnitLevel.COUNTY,
        kind=UnitKind.LEADERSHIP,
        phone="0518-85510000",
    )
    bureau = _unit(
        "320706-XF",
        name="海州区信访局",
        short_name="海州区信访局",
        parent=district,
        level=UnitLevel.COUNTY,
        kind=UnitKind.BUREAU,
        phone="0518-85512345",
        address="连云港市海州区朝阳中路68号",
    )
    discipline = _unit(
        "320706-JW",
        name="区纪委监委",
        short_name="纪委监委",
        parent=district,
        level=UnitLevel.COUNTY,
        kind=UnitKind.DISCIPLINE,
        phone="0518-12388",
        keywords="贪污 受贿 违纪 吃拿卡要 公款",
    )
    towns, communities = [], []
    for i, (name, keywords) in enumerate(TOWNS, start=1):
        town = _unit(
            f"320706-{i:03d}",
            name=name,
            short_name=name.removesuffix("街道").removesuffix("镇"),
            parent=district,
            level=UnitLevel.TOWN,
            kind=UnitKind.TERRITORIAL,
            keywords=keywords,
            phone=f"0518-855{i:05d}",
            address=f"海州区{name}便民服务中心",
        )
        towns.append(town)
        for j in range(3):
            base = COMMUNITY_NAMES[(i * 3 + j) % len(COMMUNITY_NAMES)]
            suffix = COMMUNITY_SUFFIXES[1] if name.endswith("镇") else COMMUNITY_SUFFIXES[0]
            communities.append(
                _unit(
                    f"320706-{i:03d}-{j + 1:02d}",
                    name=f"{name.removesuffix('街道').removesuffix('镇')}{base}{suffix}",
                    parent=town,
                    level=UnitLevel.COMMUNITY,
                    kind=UnitKind.TERRITORIAL,
                )
            )
    departments = [
        _unit(
            f"320706-D{i:02d}",
            name=name,
            short_name=short,
            parent=district,
            level=UnitLevel.COUNTY,
            kind=UnitKind.DEPARTMENT,
            keywords=keywords,
            phone=f"0518-856{i:05d}",
        )
        for i, (name, short, keywords) in enumerate(DEPARTMENTS, start=1)
    ]
    political_legal = [
        _unit(
            f"320706-P{i:02d}",
            name=name,
            short_name=short,
            parent=district,
            level=UnitLevel.COUNTY,
            kind=UnitKind.POLITICAL_LEGAL,
            keywords=keywords,
            phone=f"0518-857{i:05d}",
        )
        for i, (name, short, keywords) in enumerate(POLITICAL_LEGAL, start=1)
    ]
    categories: dict[str, list[Category]] = {}
    for i, (top_name, children) in enumerate(CATEGORIES.items(), start=1):
        top, _ = Category.objects.get_or_create(code=f"{i:02d}", defaults={"name": top_name, "sort_order": i})
        categories[top_name] = [
            Category.objects.get_or_create(
                code=f"{i:02d}{j:02d}", defaults={"name": child, "parent": top, "sort_order": j}
            )[0]
            for j, child in enumerate(children, start=1)
        ]
    return Reference(
        city=city,
        district=district,
        bureau=bureau,
        discipline=discipline,
        towns=towns,
        communities=communities,
        departments=departments,
        political_legal=political_legal,
        categories=categories,
    )


@transaction.atomic
def ensure_accounts(ref: Reference) -> list[tuple[str, str, str]]:
    """One account per role (DOMAIN.md §1); returns (username, role label, unit) rows."""
    by_name = {u.name: u for u in Unit.objects.all()}
    rows = []
    for username, role, unit_key, full_name in ROLE_ACCOUNTS:
        unit = ref.bureau if unit_key == "bureau" else by_name.get(unit_key) if unit_key else None
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(
                username=username,
                role=role,
                unit=unit,
                full_name=full_name,
                is_staff=role == Role.ADMIN,
                is_superuser=role == Role.ADMIN,
            )
            user.set_password(DEMO_PASSWORD)
            user.save()
        rows.append((username, Role(role).label, unit.name if unit else "—"))
    # A handler and a leader for every unit, so any routed matter can move on.
    for unit in [*ref.towns, *ref.departments, *ref.political_legal, ref.discipline, ref.district]:
        for role in (Role.HANDLER, Role.UNIT_LEADER):
            username = f"{role}_{unit.code}".replace("-", "_").lower()
            if not User.objects.filter(username=username).exists():
                user = User(
                    username=username,
                    role=role,
                    unit=unit,
                    full_name=f"{unit.display_short}{'承办人' if role == Role.HANDLER else '负责人'}",
                )
                user.set_password(DEMO_PASSWORD)
                user.save()
    return rows
