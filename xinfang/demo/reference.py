"""Reference data of the demo city (modelled on 连云港市) and accounts for every
bureau and role.  Idempotent: running it twice changes nothing.

One installation for the whole city (issue 14):

    连云港市人民政府
    ├── 连云港市信访局 (案号前缀 连)      city_registrar, city_leader, city_supervisor, city_admin
    ├── 市住房和城乡建设局 … 市纪委监委   city departments (district departments point up to them)
    ├── 海州区人民政府 › 海州区信访局 (海)  registrar, bureau_leader … (the original demo district)
    ├── 连云区人民政府 › 连云区信访局 (连云) lianyun_registrar, lianyun_leader …
    └── 赣榆区人民政府 › 赣榆区信访局 (赣)  ganyu_registrar, ganyu_leader …

海州区 keeps the codes and names it had when the demo was one district."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from django.contrib.auth.hashers import make_password
from django.db import transaction

from xinfang.accounts.models import Role, User
from xinfang.units.bureaus import bureau_for
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

# The city's own departments: (code suffix, name, short name = the template hint, keywords).
CITY_DEPARTMENTS = [
    ("D01", "市住房和城乡建设局", "住建", "物业 房屋 维修基金 电梯 燃气 烂尾 预售 开发商"),
    ("D02", "市人力资源和社会保障局", "人社", "社保 养老保险 工伤 欠薪 劳动仲裁"),
    ("D03", "市自然资源和规划局", "自然资源", "规划 土地 不动产 确权 用地 海域"),
    ("D04", "市生态环境局", "环境", "污染 排污 化工园区 环评"),
    ("D05", "市教育局", "教育", "学校 招生 教师 中考"),
    ("D06", "市卫生健康委员会", "卫健", "医院 医疗 医保定点"),
    ("D07", "市市场监督管理局", "市场监管", "食品 价格 消费 预付卡"),
    ("D08", "市交通运输局", "交通", "公交 客运 出租车 港口"),
    ("D09", "市城市管理局", "城管", "市容 违建 渣土 路灯"),
    ("D10", "市民政局", "民政", "低保 救助 养老院 殡葬"),
]
CITY_POLITICAL_LEGAL = [("P01", "中共连云港市委政法委员会", "政法委", "诉讼 判决 执行 政法")]


@dataclass(frozen=True)
class DistrictPlan:
    """A county-level area of the city beside 海州区: its government, bureau,
    towns and the departments it has (short names of DEPARTMENTS)."""

    key: str  # account prefix: lianyun_registrar …
    code: str
    name: str  # 连云区
    prefix: str  # case-number prefix of its bureau
    phone: str
    address: str
    towns: tuple[tuple[str, str], ...]
    departments: tuple[str, ...] = (
        "住建",
        "人社",
        "教育",
        "卫健",
        "环境",
        "交通",
        "市场监管",
        "城管",
        "自然资源",
        "民政",
        "农业农村",
        "退役军人",
        "征收",
    )


DISTRICT_PLANS = [
    DistrictPlan(
        key="lianyun",
        code="320703",
        name="连云区",
        prefix="连云",
        phone="0518-82311234",
        address="连云港市连云区中山中路",
        towns=(
            ("墟沟街道", "墟沟 海棠路 北固山"),
            ("连云街道", "连云 老街 港口"),
            ("连岛街道", "连岛 大沙湾 苏马湾"),
            ("云山街道", "云山 云台山"),
            ("板桥街道", "板桥 徐圩"),
            ("宿城街道", "宿城 枫树湾"),
            ("高公岛街道", "高公岛 黄窝 西连岛"),
            ("朝阳街道", "朝阳 韩李"),
            ("中云街道", "中云 后顶"),
            ("猴嘴街道", "猴嘴 盐场"),
        ),
    ),
    DistrictPlan(
        key="ganyu",
        code="320707",
        name="赣榆区",
        prefix="赣",
        phone="0518-86221234",
        address="连云港市赣榆区青口镇黄海路",
        towns=(
            ("青口镇", "青口 黄海路"),
            ("柘汪镇", "柘汪 临港"),
            ("石桥镇", "石桥"),
            ("金山镇", "金山"),
            ("黑林镇", "黑林 大吴山"),
            ("厉庄镇", "厉庄"),
            ("海头镇", "海头 海脐"),
            ("塔山镇", "塔山 塔山湖"),
            ("赣马镇", "赣马"),
            ("班庄镇", "班庄 夹谷山"),
            ("城头镇", "城头"),
            ("城西镇", "城西"),
            ("宋庄镇", "宋庄"),
            ("沙河镇", "沙河"),
            ("墩尚镇", "墩尚"),
            ("罗阳镇", "罗阳"),
            ("赣榆经济开发区", "开发区 经济开发区"),
        ),
    ),
]

# Accounts printed by `make demo`: (username, role, unit code — or None, full name).
ROLE_ACCOUNTS = [
    # 海州区 (the original demo accounts: tests and the README use these names)
    ("registrar", Role.REGISTRAR, "320706-XF", "王登记"),
    ("registrar2", Role.REGISTRAR, "320706-XF", "陈接待"),
    ("bureau_leader", Role.BUREAU_LEADER, "320706-XF", "李局长"),
    ("supervisor", Role.SUPERVISOR, "320706-XF", "赵督查"),
    ("admin", Role.ADMIN, "320706-XF", "系统管理员"),
    ("handler", Role.HANDLER, "320706-005", "刘承办"),  # 新海街道
    ("unit_leader", Role.UNIT_LEADER, "320706-005", "孙主任"),
    ("housing_handler", Role.HANDLER, "320706-D01", "周承办"),  # 区住房和城乡建设局
    ("housing_leader", Role.UNIT_LEADER, "320706-D01", "吴局长"),
    ("discipline_handler", Role.HANDLER, "320706-JW", "郑监察"),
    ("pl_handler", Role.HANDLER, "320706-P01", "冯政法"),  # 中共海州区委政法委员会
    ("district_leader", Role.UNIT_LEADER, "320706", "钱副区长"),
    ("hearing_member", Role.HEARING_MEMBER, None, "王建国"),  # the first panel member of hearings.demo
    # 连云港市 (the city bureau and city departments)
    ("city_registrar", Role.REGISTRAR, "320700-XF", "林登记"),
    ("city_leader", Role.BUREAU_LEADER, "320700-XF", "黄局长"),
    ("city_supervisor", Role.SUPERVISOR, "320700-XF", "何督查"),
    ("city_admin", Role.ADMIN, "320700-XF", "市系统管理员"),
    ("city_housing_handler", Role.HANDLER, "320700-D01", "马承办"),  # 市住房和城乡建设局
    ("city_housing_leader", Role.UNIT_LEADER, "320700-D01", "高处长"),
    ("city_hrss_handler", Role.HANDLER, "320700-D02", "罗承办"),  # 市人力资源和社会保障局
    ("city_discipline_handler", Role.HANDLER, "320700-JW", "梁监察"),
    ("city_gov_leader", Role.UNIT_LEADER, "320700", "宋副市长"),
    # 连云区
    ("lianyun_registrar", Role.REGISTRAR, "320703-XF", "唐登记"),
    ("lianyun_leader", Role.BUREAU_LEADER, "320703-XF", "许局长"),
    ("lianyun_supervisor", Role.SUPERVISOR, "320703-XF", "韩督查"),
    ("lianyun_admin", Role.ADMIN, "320703-XF", "连云区系统管理员"),
    ("lianyun_handler", Role.HANDLER, "320703-002", "冯承办"),  # 连云街道
    ("lianyun_unit_leader", Role.UNIT_LEADER, "320703-002", "曹主任"),
    ("lianyun_housing_handler", Role.HANDLER, "320703-D01", "彭承办"),  # 连云区住房和城乡建设局
    ("lianyun_district_leader", Role.UNIT_LEADER, "320703", "曾副区长"),
    # 赣榆区
    ("ganyu_registrar", Role.REGISTRAR, "320707-XF", "蒋登记"),
    ("ganyu_leader", Role.BUREAU_LEADER, "320707-XF", "蔡局长"),
    ("ganyu_supervisor", Role.SUPERVISOR, "320707-XF", "贾督查"),
    ("ganyu_admin", Role.ADMIN, "320707-XF", "赣榆区系统管理员"),
    ("ganyu_handler", Role.HANDLER, "320707-001", "丁承办"),  # 青口镇
    ("ganyu_unit_leader", Role.UNIT_LEADER, "320707-001", "魏主任"),
    ("ganyu_housing_handler", Role.HANDLER, "320707-D01", "薛承办"),  # 赣榆区住房和城乡建设局
    ("ganyu_district_leader", Role.UNIT_LEADER, "320707", "叶副区长"),
]


@dataclass
class District:
    """One county-level area: its government, bureau and the bodies under it."""

    government: Unit
    bureau: Unit
    discipline: Unit
    towns: list[Unit]
    communities: list[Unit]
    departments: list[Unit]
    political_legal: list[Unit]

    @property
    def bodies(self) -> list[Unit]:
        """The units that handle matters, for the handler and leader of each."""
        return [*self.towns, *self.departments, *self.political_legal, self.discipline, self.government]


@dataclass
class Reference:
    # 海州区 (the demo's original district; the mechanism demos work here)
    city: Unit
    district: Unit
    bureau: Unit
    discipline: Unit
    towns: list[Unit]
    communities: list[Unit]
    departments: list[Unit]
    political_legal: list[Unit]
    categories: dict[str, list[Category]]
    # The city: its bureau and departments, and every district (海州区 first)
    city_bureau: Unit | None = None
    city_departments: list[Unit] = field(default_factory=list)
    city_discipline: Unit | None = None
    districts: list[District] = field(default_factory=list)

    def haizhou_units(self) -> dict:
        """海州区's units under the names the mechanism demos read (vars of the one-district Reference)."""
        return {
            "city": self.city,
            "district": self.district,
            "bureau": self.bureau,
            "discipline": self.discipline,
            "towns": self.towns,
            "communities": self.communities,
            "departments": self.departments,
            "political_legal": self.political_legal,
            "categories": self.categories,
        }

    @property
    def bureaus(self) -> list[Unit]:
        """The city bureau first, then the districts' bureaus."""
        return [self.city_bureau, *(d.bureau for d in self.districts)]


