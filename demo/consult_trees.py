"""The demo questionnaires of 智能咨询 (issue #14): six common matters, in plain Chinese.

The laws are cited here, in the questionnaire data, in our own words (law name, article, the gist);
when the knowledge base (another issue) exists, it will supply these citations instead.
"""

from __future__ import annotations


def q(text: str, *options, help: str = "") -> dict:
    node = {"type": "question", "text": text, "options": list(options)}
    if help:
        node["help"] = help
    return node


def opt(value: str, label: str, next_node: str, note: str = "") -> dict:
    option = {"value": value, "label": label, "next": next_node}
    if note:
        option["note"] = note
    return option


def out(path: str, title: str, *, reasons, materials, laws=(), time_limits=(), department: str = "") -> dict:
    node = {
        "type": "outcome",
        "path": path,
        "title": title,
        "reasons": list(reasons),
        "materials": list(materials),
        "laws": [{"law": law, "article": article, "summary": summary} for law, article, summary in laws],
        "time_limits": list(time_limits),
    }
    if department:
        node["department"] = department
    return node


LAW_MEDIATION_APPLY = (
    "人民调解法",
    "第十七条",
    "双方都可以向人民调解委员会申请调解；调解不收费，一方明确不愿意调解的，不能强迫调解。",
)
LAW_MEDIATION_CONFIRM = (
    "人民调解法",
    "第三十三条",
    "调解达成协议后，双方可以在协议生效之日起三十日内，一起向人民法院申请司法确认；确认后对方不履行的，可以申请法院强制执行。",
)
LAW_CIVIL_LIMIT = (
    "民法典",
    "第一百八十八条",
    "向法院请求保护民事权利的期限一般是三年，从知道或者应当知道权利受到损害、知道对方是谁之日起计算。",
)
LIMIT_CIVIL = "到法院起诉一般要在三年内：从您知道自己吃亏、也知道该找谁之日算起。"

# 拖欠工资 ------------------------------------------------------------------------------------------
LAW_ARBITRATION_LIMIT = (
    "劳动争议调解仲裁法",
    "第二十七条",
    "申请劳动仲裁的期限是一年，从知道权利被侵害之日算起；还在单位干活期间被欠工资的不受这一年限制，但离职的要在离职之日起一年内申请。期间向单位讨要过，期限从讨要时重新计算。",
)
LAW_LABOUR_PATHS = (
    "劳动争议调解仲裁法",
    "第五条",
    "发生劳动争议，可以协商，可以申请调解；不愿调解或者调解不成的，可以申请劳动仲裁；对仲裁结果不服的，可以到法院起诉。",
)
LAW_PAYMENT_ORDER = (
    "劳动争议调解仲裁法",
    "第十六条",
    "因欠工资达成调解协议，单位到期不给的，劳动者可以拿着调解协议书向法院申请支付令。",
)
LAW_DOUBLE_WAGE = (
    "劳动合同法",
    "第八十二条",
    "单位用工超过一个月不满一年、没有签书面劳动合同的，应当每月付给劳动者两倍工资。",
)
LAW_WAGES_ON_TIME = ("劳动合同法", "第三十条", "单位应当按照约定和国家规定，按时足额发工资。")
LAW_INSPECTION = ("劳动保障监察条例", "第九条", "任何人发现单位违反劳动保障法律，都可以向劳动保障行政部门举报、投诉。")
WAGE_MATERIALS = [
    "身份证",
    "能证明在那里干活的东西：工牌、考勤记录、工作服、工友证言",
    "欠了多少钱的证据：工资条、欠条、记账本、微信或短信聊天记录",
]

