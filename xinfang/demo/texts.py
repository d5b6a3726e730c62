"""Synthetic Chinese petition texts for the demo and for benchmarks.

Each template belongs to a subcategory, a class and a kind of handling unit
(a department named by keyword, or the territory), so a model trained on
the generated history has real structure to learn.  Slots are filled from
word lists; nothing here comes from real petitions.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰萍鹏辉建华红梅飞鑫波斌宇浩凯健俊帆帅旭宁晨琳雪婷倩慧"
ESTATES = [
    "凤凰城",
    "锦绣华庭",
    "香榭丽都",
    "盛世嘉园",
    "阳光花园",
    "世纪新城",
    "御景湾",
    "金色家园",
    "翰林苑",
    "瀛洲新村",
    "朝阳小区",
    "新海花园",
    "东方明珠城",
    "盐河人家",
    "龙河湾",
    "学府名苑",
    "江南水岸",
    "恒大名都",
    "碧桂园",
    "万润城",
    "绿地世纪城",
    "秀逸苏杭",
    "开发区宿舍",
    "老火车站宿舍",
    "机械厂宿舍",
    "纺织厂宿舍",
]
ROADS = [
    "解放路",
    "海连路",
    "朝阳路",
    "建设路",
    "人民路",
    "通灌路",
    "幸福南路",
    "郁洲路",
    "花果山大道",
    "凌州路",
    "新建路",
    "苍梧路",
    "瀛洲路",
    "盐河路",
    "巨龙路",
    "学院路",
    "龙河路",
    "新浦路",
]
COMPANIES = [
    "宏达建筑公司",
    "鑫源物业公司",
    "恒信劳务公司",
    "华兴置业公司",
    "金盛装饰公司",
    "远航物流公司",
    "顺达运输公司",
    "新宇电子厂",
    "海韵食品厂",
    "瑞丰商贸公司",
    "天成房地产公司",
    "佳美美容店",
]
SCHOOLS = ["新海实验小学", "海州实验中学", "朝阳小学", "凤凰幼儿园", "外国语学校", "新浦中学"]
HOSPITALS = ["区人民医院", "区中医院", "社区卫生服务中心", "妇幼保健院"]


@dataclass(frozen=True)
class Template:
    category: str  # "top/sub"
    petition_class: str  # suggestion / accusation / claim
    unit_hint: str  # department short name, or "territory"
    title: str
    body: str
    request: str
    litigation: bool = False


T = Template
TEMPLATES = [
    T(
        "城乡建设/物业管理",
        "claim",
        "住建",
        "{estate}物业乱收费问题",
        "我是{town}{estate}的业主，物业公司{company}从{month}月起将物业费从每平方米{price}元涨到{price2}元，没有召开业主大会，也没有公示收费依据。小区电梯经常故障，绿化无人打理，垃圾清运不及时。",
        "请求责令物业公司停止违规涨价、退还多收费用，并加强物业服务监管。",
    ),
    T(
        "城乡建设/物业管理",
        "claim",
        "住建",
        "{estate}电梯长期故障无人维修",
        "{town}{estate}{building}号楼电梯已经停运{n}个月，楼里有很多老人行动不便，多次找物业{company}，物业推说维修基金申请不下来。",
        "请求尽快维修电梯，明确维修资金使用程序。",
    ),
    T(
        "城乡建设/房屋质量",
        "claim",
        "住建",
        "{estate}新房漏水开发商拒不维修",
        "我于{year}年购买{town}{estate}{building}号楼住房，交房后{n}个月出现墙体开裂、屋顶漏水，开发商{company}一直拖延维修。",
        "请求督促开发商履行保修义务，并对房屋质量进行鉴定。",
    ),
    T(
        "城乡建设/房屋质量",
        "claim",
        "住建",
        "{estate}逾期交房问题",
        "{town}{estate}项目合同约定{year}年{month}月交房，至今已逾期{n}个月，开发商{company}没有任何说法，{count}多户业主还在租房。",
        "请求政府督促开发商尽快交房并按合同支付违约金。",
    ),
    T(
        "城乡建设/拆迁安置",
        "claim",
        "征收",
        "{town}拆迁补偿标准不公",
        "我家位于{town}{road}旧城改造片区，房屋征收补偿每平方米只有{price}元，而同片区其他住户补偿更高，评估过程不透明，我们对评估结果有异议。",
        "请求重新评估房屋价值，公开补偿标准，依法给予合理补偿。",
    ),
    T(
        "城乡建设/拆迁安置",
        "claim",
        "征收",
        "安置房迟迟不能交付",
        "{town}棚户区改造我们{year}年就签订了协议搬出，约定{n}个月内交付安置房，现在过渡期早已超过，过渡费也停发了。",
        "请求尽快交付安置房，补发过渡费。",
    ),
    T(
        "城乡建设/市政设施",
        "suggestion",
        "城管",
        "建议{road}增设路灯",
        "{town}{road}靠近{estate}一段晚上没有路灯，行人和电动车经常发生碰撞，存在安全隐患。",
        "建议在该路段增设路灯并定期维护。",
    ),
    T(
        "城乡建设/市政设施",
        "claim",
        "城管",
        "{road}路面塌陷无人修复",
        "{town}{road}与{road2}交叉口路面塌陷一个多月，只用护栏围着，下雨积水严重，影响附近居民出行。",
        "请求尽快修复路面。",
    ),
    T(
        "城乡建设/违章建筑",
        "claim",
        "城管",
        "{estate}楼顶违章搭建",
        "{town}{estate}{building}号楼顶楼住户私自在楼顶搭建彩钢房，占用公共区域，造成楼下渗水，物业劝阻无效。",
        "请求依法拆除违章建筑。",
    ),
    T(
        "劳动和社会保障/拖欠工资",
        "claim",
        "人社",
        "{company}拖欠农民工工资",
        "我们{count}名工人在{town}{company}承建的工地干活，{year}年{month}月至今被拖欠工资共计{amount}万元，老板一直躲着不见。",
        "请求责令企业支付拖欠工资。",
    ),
    T(
        "劳动和社会保障/拖欠工资",
        "claim",
        "人社",
        "讨要工资无门",
        "我在{company}工作{n}年，公司以经营困难为由连续{n2}个月不发工资，也不解除劳动合同，找了多次没有结果。",
        "请求帮助追讨工资并依法处理。",
    ),
    T(
        "劳动和社会保障/社会保险",
        "claim",
        "人社",
        "单位未依法缴纳社保",
        "我在{company}上班{n}年，公司一直没有给我缴纳社会保险，现在我生病住院无法报销。",
        "请求责令单位补缴社会保险。",
    ),
    T(
        "劳动和社会保障/养老保险",
        "claim",
        "人社",
        "退休待遇计算有误",
        "我于{year}年退休，养老金核定时视同缴费年限少算了{n}年，导致每月养老金偏低，多次申请复核没有结果。",
        "请求重新核定养老待遇。",
    ),
    T(
        "教育文体/入学招生",
        "claim",
        "教育",
        "孩子入学划片不合理",
        "我家住在{town}{estate}，按照往年学区应就读{school}，今年学区调整后被划到很远的学校，孩子上学非常不便。",
        "请求重新考虑学区划分，允许就近入学。",
    ),
    T(
        "教育文体/学校管理",
        "claim",
        "教育",
        "{school}违规收费",
        "{school}以资料费、服务费名义向每名学生收取{price}元，没有开具正规票据，家长意见很大。",
        "请求查处学校违规收费并退还费用。",
    ),
    T(
        "教育文体/学校管理",
        "suggestion",
        "教育",
        "建议{school}门口设置接送区",
        "{school}门口{road}上下学时段交通拥堵严重，家长车辆乱停，孩子过马路很危险。",
        "建议设置家长接送区并安排交警疏导。",
    ),
    T(
        "卫生计生/医疗纠纷",
        "claim",
        "卫健",
        "{hospital}医疗事故处理不公",
        "我父亲在{hospital}做手术后出现严重并发症，医院拒绝提供完整病历，对我们提出的赔偿要求不予理睬。",
        "请求调查医院诊疗过程，依法处理医疗纠纷。",
    ),
    T(
        "卫生计生/医疗服务",
        "suggestion",
        "卫健",
        "建议{hospital}增加夜间门诊",
        "{town}附近只有{hospital}一家医院，晚上孩子发烧只能挂急诊，排队时间很长。",
        "建议增设儿科夜间门诊。",
    ),
    T(
        "商贸旅游/消费维权",
        "claim",
        "市场监管",
        "{company}预付卡商家跑路",
        "我在{town}{road}的{company}办理了{price}元预付卡，商家突然关门，老板联系不上，受害会员有{count}多人。",
        "请求市场监管部门介入，追回预付款。",
    ),
    T(
        "商贸旅游/市场管理",
        "claim",
        "市场监管",
        "{road}农贸市场缺斤少两",
        "{town}{road}农贸市场部分摊贩使用作弊秤，多次投诉仍然存在。",
        "请求加强市场监管，查处作弊行为。",
    ),
    T(
        "环境保护/噪声污染",
        "claim",
        "环境",
        "{estate}附近工地夜间施工噪音扰民",
        "{town}{estate}旁边的工地每天晚上十点以后还在施工，机器轰鸣，居民无法休息，已持续{n}个月。",
        "请求查处夜间违规施工。",
    ),
    T(
        "环境保护/大气污染",
        "claim",
        "环境",
        "{company}排放刺鼻废气",
        "{town}{road}的{company}经常在夜间排放刺鼻气味的废气，附近{estate}居民门窗都不敢开，很多老人孩子咳嗽。",
        "请求环保部门检测并依法查处。",
    ),
    T(
        "环境保护/水污染",
        "claim",
        "环境",
        "{road}河道黑臭",
        "{town}{road}旁边的河道水体发黑发臭，有企业偷排污水，夏天蚊虫滋生。",
        "请求治理河道污染，查处偷排企业。",
    ),
    T(
        "环境保护/固体废物",
        "claim",
        "城管",
        "{estate}垃圾站臭气熏天",
        "{town}{estate}小区垃圾站设在居民楼下，垃圾清运不及时，臭气熏天，蚊蝇成群。",
        "请求迁移垃圾站或加强清运。",
    ),
    T(
        "交通运输/公共交通",
        "suggestion",
        "交通",
        "建议开通{estate}公交线路",
        "{town}{estate}入住居民已有{count}多户，附近没有公交站点，居民出行需步行二十分钟。",
        "建议开通或调整公交线路，在小区附近设站。",
    ),
    T(
        "交通运输/道路建设",
        "claim",
        "交通",
        "{road}断头路迟迟不通",
        "{town}{road}规划多年至今没有打通，周边居民绕行很远，希望政府尽快建设。",
        "请求尽快打通道路。",
    ),
    T(
        "农村农业/土地承包",
        "claim",
        "农业农村",
        "村里强行收回承包地",
        "我是{town}{village}村民，村委会未经村民代表大会同意，将我家承包的{n}亩耕地转租给{company}，补偿款一直未兑现。",
        "请求恢复土地承包经营权或依法补偿。",
    ),
    T(
        "农村农业/宅基地",
        "claim",
        "自然资源",
        "宅基地纠纷",
        "我在{town}{village}的宅基地被邻居侵占建房，村里调解多次未果，我们申请确权至今未办理。",
        "请求依法确权，制止侵占行为。",
    ),
    T(
        "农村农业/惠农补贴",
        "accusation",
        "纪委监委",
        "{village}村干部截留补贴款",
        "{town}{village}村干部{person}利用职务便利，截留我们村民的耕地地力保护补贴和危房改造补助，金额{amount}万元以上。",
        "请求调查处理村干部违纪违法问题，退还补贴款。",
    ),
    T(
        "民政/社会救助",
        "claim",
        "民政",
        "低保申请被拒",
        "我家住{town}{estate}，丈夫去年因病去世，我没有工作，孩子上学，生活非常困难，申请低保被社区以不符合条件为由拒绝。",
        "请求重新审核低保申请。",
    ),
    T(
        "民政/养老服务",
        "suggestion",
        "民政",
        "建议{town}建设社区养老食堂",
        "{town}老年人很多，子女不在身边，吃饭成了难题。",
        "建议在社区建设老年助餐点。",
    ),
    T(
        "民政/优抚安置",
        "claim",
        "退役军人",
        "退役军人待遇未落实",
        "我是{year}年退役的士兵，按政策应享受的优待金一直没有发放，多次到{town}咨询没有答复。",
        "请求落实退役军人优待政策。",
    ),
    T(
        "政法/诉讼执行",
        "claim",
        "法院",
        "法院判决执行不到位",
        "我与{company}合同纠纷一案法院已判决对方支付{amount}万元，申请强制执行已{n}个月，执行款至今未到位。",
        "请求法院加大执行力度。",
        True,
    ),
    T(
        "政法/治安管理",
        "claim",
        "公安",
        "{estate}附近聚众赌博",
        "{town}{estate}附近有一处棋牌室长期聚众赌博，夜间吵闹，还发生过打架事件，报警后处理不彻底。",
        "请求公安机关依法查处。",
    ),
    T(
        "政法/诉讼执行",
        "claim",
        "法院",
        "对判决结果不服",
        "我与邻居相邻权纠纷一案，一审判决认定事实错误，我已提起上诉被驳回，认为判决不公。",
        "请求重新审理此案。",
        True,
    ),
    T(
        "纪检监察/违纪违法",
        "accusation",
        "纪委监委",
        "反映{unit_person}违规收受好处",
        "反映{town}工作人员{person}在办理{matter}过程中吃拿卡要，收受办事群众好处费，群众反映强烈。",
        "请求纪检监察机关调查处理。",
    ),
    T(
        "纪检监察/作风问题",
        "accusation",
        "纪委监委",
        "反映{town}工作人员作风粗暴",
        "我到{town}便民服务中心办理{matter}，工作人员{person}态度恶劣，推诿扯皮，让我来回跑了{n}次。",
        "请求对相关人员作风问题进行调查处理。",
    ),
]

MATTERS = ["宅基地审批", "低保审核", "拆迁补偿", "营业执照", "危房改造", "户口迁移"]
VILLAGES = ["大村", "东磊", "太平", "桃李", "新坝", "板浦", "锦屏", "陈庄", "王庄", "后湖"]


def person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def fill(template: Template, rng: random.Random, *, town: str, estate: str | None = None) -> dict[str, str]:
    """A filled title, content, request and facts for one petition."""
    slots = {
        "town": town,
        "estate": estate or rng.choice(ESTATES),
        "road": rng.choice(ROADS),
        "road2": rng.choice(ROADS),
        "company": rng.choice(COMPANIES),
        "school": rng.choice(SCHOOLS),
        "hospital": rng.choice(HOSPITALS),
        "village": rng.choice(VILLAGES),
        "building": str(rng.randint(1, 40)),
        "month": str(rng.randint(1, 12)),
        "year": str(rng.randint(2012, 2025)),
        "n": str(rng.randint(2, 18)),
        "n2": str(rng.randint(2, 9)),
        "count": str(rng.randint(20, 400)),
        "price": str(rng.choice((1.2, 1.5, 1.8, 2.2, 380, 500, 1200, 2600, 4800))),
        "price2": str(rng.choice((2.5, 2.8, 3.2, 3.5))),
        "amount": str(rng.randint(2, 160)),
        "person": person_name(rng),
        "unit_person": rng.choice(["社区干部", "街道工作人员", "村干部", "窗口工作人员"]),
        "matter": rng.choice(MATTERS),
    }
    title = template.title.format(**slots)
    facts = template.body.format(**slots)
    extra = rng.choice(
        [
            "",
            "此事已反映多次，一直没有结果。",
            "希望领导重视，尽快解决。",
            "周边很多居民都有同样的问题。",
            "恳请政府为我们做主。",
        ]
    )
    return {
        "title": title,
        "facts_reasons": facts + extra,
        "request": template.request,
        "content": f"{facts}{extra}{template.request}",
        "estate": slots["estate"],
        "road": slots["road"],
    }