def _unit(code: str, **fields) -> Unit:
    unit = Unit.objects.filter(code=code).first()
    if unit is None:
        unit = Unit(code=code, **fields)
        unit.save()
    return unit


def _set_once(unit: Unit, **fields) -> Unit:
    """Fill fields a database made by an older demo lacks (never overwrite a value set in the admin)."""
    changed = [name for name, value in fields.items() if not getattr(unit, name)]
    for name in changed:
        setattr(unit, name, fields[name])
    if changed:
        unit.save(update_fields=changed)
    return unit


def _communities(town: Unit, index: int, per_town: int) -> list[Unit]:
    name = town.name
    suffix = COMMUNITY_SUFFIXES[1] if name.endswith("镇") else COMMUNITY_SUFFIXES[0]
    short = name.removesuffix("街道").removesuffix("镇").removesuffix("经济开发区")
    return [
        _unit(
            f"{town.code}-{j + 1:02d}",
            name=f"{short}{COMMUNITY_NAMES[(index * 3 + j) % len(COMMUNITY_NAMES)]}{suffix}",
            parent=town,
            level=UnitLevel.COMMUNITY,
            kind=UnitKind.TERRITORIAL,
        )
        for j in range(per_town)
    ]


def _haizhou(city: Unit) -> District:
    """The original demo district: codes, names and keywords as they always were."""
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
    _set_once(bureau, case_prefix="海")
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
        communities.extend(_communities(town, i, 3))
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
    return District(district, bureau, discipline, towns, communities, departments, political_legal)