WAGES = {
    "start": "still_working",
    "nodes": {
        "still_working": q(
            "您现在还在这个单位（老板那里）干活吗？",
            opt("working", "还在干", "asked"),
            opt("left_recent", "已经不干了，离开不到一年", "asked", "您离开不到一年，还来得及申请劳动仲裁，请抓紧办。"),
            opt("left_long", "已经不干了，离开超过一年", "out_late"),
        ),
        "asked": q(
            "您或者工友找老板（单位）要过工资吗？",
            opt("refused", "要过，老板不给或者一直拖着", "workers"),
            opt(
                "not_yet",
                "还没有要过",
                "workers",
                "建议先带上工资单据向老板要一次，最好留下聊天记录或录音，以后能当证据。",
            ),
        ),
        "workers": q(
            "被欠工资的一共有多少人？",
            opt("few", "就我一个或者几个人（不到 10 个人）", "contract"),
            opt("many", "10 个人或者更多", "out_inspection"),
            help="包括您自己在内，同一个老板欠工资的人数，大概估一下就行。",
        ),
        "contract": q(
            "您和单位签了书面的劳动合同吗？",
            opt("signed", "签了", "out_mediation"),
            opt("not_signed", "没签", "out_arbitration"),
            opt("unsure", "记不清了", "out_mediation"),
        ),
        "out_mediation": out(
            "mediation",
            "先申请调解，调不成再申请劳动仲裁",
            reasons=[
                "欠的人不多、证据清楚的，调解最快，不收费，一般十几天就有结果。",
                "调解达成协议后老板不给钱，可以拿协议书向法院申请支付令。",
            ],
            materials=WAGE_MATERIALS + ["劳动合同（有的话）"],
            laws=[LAW_LABOUR_PATHS, LAW_PAYMENT_ORDER, LAW_ARBITRATION_LIMIT],
            time_limits=["离职的，要在离职之日起一年内申请劳动仲裁；调解期间也要注意这个期限。"],
        ),
        "out_arbitration": out(
            "arbitration",
            "直接申请劳动仲裁",
            reasons=[
                "没签书面劳动合同，除了欠的工资，还可能要求单位补付两倍工资，这要由仲裁委来认定。",
                "劳动仲裁不收费，仲裁委一般在受理后四十五天内作出裁决。",
            ],
            materials=WAGE_MATERIALS + ["仲裁申请书（仲裁委窗口有样本，可以请工作人员帮忙写）"],
            laws=[LAW_DOUBLE_WAGE, LAW_WAGES_ON_TIME, LAW_ARBITRATION_LIMIT],
            time_limits=["离职的，要在离职之日起一年内申请劳动仲裁。"],
            department="区劳动人事争议仲裁委员会",
        ),
        "out_inspection": out(
            "administrative",
            "向人社局劳动保障监察部门投诉，大家一起反映",
            reasons=[
                "十个人以上被欠工资，属于群体欠薪，劳动保障监察可以责令老板限期支付。",
                "投诉不收费，可以推选两三个代表去办。",
            ],
            materials=WAGE_MATERIALS + ["被欠工资的人员名单和每人欠款金额"],
            laws=[LAW_INSPECTION, LAW_WAGES_ON_TIME],
            time_limits=["违法行为两年内没有被举报、投诉的，劳动保障监察不再查处，请尽早投诉。"],
            department="区人力资源和社会保障局（劳动保障监察大队）",
        ),
        "out_late": out(
            "arbitration",
            "尽快申请劳动仲裁（可能已经超过一年的期限）",
            reasons=[
                "离职超过一年，可能已经过了申请劳动仲裁的期限。",
                "但如果这期间您一直在找老板要钱、老板答应过给钱，期限会从那时重新算，仍然可以申请。由仲裁委来判断。",
            ],
            materials=WAGE_MATERIALS + ["这期间讨要工资的证据（聊天记录、录音、老板写的还款承诺）"],
            laws=[LAW_ARBITRATION_LIMIT],
            time_limits=["期限问题由仲裁委认定，越早申请越好。"],
            department="区劳动人事争议仲裁委员会",
        ),
    },
}

# 相邻关系（邻里） ------------------------------------------------------------------------------------
LAW_NEIGHBOUR = (
    "民法典",
    "第二百八十八条",
    "邻居之间应当按照有利生产、方便生活、团结互助、公平合理的原则处理相邻关系。",
)
LAW_WATER = ("民法典", "第二百九十条", "邻居要用水、排水的，应当给予必要的便利；自然流水的排放应当顺着自然流向。")
LAW_PASS = ("民法典", "第二百九十一条", "邻居必须经过您家的土地才能通行的，应当提供必要的便利。")
LAW_LIGHT = ("民法典", "第二百九十三条", "建房子不得违反国家工程建设标准，不得妨碍相邻房屋的通风、采光和日照。")
LAW_LAND = ("土地管理法", "第十四条", "土地所有权和使用权有争议的，先由双方协商；协商不成的，由人民政府处理。")
NEIGHBOUR_MATERIALS = ["身份证", "现场照片或视频", "房产证、宅基地证或租房合同（能证明是您的房子）"]

