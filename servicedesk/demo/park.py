"""The demonstration park as tables: Mianyang high-tech zone as the newspaper article describes it.

Three industry chains with their five-ones (新型显示, 新型储能, 磁性材料), a task force per chain
plus the key-project task force, ten enterprises, a dozen key projects, the ticket categories and
the people who use the desk, each a row keyed by a short name. Enterprise and people names other
than the chain leaders are invented. Plain data only: :mod:`servicedesk.demo.build` turns these
rows into people, task forces, enterprises, chains, projects and categories.
"""

from __future__ import annotations

from servicedesk.auth.models import Role
from servicedesk.sla.vocabulary import CategoryKind

#: The six accounts the README and the sign-in page talk about, by key.
DEMO_ACCOUNTS = {
    "enterprise": "enterprise@demo.local",
    "dispatcher": "dispatcher@demo.local",
    "member": "member@demo.local",
    "lead": "lead@demo.local",
    "supervisor": "supervisor@demo.local",
    "admin": "admin@demo.local",
}

_MEMBER = (Role.MEMBER,)
_LEAD = (Role.LEAD, Role.MEMBER)

#: key: (e-mail, name, roles, mobile)
STAFF = {
    "admin": ("admin@demo.local", "陈涛", (Role.ADMIN,), "13800000006"),
    "dispatcher": ("dispatcher@demo.local", "刘静", (Role.DISPATCHER,), "13800000002"),
    "supervisor": ("supervisor@demo.local", "周振华", (Role.SUPERVISOR,), "13800000005"),
    "lead": ("lead@demo.local", "李建国", _LEAD, "13800000004"),
    "member": ("member@demo.local", "王晓燕", _MEMBER, "13800000003"),
    "zhao": ("zhao.lei@demo.local", "赵磊", _MEMBER, "13800000011"),
    "chen": ("chen.zhiqiang@demo.local", "陈志强", _LEAD, "13800000021"),
    "liu": ("liu.yang@demo.local", "刘洋", _MEMBER, "13800000022"),
    "zhou": ("zhou.min@demo.local", "周敏", _MEMBER, "13800000023"),
    "yang": ("yang.fan@demo.local", "杨帆", _LEAD, "13800000031"),
    "huang": ("huang.lei@demo.local", "黄磊", _MEMBER, "13800000032"),
    "wu": ("wu.ting@demo.local", "吴婷", _MEMBER, "13800000033"),
    "sun": ("sun.wei@demo.local", "孙伟", _LEAD, "13800000041"),
    "zheng": ("zheng.li@demo.local", "郑丽", _MEMBER, "13800000042"),
    "ma": ("ma.jun@demo.local", "马骏", _MEMBER, "13800000043"),
}

#: key: (name, description, lead key, member keys)
TASK_FORCES = {
    "display": (
        "新型显示产业链工作专班",
        "落实“五个一”机制，集中办公，专责、专策、专业服务新型显示产业链企业和项目。",
        "lead",
        ["member", "zhao"],
    ),
    "storage": (
        "新型储能产业链工作专班",
        "服务埃克森新能源等储能企业，推动上游材料、储能系统、电池回收全链条集聚。",
        "chen",
        ["liu", "zhou"],
    ),
    "magnet": (
        "磁性材料产业链工作专班",
        "服务巨星永磁等磁性材料企业，推动稀土永磁材料强链补链延链。",
        "yang",
        ["huang", "wu"],
    ),
    "projects": (
        "重点项目推进专班",
        "践行“一线工作法”，推动145个省市区重点项目早开工、快建设、早投产。",
        "sun",
        ["zheng", "ma"],
    ),
}

