"""What the demo writes on a case, drawn from pools that fit its matter (issue #17: a noise
dispute whose dispute focus was "unpaid money", an illegal building "paid in full").

Each matter type maps to one ``Pool`` of kindred cases (the kinds in the seed reports: wages
owed, neighbours' nuisances, boundary quarrels, property services, consumer refunds, injuries,
debts, public works, welfare). A pool holds every text the demo loaders put on a case: the result
a unit reports, the agreement a mediation reaches, the dispute focus a referral names, the terms
of the agreement, why a mediation failed, what the other side did not carry out, why more time
was needed and why a claim was withdrawn. A pool without ``money`` never talks of payment.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Words that belong to a dispute about money; none appears in a pool that is not about money.
MONEY_WORDS = ("元", "支付", "付清", "工资", "欠款", "款项", "退款", "退还", "赔偿", "补偿", "费用", "货款", "利息")


@dataclass(frozen=True)
class Pool:
    name: str
    money: bool
    fixes: tuple[str, ...]  # 办理结果 (resolved): what the unit got done
    mediated: tuple[str, ...]  # 办理结果 (mediated): what the parties agreed
    focus: tuple[str, ...]  # 移交调解的理由和争议焦点
    terms: tuple[str, ...]  # 调解协议条款
    failed: tuple[str, ...]  # 调解不成的原因
    shortfall: tuple[str, ...]  # 协议未履行的情况
    extension: tuple[str, ...]  # 申请延期的理由
    withdrawn: tuple[str, ...]  # 群众撤回的理由


WAGES = Pool(
    "劳动报酬",
    money=True,
    fixes=("用人单位已将拖欠的工资全部付清", "经劳动监察约谈，用人单位已补签劳动合同并补缴社保"),
    mediated=("用人单位分两期付清拖欠工资", "用人单位一次性支付经济补偿并出具离职证明"),
    focus=(
        "申请人要求支付拖欠的工资，用人单位对加班工资的计算有异议，双方同意调解。",
        "争议焦点为解除劳动合同的经济补偿数额，双方均同意由调解组织调解。",
    ),
    terms=(
        "被申请人于协议签订之日起二十日内一次性支付申请人拖欠工资人民币一万二千元；双方就本纠纷再无其他争议。",
        "被申请人分两期支付申请人经济补偿共计人民币八千元，首期于十日内支付；申请人放弃其他请求。",
    ),
    failed=("双方对拖欠工资的数额分歧过大，经多次调解未能达成一致。", "用人单位负责人拒不到场，调解无法进行。"),
    shortfall=("被申请人仅支付首期款项，余款拒不支付。",),
    extension=("需要调取考勤记录和工资发放台账核对", "用人单位负责人外出，需等待其返回后约谈"),
    withdrawn=("用人单位已主动结清工资", "已申请劳动仲裁，撤回本诉求"),
)

FAMILY = Pool(
    "婚姻家庭",
    money=True,
    fixes=("经村委会调解，兄弟几人已签订赡养协议", "已联系妇联和村委会上门疏导，双方情绪已平复"),
    mediated=("子女按月轮流承担赡养费用并轮流照顾老人", "老房子由兄妹按份额共有，出租收益平均分配"),
    focus=(
        "争议焦点为父亲的赡养费用如何分担，兄弟几人同意由村调委会调解。",
        "兄妹三人对母亲遗留房产的分配有争议，均同意调解。",
    ),
    terms=(
        "三名子女每人每月支付父亲赡养费人民币六百元，于每月五日前支付；父亲由长子照顾起居。",
        "遗留房屋由三人按等份共有，出租收益每年底平均分配；任何一方不得擅自处分。",
    ),
    failed=("双方对财产分配方案分歧较大，一方坚持通过诉讼解决。",),
    shortfall=("次子三个月未按约定支付赡养费用。",),
    extension=("需要等待房产权属资料调取", "当事人在外地务工，需约定时间回乡面谈"),
    withdrawn=("家人已自行协商解决", "双方已和好，不再需要调解"),
)

NUISANCE = Pool(
    "噪声异味扰邻",
    money=False,
    fixes=(
        "经上门劝导，对方已承诺晚上十点后停止产生噪声",
        "养殖户已清理棚舍并将活禽迁至远离民居的地点",
        "责任方已整改完毕，现场异味明显减轻",
    ),
    mediated=("双方约定夜间十点后保持安静并互留联系方式", "养殖户限期搬离养殖点并每天清洁消毒"),
    focus=(
        "争议焦点为楼上住户夜间噪声扰民，双方情绪对立，需尽快调解。",
        "村民反映邻居养殖产生异味和噪声，多次沟通无效，双方同意调解。",
    ),
    terms=(
        "被申请人承诺每晚十点后不再跳绳、拖动家具，并在地面铺设隔音垫；双方互相尊重、和睦相处。",
        "被申请人于三十日内将活禽寄养地点迁至远离居民的地方，迁出前每天清洁消毒鸡圈周边。",
    ),
    failed=("被申请人不承认存在扰民情况，拒绝作出任何承诺。",),
    shortfall=("被申请人搬迁后又在原地恢复养殖。",),
    extension=("需要在夜间到现场监测噪声", "需要联合农业农村部门现场核查养殖规模"),
    withdrawn=("邻居已主动改正，问题已解决", "双方已当面沟通好"),
)

BOUNDARY = Pool(
    "相邻与土地边界",
    money=False,
    fixes=("经现场丈量，已按宅基地证界址重新确定边界", "对方已将排水管改道，不再排向申请人墙根"),
    mediated=("双方按测绘结果确定界址并共同埋设界桩", "对方拆除越界部分，双方以现有围墙为界"),
    focus=(
        "争议焦点为两家宅基地的边界，双方各执一词，同意请调解员现场调解。",
        "邻居排水管接至申请人墙根导致墙体渗水，双方同意调解。",
    ),
    terms=(
        "双方确认以镇国土所测绘的界址线为两家宅基地边界，于十日内共同埋设界桩；今后各自在界内建房。",
        "被申请人于十五日内将排水管改接至公共排水沟，并修复墙根处的防水层。",
    ),
    failed=("双方对界址依据各执一词，一方坚持申请确权。",),
    shortfall=("被申请人至今未拆除越界的围墙。",),
    extension=("需要等待国土所测绘结论", "需要调取早年的宅基地审批档案"),
    withdrawn=("两家已自行协商划定边界", "邻居已主动改好排水管"),
)

PROPERTY_FEES = Pool(
    "物业收费与车位",
    money=True,
    fixes=("物业公司已暂停执行新收费标准，待业主大会表决", "物业公司已退还多收的物业费"),
    mediated=("物业费维持原标准，物业公司公开收支明细", "公共绿地恢复原状，车位优先租给业主"),
    focus=(
        "争议焦点为物业费未经业主大会擅自上调，业主代表和物业公司同意调解。",
        "物业公司将公共绿地改为车位出租，业主要求恢复原状并公开收益。",
    ),
    terms=(
        "物业公司维持每平方米一元五角的物业费标准，已按新标准多收的费用于三十日内退还业主。",
        "公共区域车位出租收益归全体业主所有，物业公司每季度公布收支明细。",
    ),
    failed=("物业公司坚持按新标准收费，双方未能达成一致。",),
    shortfall=("物业公司未按约定退还多收的物业费。",),
    extension=("需要等待业主委员会召开会议表决", "需要住建部门核查收费备案情况"),
    withdrawn=("物业公司已恢复原收费标准", "业主委员会已与物业公司达成一致"),
)

PROPERTY_SERVICE = Pool(
    "物业维修与服务",
    money=False,
    fixes=("物业公司已完成维修，设施恢复正常使用", "物业公司已安排保洁人员清运，楼道已清理干净"),
    mediated=("物业公司限期彻底维修并每月向业主公示维保记录", "物业公司增派保洁人员并每日清运垃圾"),
    focus=(
        "争议焦点为电梯反复故障的维修责任，业主和物业公司同意调解。",
        "业主反映物业服务不到位，要求物业公司整改，双方同意调解。",
    ),
    terms=(
        "物业公司于十五日内完成电梯主机维修并通过特种设备检验，此后每月公示维保记录。",
        "物业公司每日清运生活垃圾，楼道每周清洁两次，业主委员会每月检查一次。",
    ),
    failed=("物业公司认为维修责任在开发商，拒绝承担。",),
    shortfall=("物业公司整改一周后又恢复原状。",),
    extension=("需要等待维修配件到货", "需要专业检测机构出具检测报告"),
    withdrawn=("物业公司已修好", "问题已解决，不再需要处理"),
)

CONSUMER = Pool(
    "消费维权",
    money=True,
    fixes=("商家已为消费者办理退款", "商家已免费更换新品"),
    mediated=("经营者分期退还剩余预付款", "商家退货退款并承担往返运费"),
    focus=(
        "争议焦点为预付卡余额的退还，经营者同意协商，双方同意调解。",
        "消费者要求退货退款，商家认为不属于质量问题，双方同意调解。",
    ),
    terms=(
        "被申请人于三十日内分两期退还申请人预付卡余额人民币三千二百元。",
        "被申请人为申请人办理退货，退还货款人民币二千六百元并承担往返运费。",
    ),
    failed=("经营者表示无力退款，双方未能达成一致。",),
    shortfall=("被申请人仅退还首期款项，余款未退。",),
    extension=("需要等待产品质量检测结果", "经营者负责人失联，需市场监管部门协查"),
    withdrawn=("商家已退款", "已通过消费者协会解决"),
)

INJURY = Pool(
    "人身损害赔偿",
    money=True,
    fixes=("责任方已赔偿医疗费和误工费", "保险公司已重新定损并足额理赔"),
    mediated=("责任方一次性赔偿医疗费、误工费和营养费", "医院按责任比例承担赔偿"),
    focus=(
        "争议焦点为赔偿数额和责任比例，双方同意由专业调解组织调解。",
        "受害方要求赔偿医疗费和误工费，对方只愿承担一部分，双方同意调解。",
    ),
    terms=(
        "被申请人于协议签订之日起十五日内一次性赔偿申请人医疗费、误工费、营养费共计人民币三万五千元。",
        "被申请人按百分之六十的责任比例承担赔偿，共计人民币四万二千元，分两期支付。",
    ),
    failed=("双方对赔偿数额分歧过大，经多次调解未能达成一致。", "一方坚持等待司法鉴定结论后诉讼解决。"),
    shortfall=("被申请人仅支付一半赔偿款，余款拒不支付。",),
    extension=("需要等待伤情鉴定结论", "需要等待交警部门出具事故认定书"),
    withdrawn=("双方已私下和解", "已向人民法院起诉，撤回本诉求"),
)

CONDUCT = Pool(
    "欺凌与家庭安全",
    money=False,
    fixes=("学校已对涉事学生进行教育并通知家长，安排老师重点关注", "已协调派出所出具告诫书，妇联跟进回访"),
    mediated=("涉事学生当面道歉，双方家长签订安全承诺", "双方家长共同约定加强对孩子的教育和看护"),
    focus=(
        "争议焦点为学校对欺凌事件的处理是否到位，家长和学校同意调解。",
        "双方家长对孩子在校冲突的责任认识不一，同意由调解员调解。",
    ),
    terms=(
        "涉事学生向申请人之子当面道歉，学校安排专人跟踪关注一个学期；双方家长加强教育。",
        "学校于十日内召开家长会通报处理结果，并完善课间巡查制度。",
    ),
    failed=("一方家长不认可学校的处理意见，要求教育局处理。",),
    shortfall=("学校未按约定召开家长会。",),
    extension=("需要调取校园监控并询问在场学生", "需要等待心理老师的评估意见"),
    withdrawn=("学校已妥善处理", "孩子已转学，家长不再要求处理"),
)

DEBT = Pool(
    "借贷与合同款项",
    money=True,
    fixes=("借款人已还清借款", "欠款方已按合同付清货款"),
    mediated=("借款人分期归还借款本金并免除部分利息", "欠款方分三期付清剩余货款"),
    focus=(
        "争议焦点为借款本金和利息的数额，双方同意调解。",
        "申请人要求支付拖欠的货款，被申请人称资金紧张请求分期，双方同意调解。",
    ),
    terms=(
        "被申请人于六个月内分三期归还申请人借款本金人民币八万元，申请人放弃利息请求。",
        "被申请人于九十日内分三期支付申请人货款人民币四十万元，逾期一期申请人可就全部余款申请强制执行。",
    ),
    failed=("被申请人否认借款事实，双方未能达成一致。", "被申请人表示无力偿还，调解不成。"),
    shortfall=("被申请人仅支付第一期款项，其后未再支付。",),
    extension=("需要核对银行流水和借条原件", "需要等待审计部门出具结算意见"),
    withdrawn=("对方已还款", "已向人民法院起诉，撤回本诉求"),
)

PUBLIC_WORKS = Pool(
    "市政与环境",
    money=False,
    fixes=(
        "相关设施已修复",
        "违法搭建已拆除，通道已恢复畅通",
        "执法部门已责令停止并完成整改",
        "已在现场设置警示标志并完成修补",
    ),
    mediated=("涉事住户自行拆除扩建部分，恢复公共通道", "摊贩迁入规定的临时疏导点经营"),
    focus=(
        "争议焦点为一楼住户扩建围墙占用公共通道，业主之间同意调解。",
        "居民与施工单位就夜间施工时间分歧较大，同意调解。",
    ),
    terms=(
        "被申请人于十五日内自行拆除扩建的围墙，恢复公共通道原状；逾期由执法部门依法处理。",
        "施工单位承诺每晚十点后停止产生噪声的作业，确需夜间施工的提前公示。",
    ),
    failed=("当事人拒不拆除，已移交执法部门依法处理。",),
    shortfall=("被申请人未按期拆除，已移交执法部门。",),
    extension=("需要等待执法部门立案调查", "需要协调多个部门联合现场处置"),
    withdrawn=("问题已由社区处理好", "设施已修复，不再需要处理"),
)

WELFARE = Pool(
    "民生救助与信访",
    money=False,
    fixes=(
        "已为当事人办理临时救助手续",
        "已核实情况并恢复发放，向当事人作了说明",
        "已将建议转交交通部门研究，并向当事人答复",
    ),
    mediated=("村委会重新核定低保名单并张榜公示", "镇里安排社工定期到幸福院服务"),
    focus=(
        "争议焦点为低保评定程序是否公开公正，村民与村委会同意调解。",
        "村民对养老服务安排意见较大，同意由镇调委会调解。",
    ),
    terms=(
        "村委会于三十日内重新开展低保评定并张榜公示七日，公示期内接受村民监督。",
        "镇里安排社工每周到幸福院服务两次，村委会指定专人负责老人用餐。",
    ),
    failed=("当事人坚持要求上级部门处理，不同意调解。",),
    shortfall=("村委会未按约定张榜公示。",),
    extension=("需要入户核查家庭情况", "需要等待上级部门的政策答复"),
    withdrawn=("问题已解决", "已通过其他途径解决"),
)

#: Which pool each matter type's cases draw from (a type not listed: its group's pool).
POOLS: dict[str, Pool] = {
    "labor": WAGES,
    "family": FAMILY,
    "family.violence": CONDUCT,
    "neighbour": NUISANCE,
    "neighbour.adjacency": BOUNDARY,
    "property": PROPERTY_SERVICE,
    "property.fees": PROPERTY_FEES,
    "property.parking": PROPERTY_FEES,
    "consumer": CONSUMER,
    "medical": INJURY,
    "traffic": INJURY,
    "student": INJURY,
    "student.bullying": CONDUCT,
    "environment": NUISANCE,
    "urban": PUBLIC_WORKS,
    "land": BOUNDARY,
    "land.demolition": DEBT,
    "land.rental": DEBT,
    "finance": DEBT,
    "enterprise": DEBT,
    "enterprise.environment": WELFARE,
    "petition": WELFARE,
    "social": WELFARE,
}

ALL_POOLS = (
    WAGES,
    FAMILY,
    NUISANCE,
    BOUNDARY,
    PROPERTY_FEES,
    PROPERTY_SERVICE,
    CONSUMER,
    INJURY,
    CONDUCT,
    DEBT,
    PUBLIC_WORKS,
    WELFARE,
)


def pool_for(matter_code: str) -> Pool:
    """The pool of ``matter_code`` (its own, else its group's)."""
    return POOLS.get(matter_code) or POOLS[matter_code.split(".")[0]]


def pool_texts(pool: Pool) -> list[str]:
    """Every text of ``pool`` (what the tests check for money words)."""
    fields = ("fixes", "mediated", "focus", "terms", "failed", "shortfall", "extension", "withdrawn")
    return [text for field in fields for text in getattr(pool, field)]


# What people actually write, by matter (drawn from the kinds of cases in the seed reports).
STORIES: dict[str, list[str]] = {
    "labor.wages": [
        "我在{place}一家五金厂做了八个月，老板从六月起拖欠工资共一万二千元，多次讨要都说资金周转不过来。",
        "我们{n}名工友在{place}的工地干活，包工头卷款跑了，工程款里的工资一直没发。",
        "家政公司拖欠我三个月工资，打电话不接，去公司也找不到负责人。",
    ],
    "labor.contract": ["公司不签劳动合同，干了一年多突然口头辞退，不给任何补偿。"],
    "labor.social_insurance": ["单位这两年一直没给我交社保，现在要办医保报销才发现断缴了。"],
    "labor.injury": ["在厂里操作冲床时压伤左手，老板只给了两千元医药费，不肯申报工伤。"],
    "family.marriage": ["和丈夫分居两年，他不同意离婚，孩子抚养费也不给，想请调解。"],
    "family.support": ["父亲八十岁了，兄弟几个都不愿意承担赡养费用，想请村里出面调解。"],
    "family.inheritance": ["母亲去世后留下一套老房子，兄妹三人对分配有争议，已经闹得不来往。"],
    "family.violence": ["丈夫喝酒后经常动手打人，我和孩子很害怕，希望有人出面制止。"],
    "neighbour.noise": ["楼上邻居每天晚上十二点后还在跳绳、拖椅子，沟通多次无果，老人孩子睡不好。"],
    "neighbour.livestock": [
        "同村村民在家里养了几百只活鸡，每天运进运出，臭气熏天、噪声不断，多次沟通无效。",
        "邻居在屋后搭棚养猪，污水直接排到路边沟渠，夏天臭味很大，蚊蝇成群。",
    ],
    "neighbour.adjacency": ["邻居建房把排水管接到我家墙根，下雨天墙体渗水，协商不成。"],
    "neighbour.pets": ["邻居家的狗不拴绳，已经咬伤小区两个小孩，物业说管不了。"],
    "property.fees": ["物业公司今年突然把物业费从每平米一元五涨到两元八，没有开业主大会。"],
    "property.repairs": [
        "小区{place}栋的暖气管道爆裂，楼道里全是水，物业说要等维修基金审批，已经三天没暖气。",
        "电梯一个月坏了四次，上周把人困在里面半小时，物业一直拖着不彻底维修。",
    ],
    "property.parking": ["物业把小区公共绿地改成车位对外出租，业主的车反而没地方停。"],
    "property.service": ["小区垃圾一周没人清运，楼道堆满垃圾袋，天热臭味很大。"],
    "consumer.prepaid": [
        "我在{place}的健身房办了三年卡花了五千八，健身房突然关门老板失联，像我这样的会员有{n}人。",
        "孩子的培训机构突然停课，预交的一年学费九千元不退，机构说在转让。",
    ],
    "consumer.quality": ["在商场买的冰箱用了两个月压缩机坏了，商家说要收检测费才给修。"],
    "consumer.online": ["网购的手机收到是翻新机，商家拒绝退货，平台客服一直推诿。"],
    "consumer.service": ["装修公司收了八成装修款后停工一个月，工人全部撤场。"],
    "medical.malpractice": ["家父在医院做胆囊手术后感染去世，家属认为医院存在过错，要求赔偿。"],
    "medical.fees": ["住院一周被收了三千多元的检查费，明细里有好几项根本没做过。"],
    "medical.cosmetic": ["在美容院做双眼皮手术后两边明显不对称，机构不承认有问题。"],
    "traffic.compensation": ["电动车在路口被小轿车撞倒，右腿骨折，对方保险只愿赔一部分。"],
    "traffic.insurance": ["车辆被追尾后保险公司定损金额太低，修车费差了四千多。"],
    "traffic.nonmotor": ["骑自行车被外卖电动车撞伤，对方车辆没有保险，赔偿谈不拢。"],
    "student.campus": ["孩子在学校体育课上摔伤手臂，学校只承担一半医药费，家长不认可。"],
    "student.bullying": ["孩子在学校多次被同学推搡、辱骂，班主任处理不力。"],
    "environment.pollution": ["村口的塑料加工厂晚上偷偷排放刺鼻废气，附近村民头晕恶心。"],
    "environment.noise": ["工地每天晚上十点以后还在打桩施工，附近居民无法休息。"],
    "environment.waste": ["有人在{place}河边倾倒建筑垃圾，已经堆了一大片，影响行洪。"],
    "urban.roads": ["{place}路口的路面塌陷了一个大坑，晚上没有警示标志，已经有电动车摔倒。"],
    "urban.illegal_construction": ["小区一楼住户私自扩建围墙占用公共通道，消防车进不来。"],
    "urban.vendors": ["学校门口流动摊贩占道经营，上下学时段交通堵塞，存在安全隐患。"],
    "urban.facilities": ["{place}公园的路灯坏了一个多月，晚上散步一片漆黑。"],
    "land.contract": ["村里重新分地时我家的承包地少算了一亩二分，找村委会多次没有结果。"],
    "land.homestead": ["和邻居因宅基地边界起了争执，对方建房占了我家半米多。"],
    "land.demolition": ["旧村改造的补偿标准和隔壁村差距很大，村民意见很大，要求公开测算依据。"],
    "land.rental": ["把鱼塘租给老板养鱼，租金拖欠两年，合同到期也不肯退还。"],
    "finance.lending": ["借给朋友八万元，约定一年归还，现在三年了对方一直拖着不还。"],
    "finance.fundraising": ["一家理财公司以高息为名吸收村民存款，现在关门了，涉及{n}多人。"],
    "finance.credit": ["银行征信显示我有一笔逾期贷款，但我从来没有办过这笔贷款。"],
    "enterprise.contract": ["我们公司给某工程供应钢材，对方拖欠货款四十万元，合同纠纷想先调解。"],
    "enterprise.arrears": ["作为小微企业，承接的政府采购项目验收一年了，款项一直没有支付。"],
    "enterprise.environment": ["企业办理环评手续时材料被反复退回，希望有人协调指导。"],
    "petition.complaint": ["反映村干部在低保评定中优亲厚友，希望上级核查。"],
    "petition.suggestion": ["建议在{place}增设一个公交站点，方便村民出行。"],
    "petition.litigation": ["对法院一审判决不服，但已过上诉期，想咨询还有什么途径。"],
    "social.assistance": ["家里老人重病，生活困难，申请临时救助一直没有答复。"],
    "social.elderly": ["村里的幸福院没人打理，老人们吃饭成问题。"],
    "social.disability": ["残疾人两项补贴停发了三个月，没有收到任何通知。"],
}