NEIGHBOURS = {
    "start": "kind",
    "nodes": {
        "kind": q(
            "您和邻居是为什么事闹矛盾？",
            opt("water", "下雨排水、屋檐滴水", "talked"),
            opt("passage", "走路、出入的路被挡住", "talked"),
            opt("light", "邻居盖房子挡了光线、通风", "talked"),
            opt("boundary", "宅基地、地界分不清", "out_boundary"),
        ),
        "talked": q(
            "您和邻居当面好好商量过吗？",
            opt("yes", "商量过，谈不拢", "fight"),
            opt("no", "还没有", "fight", "邻居之间先当面商量，也可以请村（居）委会的人一起来，往往最快解决。"),
        ),
        "fight": q(
            "有没有吵架动手，或者对方说要报复？",
            opt("no", "没有", "mediated"),
            opt("yes", "有过推搡打架，或者对方说要报复", "out_police"),
        ),
        "mediated": q(
            "以前村（居）委会或者调解员给你们调解过吗？",
            opt("never", "没有调解过", "out_mediation"),
            opt("failed", "调解过，没调成", "out_litigation"),
        ),
        "out_mediation": out(
            "mediation",
            "申请人民调解",
            reasons=[
                "邻里矛盾抬头不见低头见，调解不伤和气，不收费。",
                "调解员会到现场看，按照公平合理的原则帮双方商量办法。",
            ],
            materials=NEIGHBOUR_MATERIALS,
            laws=[LAW_NEIGHBOUR, LAW_WATER, LAW_PASS, LAW_LIGHT, LAW_MEDIATION_APPLY, LAW_MEDIATION_CONFIRM],
            time_limits=[LIMIT_CIVIL],
        ),
        "out_litigation": out(
            "litigation",
            "可以到人民法院起诉",
            reasons=[
                "已经调解过没有成功，可以向法院起诉，请法院判决。",
                "起诉前，法院一般还会先问双方是否愿意再调解一次。",
            ],
            materials=NEIGHBOUR_MATERIALS + ["以前调解的记录（有的话）", "对方的姓名和住址"],
            laws=[LAW_NEIGHBOUR, LAW_LIGHT, LAW_CIVIL_LIMIT],
            time_limits=[LIMIT_CIVIL],
            department="区人民法院（诉讼服务中心）",
        ),
        "out_boundary": out(
            "administrative",
            "地界不清，先请镇（街道）政府确认",
            reasons=[
                "宅基地、土地的边界属于土地使用权争议，协商不成的由人民政府处理。",
                "边界确定后，其他矛盾可以再申请调解。",
            ],
            materials=NEIGHBOUR_MATERIALS + ["宅基地使用证、土地承包合同等土地证件"],
            laws=[LAW_LAND, LAW_NEIGHBOUR],
            department="镇（街道）人民政府、自然资源部门",
        ),
        "out_police": out(
            "administrative",
            "先报警，保证安全，再申请调解",
            reasons=[
                "已经动手或者有人扬言报复，安全第一：情况紧急请打 110。",
                "派出所处理后，邻里之间的矛盾仍然可以申请人民调解。",
            ],
            materials=NEIGHBOUR_MATERIALS + ["受伤的，保留医院的病历和发票"],
            laws=[LAW_NEIGHBOUR, LAW_MEDIATION_APPLY],
            time_limits=[LIMIT_CIVIL],
            department="当地公安派出所",
        ),
    },
}

# 物业费 --------------------------------------------------------------------------------------------
LAW_OWNER_FEES = (
    "民法典",
    "第九百四十四条",
    "业主应当按约定交物业费；物业已经按约定提供服务的，业主不能以没有享受服务为由不交。物业不得用停水、停电、停气等办法催交物业费。",
)
LAW_SERVICE_DUTY = ("民法典", "第九百四十二条", "物业应当按照约定，做好小区公共部分的维修、养护、清洁、绿化和管理。")
LAW_PROPERTY_REG = ("物业管理条例", "第七条", "业主有按时交纳物业服务费用的义务。")
LAW_PROPERTY_SERVICE = (
    "物业管理条例",
    "第三十五条",
    "物业公司应当按照物业服务合同提供服务；没有做到、给业主造成损失的，应当依法承担责任。",
)
PROPERTY_MATERIALS = [
    "身份证",
    "房产证或购房合同",
    "物业服务合同或收费通知",
    "物业没做好的照片、视频，向物业反映过的记录",
]