# key: (name, first 17 characters of the credit code, chain key or None, leader?, address)
ENTERPRISES = {
    "boe": (
        "绵阳京东方光电科技有限公司",
        "91510700MA62A7KJ4",
        "display",
        True,
        "绵阳高新区京东方大道1号",
    ),
    "changhong": (
        "四川长虹电器股份有限公司",
        "91510700205412308",
        "display",
        True,
        "绵阳高新区绵兴东路35号",
    ),
    "shanjin": (
        "绵阳杉金光电科技有限公司",
        "91510700MA6AT3R81",
        "display",
        False,
        "绵阳高新区永兴工业园",
    ),
    "exxon": (
        "绵阳高新埃克森新能源科技有限公司",
        "91510700MA6BN2W5C",
        "storage",
        True,
        "绵阳高新区埃克森新能源电池产业园",
    ),
    "liyuan": (
        "绵阳锂源储能材料有限公司",
        "91510700MA6C4PL7H",
        "storage",
        False,
        "绵阳高新区石桥铺工业园",
    ),
    "juxing": (
        "绵阳巨星永磁材料有限公司",
        "91510700MA62Q8D3E",
        "magnet",
        True,
        "绵阳高新区磁性材料产业园",
    ),
    "cixin": (
        "绵阳磁芯电子材料有限公司",
        "91510703MA6DJ6F2U",
        "magnet",
        False,
        "绵阳高新区磁性材料产业园标准厂房3栋",
    ),
    "sinotruk": (
        "中国重汽集团绵阳卡车分公司",
        "91510700662790451",
        None,
        False,
        "绵阳高新区中国重汽绵阳基地",
    ),
    "lingdian": (
        "四川零点自动化系统有限公司",
        "91510700720893173",
        None,
        False,
        "绵阳高新区创新中心",
    ),
}
#: An early pilot code that fails the GB 32100 check; the admin accepted it with a reason.
PILOT_ENTERPRISE = (
    "绵阳云帆智造科技有限公司",
    "91510700MA62X1B9T",
    "绵阳科技城软件产业园",
    "2015年试点期间赋码，校验位与国标算法不符；已核对营业执照原件及国家企业信用"
    "信息公示系统，代码属实。",
)

#: key: (email, name, enterprise key, mobile)
CONTACTS = {
    "boe": ("enterprise@demo.local", "张敏", "13900000001"),
    "changhong": ("he.jing@demo.local", "何静", "13900000002"),
    "shanjin": ("xu.fang@demo.local", "许芳", "13900000003"),
    "exxon": ("luo.dan@demo.local", "罗丹", "13900000004"),
    "liyuan": ("tang.liang@demo.local", "唐亮", "13900000005"),
    "juxing": ("deng.gang@demo.local", "邓刚", "13900000006"),
    "cixin": ("xie.hong@demo.local", "谢红", "13900000007"),
    "sinotruk": ("feng.yong@demo.local", "冯勇", "13900000008"),
    "lingdian": ("zeng.qiang@demo.local", "曾强", "13900000009"),
    "yunfan": ("peng.cheng@demo.local", "彭程", "13900000010"),
}

#: key: (name, description, leader key, chief scientist, policy package)
CHAINS = {
    "display": (
        "新型显示",
        "打造“全国新型显示产业高地”：以京东方、长虹为链主，带动面板、偏光片、模组、整机全链条发展。",
        "boe",
        "周文博（新型显示材料与器件首席科学家）",
        "一、重大项目“一事一议”，按设备投资额给予补助；\n"
        "二、新引进配套企业前三年标准厂房租金减免；\n"
        "三、首席科学家团队研发经费及中试平台支持；\n"
        "四、高端人才安家补贴、子女入学和医疗保障；\n"
        "五、工作专班集中办公，审批事项开辟“绿色通道”。",
    ),
    "storage": (
        "新型储能",
        "打造“中国新型储能电池之都”：以埃克森新能源为链主，构建上游原材料、下游储能系统、"
        "光伏组件及电池回收全链条产业集群。",
        "exxon",
        "林志远（电化学储能首席科学家）",
        "一、储能电芯项目爬坡满产用电、用气保障；\n"
        "二、产业链上下游“以商招商”落户奖励；\n"
        "三、首台（套）储能系统示范应用支持；\n"
        "四、银企对接、应收账款融资和贷款贴息；\n"
        "五、产业工人招聘及技能培训补贴。",
    ),
    "magnet": (
        "磁性材料",
        "打造“千亿级磁性材料产业集群”：以巨星永磁为链主，推动稀土永磁材料强链补链延链。",
        "juxing",
        "高建华（稀土永磁材料首席科学家）",
        "一、高性能钕铁硼项目建成投产、加速释放产能奖励；\n"
        "二、稀土原料保供及进口通关协调；\n"
        "三、稀土永磁废料综合回收利用项目支持；\n"
        "四、标准化厂房“拎包入住”及租金优惠；\n"
        "五、研发投入后补助和知识产权质押融资。",
    ),
}