def _district(city: Unit, plan: DistrictPlan) -> District:
    """A district beside 海州区, named after itself (连云区住房和城乡建设局 …)."""
    name, code = plan.name, plan.code
    government = _unit(
        code,
        name=f"{name}人民政府",
        short_name=name,
        parent=city,
        level=UnitLevel.COUNTY,
        kind=UnitKind.LEADERSHIP,
        phone=plan.phone,
    )
    bureau = _unit(
        f"{code}-XF",
        name=f"{name}信访局",
        short_name=f"{name}信访局",
        parent=government,
        level=UnitLevel.COUNTY,
        kind=UnitKind.BUREAU,
        phone=plan.phone[:-4] + "2345",
        address=plan.address,
    )
    _set_once(bureau, case_prefix=plan.prefix)
    discipline = _unit(
        f"{code}-JW",
        name=f"{name}纪委监委",
        short_name="纪委监委",
        parent=government,
        level=UnitLevel.COUNTY,
        kind=UnitKind.DISCIPLINE,
        phone="0518-12388",
        keywords="贪污 受贿 违纪 吃拿卡要 公款",
    )
    towns, communities = [], []
    for i, (town_name, keywords) in enumerate(plan.towns, start=1):
        town = _unit(
            f"{code}-{i:03d}",
            name=town_name,
            short_name=town_name.removesuffix("街道").removesuffix("镇"),
            parent=government,
            level=UnitLevel.TOWN,
            kind=UnitKind.TERRITORIAL,
            keywords=keywords,
            address=f"{name}{town_name}便民服务中心",
        )
        towns.append(town)
        communities.extend(_communities(town, i, 2))
    catalogue = {short: (full, keywords) for full, short, keywords in DEPARTMENTS}
    departments = []
    for i, short in enumerate(plan.departments, start=1):
        full, keywords = catalogue[short]
        if short == "环境":
            full = f"市生态环境局{name.removesuffix('区')}分局"
        else:
            full = name + full.removeprefix("区")
        departments.append(
            _unit(
                f"{code}-D{i:02d}",
                name=full,
                short_name=short,
                parent=government,
                level=UnitLevel.COUNTY,
                kind=UnitKind.DEPARTMENT,
                keywords=keywords,
            )
        )
    district_short = name.removesuffix("区")
    political_legal = [
        _unit(
            f"{code}-P{i:02d}",
            name=full,
            short_name=short,
            parent=government,
            level=UnitLevel.COUNTY,
            kind=UnitKind.POLITICAL_LEGAL,
            keywords=keywords,
        )
        for i, (full, short, keywords) in enumerate(
            [
                (f"中共{name}委政法委员会", "政法委", "诉讼 判决 执行 政法"),
                (f"{name}人民法院", "法院", "判决 裁定 执行款 法院 立案"),
                (f"{name}人民检察院", "检察院", "抗诉 检察 刑事申诉"),
                (f"连云港市公安局{district_short}分局", "公安", "报警 派出所 打架 诈骗 传销"),
            ],
            start=1,
        )
    ]
    return District(government, bureau, discipline, towns, communities, departments, political_legal)


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
    city_bureau = _unit(
        "320700-XF",
        name="连云港市信访局",
        short_name="市信访局",
        parent=city,
        level=UnitLevel.CITY,
        kind=UnitKind.BUREAU,
        phone="0518-85800001",
        address="连云港市海州区朝阳东路",
    )
    _set_once(city_bureau, case_prefix="连")
    city_departments = [
        _unit(
            f"320700-{suffix}",
            name=name,
            short_name=short,
            parent=city,
            level=UnitLevel.CITY,
            kind=UnitKind.DEPARTMENT,
            keywords=keywords,
            phone=f"0518-858{i:05d}",
        )
        for i, (suffix, name, short, keywords) in enumerate(CITY_DEPARTMENTS, start=1)
    ]
    city_departments += [
        _unit(
            f"320700-{suffix}",
            name=name,
            short_name=short,
            parent=city,
            level=UnitLevel.CITY,
            kind=UnitKind.POLITICAL_LEGAL,
            keywords=keywords,
        )
        for suffix, name, short, keywords in CITY_POLITICAL_LEGAL
    ]
    city_discipline = _unit(
        "320700-JW",
        name="连云港市纪委监委",
        short_name="市纪委监委",
        parent=city,
        level=UnitLevel.CITY,
        kind=UnitKind.DISCIPLINE,
        phone="0518-12388",
        keywords="贪污 受贿 违纪 公款",
    )
    haizhou = _haizhou(city)
    districts = [haizhou, *(_district(city, plan) for plan in DISTRICT_PLANS)]
    # A district department answers to the city department of its system (区住建局 → 市住建局).
    upper = {u.short_name: u for u in city_departments}
    for district in districts:
        for department in [*district.departments, *district.political_legal]:
            if department.short_name in upper:
                _set_once(department, upper_department=upper[department.short_name])
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
        district=haizhou.government,
        bureau=haizhou.bureau,
        discipline=haizhou.discipline,
        towns=haizhou.towns,
        communities=haizhou.communities,
        departments=haizhou.departments,
        political_legal=haizhou.political_legal,
        categories=categories,
        city_bureau=city_bureau,
        city_departments=city_departments,
        city_discipline=city_discipline,
        districts=districts,
    )