PROPERTY = {
    "start": "who",
    "nodes": {
        "who": q(
            "您是哪一方？",
            opt("owner", "我是业主（住户），物业催我交费", "reason"),
            opt("company", "我是物业公司，有业主欠费不交", "out_company"),
        ),
        "reason": q(
            "您不想交或者还没交物业费，主要是因为什么？",
            opt("service", "物业服务差：卫生、维修、保安没做好", "months"),
            opt("price", "觉得收费太高，或者乱收费", "out_price"),
            opt("cut_off", "物业因为欠费停了我家的水、电", "out_cut_off"),
        ),
        "months": q(
            "您有多久没交物业费了？",
            opt("paid", "一直按时交，只是对服务不满意", "out_mediation"),
            opt("short", "不到一年", "out_mediation"),
            opt(
                "long",
                "一年以上，物业说要去法院告我",
                "out_mediation",
                "物业可能会起诉，建议尽早调解，也可以先把没争议的部分交上。",
            ),
        ),
        "out_mediation": out(
            "mediation",
            "申请物业纠纷调解，请物业当面说清楚",
            reasons=[
                "服务不好和交费是两件事：服务不到位可以要求物业整改、减收，但不宜一直不交。",
                "调解员可以约物业、业委会和您一起商量，调解不收费。",
            ],
            materials=PROPERTY_MATERIALS,
            laws=[LAW_OWNER_FEES, LAW_SERVICE_DUTY, LAW_PROPERTY_SERVICE, LAW_MEDIATION_APPLY],
            time_limits=[LIMIT_CIVIL],
        ),
        "out_price": out(
            "administrative",
            "向物业主管部门反映收费问题",
            reasons=[
                "收费标准是否合理、有没有按规定公示，由住建、市场监管等部门管。",
                "部门查清后，对多收的部分可以再申请调解退还。",
            ],
            materials=PROPERTY_MATERIALS + ["收费单据、收据"],
            laws=[LAW_PROPERTY_REG, LAW_OWNER_FEES],
            department="区住房和城乡建设局（物业管理科）或市场监督管理局",
        ),
        "out_cut_off": out(
            "administrative",
            "停水停电不允许，请马上向主管部门反映",
            reasons=[
                "法律规定物业不得用停水、停电、停气的办法催交物业费。",
                "先恢复供水供电，欠费的事再通过调解解决。",
            ],
            materials=PROPERTY_MATERIALS + ["停水停电的时间、通知单或照片"],
            laws=[LAW_OWNER_FEES],
            department="区住房和城乡建设局，或所在镇（街道）办事处",
        ),
        "out_company": out(
            "mediation",
            "申请调解，请业主一起来商量",
            reasons=[
                "先调解能弄清业主不交费的原因，很多是服务上的问题，说开了就愿意交。",
                "调解不成的，物业公司可以到法院起诉，但不能停水停电。",
            ],
            materials=["营业执照", "物业服务合同", "欠费明细和催交记录", "服务记录（维修、保洁记录）"],
            laws=[LAW_OWNER_FEES, LAW_PROPERTY_REG, LAW_MEDIATION_APPLY],
            time_limits=[LIMIT_CIVIL],
        ),
    },
}

# 婚姻家庭 ------------------------------------------------------------------------------------------
LAW_DIVORCE_COURT = (
    "民法典",
    "第一千零七十九条",
    "夫妻一方要求离婚的，可以请有关组织调解，也可以直接到法院起诉离婚；法院审理时也会先调解。",
)
LAW_DIVORCE_AGREED = (
    "民法典",
    "第一千零七十六条",
    "夫妻双方自愿离婚的，要签书面离婚协议，两人亲自到婚姻登记机关办理。",
)
LAW_COOLING = (
    "民法典",
    "第一千零七十七条",
    "到婚姻登记机关申请离婚后有三十天冷静期，期间任何一方不愿意离婚的可以撤回申请。",
)
LAW_PROTECTION = (
    "反家庭暴力法",
    "第二十三条",
    "遭受家庭暴力或者面临家庭暴力危险的，可以向人民法院申请人身安全保护令。",
)
LAW_BRIDE_PRICE = ("民法典", "第一千零四十二条", "禁止借婚姻索取财物。")
FAMILY_MATERIALS = ["身份证、户口本", "结婚证（有的话）", "孩子的出生证明（有孩子的）", "房子、存款等家庭财产的清单"]