#: key: (name, level, status, enterprise key, chain key or None, task force key)
PROJECTS = {
    "amoled": (
        "京东方绵阳第6代柔性AMOLED生产线",
        "provincial",
        "in_operation",
        "boe",
        "display",
        "display",
    ),
    "module": (
        "京东方柔性显示模组扩产项目",
        "provincial",
        "under_construction",
        "boe",
        "display",
        "display",
    ),
    "polarizer": (
        "杉金光电偏光片生产线项目",
        "provincial",
        "under_construction",
        "shanjin",
        "display",
        "projects",
    ),
    "terminal": (
        "长虹新型显示智能终端产业园",
        "municipal",
        "under_construction",
        "changhong",
        "display",
        "projects",
    ),
    "exxon1": (
        "埃克森新能源电池产业园一期（6GWh）",
        "provincial",
        "in_operation",
        "exxon",
        "storage",
        "storage",
    ),
    "exxon2": (
        "埃克森新能源电池产业园二期",
        "provincial",
        "planned",
        "exxon",
        "storage",
        "projects",
    ),
    "cathode": (
        "储能电池正极材料项目",
        "municipal",
        "under_construction",
        "liyuan",
        "storage",
        "storage",
    ),
    "ndfeb": (
        "巨星永磁高性能钕铁硼永磁材料项目",
        "provincial",
        "in_operation",
        "juxing",
        "magnet",
        "magnet",
    ),
    "recycling": (
        "稀土永磁废料综合回收项目",
        "district",
        "completed",
        "juxing",
        "magnet",
        "magnet",
    ),
    "workshops": (
        "磁性材料产业园标准化厂房（一期）",
        "district",
        "under_construction",
        "cixin",
        "magnet",
        "projects",
    ),
    "trucks": (
        "中国重汽绵阳基地产能提升技改项目",
        "municipal",
        "under_construction",
        "sinotruk",
        None,
        "projects",
    ),
    "rnd": (
        "零点自动化储能与风电控制系统研发中心",
        "district",
        "planned",
        "lingdian",
        None,
        "projects",
    ),
}

#: key: (name, English name, kind, default task force key or None)
CATEGORIES = {
    "policy": ("政策咨询", "Policy consultation", CategoryKind.CONSULTATION, None),
    "land": ("用地审批", "Land-use approval", CategoryKind.ASSISTANCE, "projects"),
    "permits": (
        "规划与环评",
        "Planning and environmental approval",
        CategoryKind.ASSISTANCE,
        "projects",
    ),
    "finance": ("融资服务", "Financing services", CategoryKind.ASSISTANCE, None),
    "staffing": ("用工招聘", "Recruitment and staffing", CategoryKind.ASSISTANCE, None),
    "utilities": (
        "水电气保障",
        "Water, power and gas supply",
        CategoryKind.COORDINATION,
        "projects",
    ),
    "coordination": (
        "跨部门协调",
        "Cross-department coordination",
        CategoryKind.COORDINATION,
        None,
    ),
}