@dataclass
class Account:
    username: str
    role: str  # the role's label
    unit: str
    bureau: str  # the bureau the account works with ("—" for hearing members)


@lru_cache(maxsize=1)
def _demo_password_hash() -> str:
    """The demo password hashed once: a few hundred accounts share the one public password,
    and hashing it for each (Argon2, ~0.2 s) would add a minute to `make demo`."""
    return make_password(DEMO_PASSWORD)


def _make_user(username: str, role: str, unit: Unit | None, full_name: str) -> None:
    if User.objects.filter(username=username).exists():
        return
    user = User(
        username=username,
        role=role,
        unit=unit,
        full_name=full_name,
        is_staff=role == Role.ADMIN,
        is_superuser=role == Role.ADMIN,
    )
    user.password = _demo_password_hash()
    user.save()


@transaction.atomic
def ensure_accounts(ref: Reference) -> list[Account]:
    """Accounts for every bureau and role (DOMAIN.md §1), and a handler and a leader
    for every unit that handles matters; returns the named accounts, in the order
    of ROLE_ACCOUNTS (bureau by bureau)."""
    by_code = {u.code: u for u in Unit.objects.all()}
    rows = []
    for username, role, code, full_name in ROLE_ACCOUNTS:
        unit = by_code[code] if code else None
        _make_user(username, role, unit, full_name)
        bureau = bureau_for(unit)
        rows.append(
            Account(
                username, str(Role(role).label), unit.name if unit else "—", bureau.name if bureau else "—"
            )
        )
    # A handler and a leader for every unit, so any routed matter can move on.
    bodies = [*ref.city_departments, ref.city_discipline, ref.city]
    for district in ref.districts:
        bodies += district.bodies
    for unit in bodies:
        for role in (Role.HANDLER, Role.UNIT_LEADER):
            username = f"{role}_{unit.code}".replace("-", "_").lower()
            label = "承办人" if role == Role.HANDLER else "负责人"
            _make_user(username, role, unit, f"{unit.display_short}{label}")
    # Every bureau's desk has someone: registrars and leaders of the districts beyond the named ones.
    for bureau in ref.bureaus:
        for role in (Role.REGISTRAR, Role.BUREAU_LEADER, Role.SUPERVISOR):
            if not User.objects.filter(unit=bureau, role=role).exists():
                _make_user(
                    f"{role}_{bureau.code}".replace("-", "_").lower(),
                    role,
                    bureau,
                    f"{bureau.display_short}{Role(role).label}",
                )
    return rows