FAMILY = {
    "start": "safety",
    "nodes": {
        "safety": q(
            "现在有没有人打您、威胁您，让您觉得不安全？",
            opt("unsafe", "有", "out_violence"),
            opt("safe", "没有", "what"),
        ),
        "what": q(
            "您遇到的是什么事？",
            opt("agreed", "两个人都同意离婚，要商量孩子和财产怎么分", "out_registry"),
            opt("disagreed", "一方想离婚，另一方不同意", "tried"),
            opt("quarrel", "不想离婚，只是经常吵架，想有人帮忙劝和", "out_mediation"),
            opt("bride_price", "彩礼要不要退", "tried"),
        ),
        "tried": q(
            "有没有请亲友、村（居）委会或者调解员调解过？",
            opt("never", "没有", "out_mediation"),
            opt("failed", "调解过，没调成", "out_litigation"),
        ),
        "out_mediation": out(
            "mediation",
            "申请婚姻家庭调解",
            reasons=["家里的事，调解能让双方把话说开，保住亲情，也照顾孩子。", "调解不收费，调解员会保护您的隐私。"],
            materials=FAMILY_MATERIALS,
            laws=[LAW_DIVORCE_COURT, LAW_BRIDE_PRICE, LAW_MEDIATION_APPLY],
        ),
        "out_registry": out(
            "administrative",
            "到婚姻登记机关办理协议离婚",
            reasons=[
                "两个人都同意离婚，可以签离婚协议，一起到婚姻登记处办理。",
                "孩子归谁、财产怎么分谈不拢的，可以先申请调解，把协议写清楚。",
            ],
            materials=FAMILY_MATERIALS + ["双方签字的离婚协议（一式三份）"],
            laws=[LAW_DIVORCE_AGREED, LAW_COOLING],
            time_limits=["申请离婚登记后有三十天冷静期；冷静期满后三十天内，两人要一起去领离婚证，否则视为撤回申请。"],
            department="区民政局婚姻登记处",
        ),
        "out_litigation": out(
            "litigation",
            "可以到人民法院起诉",
            reasons=[
                "调解没有成功，可以到法院起诉，法院开庭前还会再组织调解。",
                "经济困难的，可以向法律援助中心申请免费律师。",
            ],
            materials=FAMILY_MATERIALS + ["以前调解的记录（有的话）"],
            laws=[LAW_DIVORCE_COURT, LAW_BRIDE_PRICE],
            department="区人民法院（诉讼服务中心）、区法律援助中心",
        ),
        "out_violence": out(
            "administrative",
            "马上求助：先报警，再申请人身安全保护令",
            reasons=[
                "您的安全最要紧。情况紧急请打 110，公安机关会出警制止。",
                "可以向法院申请人身安全保护令，禁止对方打您、骚扰您；妇联也可以帮助您。",
            ],
            materials=["身份证", "受伤的照片、医院的病历", "报警回执、对方的威胁短信或录音"],
            laws=[LAW_PROTECTION],
            time_limits=["人身安全保护令的申请，法院一般在七十二小时内作出；情况紧急的，二十四小时内作出。"],
            department="当地公安派出所、区妇女联合会、区人民法院",
        ),
    },
}

# 商品质量（消费维权） --------------------------------------------------------------------------------
LAW_CONSUMER_PATHS = (
    "消费者权益保护法",
    "第三十九条",
    "和商家有纠纷，可以协商，可以请消费者协会或者其他调解组织调解，可以向有关行政部门投诉，也可以到法院起诉。",
)
LAW_RETURN = (
    "消费者权益保护法",
    "第二十四条",
    "商品质量不合格的，可以按规定或者约定退货、换货、修理；没有规定和约定的，收到商品七天内可以退货。",
)
LAW_ONLINE_RETURN = (
    "消费者权益保护法",
    "第二十五条",
    "网上、电视、电话、邮购买的商品，一般收货后七天内可以无理由退货。",
)
LAW_FRAUD = ("消费者权益保护法", "第五十五条", "商家欺诈的，要按价款的三倍赔偿；不到五百元的，赔五百元。")
LAW_SELLER_PAYS = ("消费者权益保护法", "第四十条", "买的东西有问题造成损害的，可以直接找卖东西的商家赔偿。")
CONSUMER_MATERIALS = [
    "购物小票、发票或网上订单截图",
    "商品本身和包装（不要扔）",
    "问题的照片或视频",
    "和商家沟通的聊天记录",
]

CONSUMER = {
    "start": "where",
    "nodes": {
        "where": q(
            "东西是在哪里买的？",
            opt("shop", "在商店、市场买的", "problem"),
            opt(
                "online",
                "在网上、直播间或者电视购物买的",
                "problem",
                "网上买的大多数商品，收货七天内可以无理由退货（定做的、鲜活易坏的等除外）。",
            ),
        ),
        "problem": q(
            "出了什么问题？",
            opt("quality", "质量有问题，坏了、不好用", "asked"),
            opt("fake", "买到假货，或者被商家骗了", "out_fraud"),
            opt("hurt", "用了以后伤了人", "out_litigation"),
        ),
        "asked": q(
            "您找商家要求退货、换货或者修理了吗？",
            opt("refused", "找了，商家不管，或者推给厂家", "out_mediation"),
            opt("not_yet", "还没找", "out_mediation", "先带上小票找商家，依法可以要求退货、换货或者修理。"),
        ),
        "out_mediation": out(
            "mediation",
            "申请消费纠纷调解",
            reasons=[
                "商品质量问题，可以找卖东西的商家解决，不能被推给厂家。",
                "消费者协会和调解组织调解不收费，多数几天就能谈好。",
            ],
            materials=CONSUMER_MATERIALS,
            laws=[LAW_RETURN, LAW_ONLINE_RETURN, LAW_CONSUMER_PATHS],
            time_limits=["七天无理由退货，从收到商品的第二天算起。", LIMIT_CIVIL],
        ),
        "out_fraud": out(
            "administrative",
            "向市场监督管理部门投诉举报（也可以打 12315）",
            reasons=["卖假货、骗人属于违法经营，由市场监督管理部门查处。", "商家欺诈的，可以要求三倍赔偿。"],
            materials=CONSUMER_MATERIALS + ["商家的店名、地址或网店链接"],
            laws=[LAW_FRAUD, LAW_CONSUMER_PATHS],
            time_limits=[LIMIT_CIVIL],
            department="区市场监督管理局（12315）",
        ),
        "out_litigation": out(
            "litigation",
            "先申请调解赔偿，谈不拢可以到人民法院起诉",
            reasons=[
                "东西有问题伤了人，可以要求商家赔偿医药费、误工费等。",
                "伤得较重、赔偿金额大的，可以直接到法院起诉。",
            ],
            materials=CONSUMER_MATERIALS + ["医院的病历、诊断证明和医药费发票"],
            laws=[LAW_SELLER_PAYS, LAW_CONSUMER_PATHS, LAW_CIVIL_LIMIT],
            time_limits=[LIMIT_CIVIL],
            department="区人民法院（诉讼服务中心）",
        ),
    },
}

# 交通事故 ------------------------------------------------------------------------------------------
LAW_TRAFFIC_PATHS = (
    "道路交通安全法",
    "第七十四条",
    "交通事故赔偿有争议的，可以请交警调解，也可以直接到法院起诉；调解不成或者调解后对方不履行的，可以起诉。",
)
LAW_TRAFFIC_INSURANCE = (
    "道路交通安全法",
    "第七十六条",
    "机动车出事故造成人身伤亡、财产损失的，先由保险公司在交强险限额内赔偿；不够的部分，再按责任大小赔偿。",
)
LAW_TRAFFIC_REPORT = ("道路交通安全法", "第七十条", "出了事故要立即停车、保护现场；有人受伤的要马上抢救，并报告交警。")
TRAFFIC_MATERIALS = [
    "身份证、驾驶证、行驶证",
    "交通事故认定书（有的话）",
    "现场照片、对方车牌号和联系方式",
    "修车发票或定损单",
]
LIMIT_REVIEW = "对交通事故认定书有异议的，要在收到认定书三天内向上一级交警部门申请复核。"

TRAFFIC = {
    "start": "police",
    "nodes": {
        "police": q(
            "出事后报警了吗？交警给了事故认定书吗？",
            opt("report", "报了警，已经拿到认定书", "hurt"),
            opt("waiting", "报了警，还没拿到认定书", "out_wait"),
            opt(
                "private",
                "没有报警，双方自己商量",
                "hurt",
                "没有报警的，要保留现场照片、对方车牌和联系方式、证人，赔偿才有依据。",
            ),
        ),
        "hurt": q(
            "有人受伤吗？",
            opt("no_injury", "没人受伤，只是车坏了", "insurance"),
            opt("injured", "有人受伤", "insurance"),
            opt("death", "有人去世", "out_litigation"),
        ),
        "insurance": q(
            "对方的车买了交强险吗？",
            opt("yes", "买了", "out_mediation"),
            opt(
                "unknown",
                "没买，或者不清楚",
                "out_mediation",
                "没买交强险的，由车主在交强险的限额内先赔；可以请交警帮忙查询对方的保险。",
            ),
            help="交强险是每辆机动车都必须买的保险，保单通常贴在车窗上或放在车里。",
        ),
        "out_mediation": out(
            "mediation",
            "申请交通事故纠纷调解",
            reasons=[
                "交通事故赔偿可以请交通事故纠纷人民调解委员会调解，保险公司也可以一起参加。",
                "调解不收费；调成了可以申请法院司法确认，对方不给钱可以申请强制执行。",
            ],
            materials=TRAFFIC_MATERIALS + ["受伤的，带上病历、诊断证明和医药费发票"],
            laws=[LAW_TRAFFIC_PATHS, LAW_TRAFFIC_INSURANCE, LAW_MEDIATION_CONFIRM],
            time_limits=[LIMIT_REVIEW, LIMIT_CIVIL],
        ),
        "out_wait": out(
            "administrative",
            "先等交警出具事故认定书",
            reasons=["赔多少要看双方责任大小，责任由交警的事故认定书来定。", "拿到认定书后，可以再来咨询，申请调解。"],
            materials=TRAFFIC_MATERIALS,
            laws=[LAW_TRAFFIC_REPORT, LAW_TRAFFIC_PATHS],
            time_limits=[LIMIT_REVIEW],
            department="事故发生地的公安交警大队",
        ),
        "out_litigation": out(
            "litigation",
            "建议到人民法院起诉，可以申请法律援助",
            reasons=[
                "有人去世的事故，赔偿项目多、金额大，到法院起诉更能保护家属的权益。",
                "法院立案前后也会组织调解；经济困难的家属可以申请免费律师。",
            ],
            materials=TRAFFIC_MATERIALS + ["死亡证明、户口注销证明", "家属关系证明"],
            laws=[LAW_TRAFFIC_INSURANCE, LAW_TRAFFIC_PATHS, LAW_CIVIL_LIMIT],
            time_limits=[LIMIT_REVIEW, LIMIT_CIVIL],
            department="区人民法院（诉讼服务中心）、区法律援助中心",
        ),
    },
}

#: (matter code, title, intro, tree) in display order.
QUESTIONNAIRES = [
    ("labor.wages", "被拖欠工资怎么办", "老板不发工资、包工头欠钱", WAGES),
    ("neighbour.adjacency", "和邻居闹矛盾怎么办", "排水、走路、盖房挡光、地界", NEIGHBOURS),
    ("property.fees", "物业费的纠纷怎么办", "物业催交费、服务差、乱收费", PROPERTY),
    ("family.marriage", "婚姻家庭的矛盾怎么办", "夫妻吵架、离婚、彩礼", FAMILY),
    ("consumer.quality", "买到的东西有问题怎么办", "质量问题、假货、网购退货", CONSUMER),
    ("traffic.compensation", "出了交通事故怎么赔", "撞车、受伤、保险赔偿", TRAFFIC),
]
